#include "scheduler/plugins/interpodaffinity/inter_pod_affinity.h"

#include <algorithm>

namespace kcpp::scheduler::plugins {

namespace {

using Domain = std::pair<std::string, std::string>;  // topology key, value

struct AffinityState final : StateData {
  std::map<Domain, std::int64_t> existingAnti;                 // domains existing pods' anti-affinity forbids
  std::vector<std::map<std::string, std::int64_t>> affinity;   // per required affinity term: value → pods
  std::vector<std::map<std::string, std::int64_t>> anti;       // per required anti-affinity term
  std::shared_ptr<StateData> clone() const override { return std::make_shared<AffinityState>(*this); }
};

struct ScoreState final : StateData {
  std::map<Domain, std::int64_t> weights;
  std::shared_ptr<StateData> clone() const override { return std::make_shared<ScoreState>(*this); }
};

const std::string kFilterKey = "PreFilterInterPodAffinity";
const std::string kScoreKey = "PreScoreInterPodAffinity";

const std::string* labelOf(const NodeInfo& node, const std::string& key) {
  auto it = node.labels.find(key);
  return it == node.labels.end() ? nullptr : &it->second;
}

// What `other` (on `node`) contributes to the counts for the incoming `pod`.
void account(AffinityState& s, const PodInfo& pod, const PodInfo& other, const NodeInfo& node, std::int64_t delta) {
  if (other.terminating) return;
  for (const PodAffinityTerm& t : other.requiredAntiAffinity) {
    const std::string* v = labelOf(node, t.topologyKey);
    if (v && PodInfo::termMatches(t, other.ns, pod)) s.existingAnti[{t.topologyKey, *v}] += delta;
  }
  for (std::size_t i = 0; i < pod.requiredAffinity.size(); ++i) {
    const PodAffinityTerm& t = pod.requiredAffinity[i];
    const std::string* v = labelOf(node, t.topologyKey);
    if (v && PodInfo::termMatches(t, pod.ns, other)) s.affinity[i][*v] += delta;
  }
  for (std::size_t i = 0; i < pod.requiredAntiAffinity.size(); ++i) {
    const PodAffinityTerm& t = pod.requiredAntiAffinity[i];
    const std::string* v = labelOf(node, t.topologyKey);
    if (v && PodInfo::termMatches(t, pod.ns, other)) s.anti[i][*v] += delta;
  }
}

}  // namespace

Status InterPodAffinity::preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) {
  bool own = !pod.requiredAffinity.empty() || !pod.requiredAntiAffinity.empty();
  if (!own && snapshot.podsWithRequiredAntiAffinity == 0) return Status::skip();
  auto s = std::make_shared<AffinityState>();
  s->affinity.resize(pod.requiredAffinity.size());
  s->anti.resize(pod.requiredAntiAffinity.size());
  for (const NodeInfo* node : snapshot.nodes) {
    if (!own && node->podsWithRequiredAntiAffinity == 0) continue;
    for (const PodInfoPtr& other : node->pods) account(*s, pod, *other, *node, 1);
  }
  state.write(kFilterKey, std::move(s));
  return Status::success();
}

void InterPodAffinity::addPod(CycleState& state, const PodInfo& pod, const PodInfo& added, const NodeInfo& node) const {
  if (auto* s = state.read<AffinityState>(kFilterKey)) account(*s, pod, added, node, 1);
}

void InterPodAffinity::removePod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                                 const NodeInfo& node) const {
  if (auto* s = state.read<AffinityState>(kFilterKey)) account(*s, pod, removed, node, -1);
}

Status InterPodAffinity::filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const {
  const auto* s = state.read<AffinityState>(kFilterKey);
  if (!s) return Status::success();
  for (const auto& [domain, n] : s->existingAnti) {
    const std::string* v = labelOf(node, domain.first);
    if (n > 0 && v && *v == domain.second) return Status::unschedulable(kExistingAntiAffinity);
  }
  for (std::size_t i = 0; i < pod.requiredAffinity.size(); ++i) {
    const PodAffinityTerm& t = pod.requiredAffinity[i];
    const std::string* v = labelOf(node, t.topologyKey);
    if (!v) return Status::unresolvable(kAffinity);
    auto here = s->affinity[i].find(*v);
    if (here != s->affinity[i].end() && here->second > 0) continue;
    // No matching pod anywhere and the pod matches its own term: the first of a group may go.
    bool anyMatch = std::any_of(s->affinity[i].begin(), s->affinity[i].end(), [](const auto& kv) { return kv.second > 0; });
    if (!anyMatch && PodInfo::termMatches(t, pod.ns, pod)) continue;
    return Status::unresolvable(kAffinity);
  }
  for (std::size_t i = 0; i < pod.requiredAntiAffinity.size(); ++i) {
    const std::string* v = labelOf(node, pod.requiredAntiAffinity[i].topologyKey);
    if (!v) continue;
    auto here = s->anti[i].find(*v);
    if (here != s->anti[i].end() && here->second > 0) return Status::unschedulable(kAntiAffinity);
  }
  return Status::success();
}

Status InterPodAffinity::preScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>&,
                                  const Snapshot& snapshot) {
  if (pod.preferredAffinity.empty() && pod.preferredAntiAffinity.empty()) return Status::skip();
  auto s = std::make_shared<ScoreState>();
  for (const NodeInfo* node : snapshot.nodes) {
    for (const PodInfoPtr& other : node->pods) {
      for (const auto& w : pod.preferredAffinity) {
        const std::string* v = labelOf(*node, w.term.topologyKey);
        if (v && PodInfo::termMatches(w.term, pod.ns, *other)) s->weights[{w.term.topologyKey, *v}] += w.weight;
      }
      for (const auto& w : pod.preferredAntiAffinity) {
        const std::string* v = labelOf(*node, w.term.topologyKey);
        if (v && PodInfo::termMatches(w.term, pod.ns, *other)) s->weights[{w.term.topologyKey, *v}] -= w.weight;
      }
    }
  }
  state.write(kScoreKey, std::move(s));
  return Status::success();
}

std::int64_t InterPodAffinity::score(const CycleState& state, const PodInfo&, const NodeInfo& node) const {
  const auto* s = state.read<ScoreState>(kScoreKey);
  if (!s) return 0;
  std::int64_t total = 0;
  for (const auto& [domain, weight] : s->weights) {
    const std::string* v = labelOf(node, domain.first);
    if (v && *v == domain.second) total += weight;
  }
  return total;
}

void InterPodAffinity::normalize(const CycleState& state, const PodInfo&, std::vector<std::int64_t>& scores) const {
  if (!state.read<ScoreState>(kScoreKey) || scores.empty()) return;
  std::int64_t min = std::min<std::int64_t>(0, *std::min_element(scores.begin(), scores.end()));
  std::int64_t max = std::max<std::int64_t>(0, *std::max_element(scores.begin(), scores.end()));
  for (std::int64_t& s : scores) s = max == min ? 0 : kMaxNodeScore * (s - min) / (max - min);
}

}  // namespace kcpp::scheduler::plugins
