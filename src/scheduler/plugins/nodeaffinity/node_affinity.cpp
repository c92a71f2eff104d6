#include "scheduler/plugins/nodeaffinity/node_affinity.h"

#include "scheduler/framework/normalize.h"

namespace kcpp::scheduler::plugins {

bool matchesNodeSelectorAndAffinity(const PodInfo& pod, const NodeInfo& node) {
  for (const auto& [key, value] : pod.nodeSelector) {
    auto it = node.labels.find(key);
    if (it == node.labels.end() || it->second != value) return false;
  }
  if (!pod.requiredNodeAffinity) return true;
  // Terms are ORed; an empty list matches nothing, as upstream's.
  for (const NodeSelectorTerm& term : *pod.requiredNodeAffinity) {
    if (term.matches(node.labels, node.name)) return true;
  }
  return false;
}

Status NodeAffinity::preFilter(CycleState&, const PodInfo& pod, const Snapshot&) {
  return pod.nodeSelector.empty() && !pod.requiredNodeAffinity ? Status::skip() : Status::success();
}

Status NodeAffinity::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  return matchesNodeSelectorAndAffinity(pod, node) ? Status::success() : Status::unresolvable(kReason);
}

Status NodeAffinity::preScore(CycleState&, const PodInfo& pod, const std::vector<const NodeInfo*>&,
                              const Snapshot&) {
  return pod.preferredNodeAffinity.empty() ? Status::skip() : Status::success();
}

std::int64_t NodeAffinity::score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  std::int64_t sum = 0;
  for (const PreferredSchedulingTerm& p : pod.preferredNodeAffinity) {
    if (p.weight != 0 && p.term.matches(node.labels, node.name)) sum += p.weight;
  }
  return sum;
}

void NodeAffinity::normalize(const CycleState&, const PodInfo&, std::vector<std::int64_t>& scores) const {
  defaultNormalizeScore(scores, false);
}

}  // namespace kcpp::scheduler::plugins
