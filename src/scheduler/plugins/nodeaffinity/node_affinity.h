#pragma once
// NodeAffinity: spec.nodeSelector and requiredDuringScheduling node affinity
// must match the node's labels (Filter); preferred terms add their weights
// (Score, normalized to 0..100).
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class NodeAffinity final : public PreFilterPlugin, public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  static constexpr const char* kName = "NodeAffinity";
  static constexpr const char* kReason = "node(s) didn't match Pod's node affinity/selector";
  std::string_view name() const override { return kName; }
  Status preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status preScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                  const Snapshot& snapshot) override;
  std::int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  void normalize(const CycleState& state, const PodInfo& pod, std::vector<std::int64_t>& scores) const override;
};

// Does the node satisfy the pod's nodeSelector and required node affinity?
bool matchesNodeSelectorAndAffinity(const PodInfo& pod, const NodeInfo& node);

}  // namespace kcpp::scheduler::plugins
