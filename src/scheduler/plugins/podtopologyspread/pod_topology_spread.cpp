#include "scheduler/plugins/podtopologyspread/pod_topology_spread.h"

#include <algorithm>
#include <limits>

#include "scheduler/plugins/nodeaffinity/node_affinity.h"

namespace kcpp::scheduler::plugins {

namespace {

// Matching pods per domain, for each constraint of one kind (hard or soft).
struct SpreadState final : StateData {
  std::vector<TopologySpreadConstraint> constraints;
  std::vector<std::map<std::string, std::int64_t>> counts;  // per constraint: domain → pods
  std::shared_ptr<StateData> clone() const override { return std::make_shared<SpreadState>(*this); }
};

const std::string kFilterKey = "PreFilterPodTopologySpread";
const std::string kScoreKey = "PreScorePodTopologySpread";

bool counts(const TopologySpreadConstraint& c, const PodInfo& pod, const PodInfo& other) {
  return other.ns == pod.ns && !other.terminating && c.selector.matches(other.labels);
}

SpreadState countOver(const PodInfo& pod, const std::vector<TopologySpreadConstraint>& constraints,
                      const std::vector<const NodeInfo*>& nodes) {
  SpreadState s;
  s.constraints = constraints;
  s.counts.resize(constraints.size());
  for (const NodeInfo* node : nodes) {
    if (!matchesNodeSelectorAndAffinity(pod, *node)) continue;
    for (std::size_t i = 0; i < constraints.size(); ++i) {
      auto label = node->labels.find(constraints[i].topologyKey);
      if (label == node->labels.end()) continue;
      std::int64_t& n = s.counts[i][label->second];
      for (const PodInfoPtr& p : node->pods) n += counts(constraints[i], pod, *p);
    }
  }
  return s;
}

std::vector<TopologySpreadConstraint> ofKind(const PodInfo& pod, bool hard) {
  std::vector<TopologySpreadConstraint> out;
  for (const auto& c : pod.spreadConstraints) {
    if (c.doNotSchedule == hard) out.push_back(c);
  }
  return out;
}

void adjust(CycleState& state, const PodInfo& pod, const PodInfo& other, const NodeInfo& node, std::int64_t delta) {
  auto* s = state.read<SpreadState>(kFilterKey);
  if (!s || !matchesNodeSelectorAndAffinity(pod, node)) return;
  for (std::size_t i = 0; i < s->constraints.size(); ++i) {
    auto label = node.labels.find(s->constraints[i].topologyKey);
    if (label == node.labels.end() || !counts(s->constraints[i], pod, other)) continue;
    s->counts[i][label->second] += delta;
  }
}

}  // namespace

Status PodTopologySpread::preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) {
  auto hard = ofKind(pod, true);
  if (hard.empty()) return Status::skip();
  state.write(kFilterKey, std::make_shared<SpreadState>(countOver(pod, hard, snapshot.nodes)));
  return Status::success();
}

void PodTopologySpread::addPod(CycleState& state, const PodInfo& pod, const PodInfo& added, const NodeInfo& node) const {
  adjust(state, pod, added, node, 1);
}

void PodTopologySpread::removePod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                                  const NodeInfo& node) const {
  adjust(state, pod, removed, node, -1);
}

Status PodTopologySpread::filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const {
  const auto* s = state.read<SpreadState>(kFilterKey);
  if (!s) return Status::success();
  for (std::size_t i = 0; i < s->constraints.size(); ++i) {
    const TopologySpreadConstraint& c = s->constraints[i];
    auto label = node.labels.find(c.topologyKey);
    if (label == node.labels.end()) return Status::unresolvable(kMissingLabel);
    const auto& domains = s->counts[i];
    std::int64_t min = std::numeric_limits<std::int64_t>::max();
    for (const auto& [domain, n] : domains) min = std::min(min, n);
    // Fewer domains than minDomains: the global minimum counts as 0.
    if (domains.empty() || static_cast<std::int32_t>(domains.size()) < c.minDomains) min = 0;
    auto here = domains.find(label->second);
    std::int64_t count = here == domains.end() ? 0 : here->second;
    std::int64_t self = c.selector.matches(pod.labels) ? 1 : 0;
    if (count + self - min > c.maxSkew) return Status::unschedulable(kReason);
  }
  return Status::success();
}

Status PodTopologySpread::preScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>&,
                                   const Snapshot& snapshot) {
  auto soft = ofKind(pod, false);
  if (soft.empty()) return Status::skip();
  state.write(kScoreKey, std::make_shared<SpreadState>(countOver(pod, soft, snapshot.nodes)));
  return Status::success();
}

std::int64_t PodTopologySpread::score(const CycleState& state, const PodInfo&, const NodeInfo& node) const {
  const auto* s = state.read<SpreadState>(kScoreKey);
  if (!s) return 0;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < s->constraints.size(); ++i) {
    auto label = node.labels.find(s->constraints[i].topologyKey);
    if (label == node.labels.end()) continue;
    auto here = s->counts[i].find(label->second);
    // More matching pods in the node's domain: a worse (higher) raw score.
    total += (here == s->counts[i].end() ? 0 : here->second) + s->constraints[i].maxSkew - 1;
  }
  return total;
}

void PodTopologySpread::normalize(const CycleState& state, const PodInfo&, std::vector<std::int64_t>& scores) const {
  if (!state.read<SpreadState>(kScoreKey) || scores.empty()) return;
  std::int64_t min = *std::min_element(scores.begin(), scores.end());
  std::int64_t max = *std::max_element(scores.begin(), scores.end());
  for (std::int64_t& s : scores) {
    s = max == min ? kMaxNodeScore : kMaxNodeScore * (max - s) / (max - min);
  }
}

}  // namespace kcpp::scheduler::plugins
