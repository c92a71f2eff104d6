#include "scheduler/plugins/podtopologyspread/pod_topology_spread.h"

#include <algorithm>
#include <limits>

#include "api/meta/object.h"
#include "api/selectors/label_selector_json.h"
#include "scheduler/plugins/nodeaffinity/node_affinity.h"

namespace kcpp::scheduler::plugins {

namespace json = boost::json;

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
                      const std::vector<const NodeInfo*>& nodes, SpreadCountCache& cache) {
  SpreadState s;
  s.constraints = constraints;
  s.counts.resize(constraints.size());
  std::vector<std::string> keys;
  for (const auto& c : constraints) keys.push_back(pod.ns + '\x1f' + c.selector.string());
  for (const NodeInfo* node : nodes) {
    if (!matchesNodeSelectorAndAffinity(pod, *node)) continue;
    for (std::size_t i = 0; i < constraints.size(); ++i) {
      auto label = node->labels.find(constraints[i].topologyKey);
      if (label == node->labels.end()) continue;
      s.counts[i][label->second] += cache.count(*node, pod.ns, constraints[i].selector, keys[i]);
    }
  }
  return s;
}

std::vector<TopologySpreadConstraint> ofKind(const std::vector<TopologySpreadConstraint>& all, bool hard) {
  std::vector<TopologySpreadConstraint> out;
  for (const auto& c : all) {
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

Labels stringMap(const json::object& obj, std::string_view path) {
  Labels out;
  const json::value* v = api::findPath(obj, path);
  if (!v || !v->is_object()) return out;
  for (const auto& [k, val] : v->get_object()) {
    if (val.is_string()) out.emplace(std::string(k), std::string(val.get_string()));
  }
  return out;
}

// The ownerReference with controller: true (kind, name), if any.
std::pair<std::string, std::string> controllerOf(const json::object& pod) {
  const json::value* refs = api::findPath(pod, "metadata.ownerReferences");
  if (!refs || !refs->is_array()) return {};
  for (const json::value& r : refs->get_array()) {
    if (!r.is_object()) continue;
    const json::value* controller = r.get_object().if_contains("controller");
    if (!controller || !controller->is_bool() || !controller->get_bool()) continue;
    return {std::string(api::getString(r.get_object(), "kind")), std::string(api::getString(r.get_object(), "name"))};
  }
  return {};
}

Result<TopologySpreadConstraint> parseDefaultConstraint(const json::value& v, const std::string& field) {
  auto invalid = [&](const std::string& detail) { return makeError(Reason::Invalid, field + detail); };
  if (!v.is_object()) return invalid(": Invalid value: must be an object");
  const json::object& o = v.get_object();
  TopologySpreadConstraint c;
  const json::value* skew = o.if_contains("maxSkew");
  c.maxSkew = skew && skew->is_int64() ? static_cast<std::int32_t>(skew->get_int64()) : 0;
  if (c.maxSkew <= 0) return invalid(".maxSkew: Invalid value: " + std::to_string(c.maxSkew) + ": must be greater than zero");
  c.topologyKey = std::string(api::getString(o, "topologyKey"));
  if (c.topologyKey.empty()) return invalid(".topologyKey: Required value: can not be empty");
  std::string when(api::getString(o, "whenUnsatisfiable"));
  if (when != "DoNotSchedule" && when != "ScheduleAnyway") {
    return invalid(".whenUnsatisfiable: Unsupported value: \"" + when +
                   "\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\"");
  }
  c.doNotSchedule = when == "DoNotSchedule";
  if (o.contains("labelSelector")) {
    return invalid(".labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod");
  }
  return c;
}

}  // namespace

std::int64_t SpreadCountCache::count(const NodeInfo& node, const std::string& ns,
                                     const selectors::LabelSelector& selector, const std::string& key) {
  Entry& e = byNode_[node.name];
  if (e.node != &node || e.generation != node.generation || e.pods != node.pods.size()) {
    e = Entry{&node, node.generation, node.pods.size(), {}};
  }
  auto found = e.counts.find(key);
  if (found != e.counts.end()) return found->second;
  std::int64_t n = 0;
  for (const PodInfoPtr& p : node.pods) n += p->ns == ns && !p->terminating && selector.matches(p->labels);
  e.counts.emplace(key, n);
  return n;
}

std::vector<TopologySpreadConstraint> PodTopologySpread::systemDefaultConstraints() {
  TopologySpreadConstraint host, zone;
  host.maxSkew = 3;
  host.topologyKey = "kubernetes.io/hostname";
  host.doNotSchedule = false;
  zone.maxSkew = 5;
  zone.topologyKey = "topology.kubernetes.io/zone";
  zone.doNotSchedule = false;
  return {host, zone};
}

Result<PluginPtr> PodTopologySpread::create(const json::object& args, Handle& handle) {
  std::string type(api::getString(args, "defaultingType"));
  if (type.empty()) type = "System";
  const json::value* list = args.if_contains("defaultConstraints");
  bool hasList = list && list->is_array() && !list->get_array().empty();
  if (type != "System" && type != "List") {
    return makeError(Reason::Invalid, "defaultingType: Unsupported value: \"" + type +
                                          "\": supported values: \"List\", \"System\"");
  }
  if (type == "System") {
    if (hasList) {
      return makeError(Reason::Invalid, "defaultConstraints: Invalid value: " + json::serialize(*list) +
                                            ": when .defaultingType is \"System\"");
    }
    return PluginPtr(std::make_shared<PodTopologySpread>(handle, systemDefaultConstraints()));
  }
  std::vector<TopologySpreadConstraint> defaults;
  if (hasList) {
    for (std::size_t i = 0; i < list->get_array().size(); ++i) {
      auto c = parseDefaultConstraint(list->get_array()[i], "defaultConstraints[" + std::to_string(i) + "]");
      if (!c) return std::move(c).error();
      for (const auto& seen : defaults) {
        if (seen.topologyKey == c->topologyKey && seen.doNotSchedule == c->doNotSchedule) {
          return makeError(Reason::Invalid, "defaultConstraints[" + std::to_string(i) +
                                                "]: Duplicate value: {" + c->topologyKey + ", " +
                                                (c->doNotSchedule ? "DoNotSchedule" : "ScheduleAnyway") + "}");
        }
      }
      defaults.push_back(std::move(*c));
    }
  }
  return PluginPtr(std::make_shared<PodTopologySpread>(handle, std::move(defaults)));
}

selectors::LabelSelector defaultSelector(const PodInfo& pod, const Handle& handle) {
  Labels set;
  // Services, RCs, RSs and StatefulSets that match the pod cannot conflict: merging is safe.
  for (const ObjectPtr& svc : handle.list("services", pod.ns)) {
    Labels selector = stringMap(*svc, "spec.selector");
    if (selector.empty() || !selectors::LabelSelector::fromSet(selector).matches(pod.labels)) continue;
    set.insert(selector.begin(), selector.end());
  }
  if (!pod.object) return selectors::LabelSelector::fromSet(set);
  auto [kind, name] = controllerOf(*pod.object);
  std::vector<selectors::LabelRequirement> extra;
  if (kind == "ReplicationController") {
    if (ObjectPtr rc = handle.lookup("replicationcontrollers", pod.ns, name)) {
      Labels selector = stringMap(*rc, "spec.selector");
      set.insert(selector.begin(), selector.end());
    }
  } else if (kind == "ReplicaSet" || kind == "StatefulSet") {
    ObjectPtr owner = handle.lookup(kind == "ReplicaSet" ? "replicasets" : "statefulsets", pod.ns, name);
    const json::value* sel = owner ? api::findPath(*owner, "spec.selector") : nullptr;
    if (sel) {
      if (auto parsed = selectors::labelSelectorFromJson(*sel)) extra = parsed->requirements();
    }
  }
  std::vector<selectors::LabelRequirement> all = selectors::LabelSelector::fromSet(set).requirements();
  all.insert(all.end(), extra.begin(), extra.end());
  return selectors::LabelSelector::fromRequirements(std::move(all));
}

std::vector<TopologySpreadConstraint> PodTopologySpread::constraintsOf(const PodInfo& pod) const {
  if (!pod.spreadConstraints.empty() || defaults_.empty() || !handle_) return pod.spreadConstraints;
  selectors::LabelSelector selector = defaultSelector(pod, *handle_);
  // Nothing selects the pod: nothing to spread it with.
  if (selector.empty()) return {};
  std::vector<TopologySpreadConstraint> out = defaults_;
  for (auto& c : out) c.selector = selector;
  return out;
}

Status PodTopologySpread::preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) {
  // Cheap way out for the common case: defaults that never filter.
  bool hardDefaults = std::any_of(defaults_.begin(), defaults_.end(), [](const auto& c) { return c.doNotSchedule; });
  if (pod.spreadConstraints.empty() && !hardDefaults) return Status::skip();
  auto hard = ofKind(constraintsOf(pod), true);
  if (hard.empty()) return Status::skip();
  state.write(kFilterKey, std::make_shared<SpreadState>(countOver(pod, hard, snapshot.nodes, counts_)));
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
  auto soft = ofKind(constraintsOf(pod), false);
  if (soft.empty()) return Status::skip();
  state.write(kScoreKey, std::make_shared<SpreadState>(countOver(pod, soft, snapshot.nodes, counts_)));
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
