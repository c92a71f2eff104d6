#pragma once
// PodTopologySpread: a pod's topologySpreadConstraints. DoNotSchedule ones
// filter out nodes where placing the pod would make the difference between
// the fullest and the emptiest domain (matching pods per topology value)
// exceed maxSkew; ScheduleAnyway ones prefer nodes in emptier domains.
// Counted over the nodes that have the topology label and match the pod's
// nodeSelector/affinity (nodeAffinityPolicy: Honor). Not done: upstream's
// system default constraints (they need the Services/ReplicaSets selecting the
// pod), matchLabelKeys, nodeTaintsPolicy.
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class PodTopologySpread final : public PreFilterPlugin, public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  static constexpr const char* kName = "PodTopologySpread";
  static constexpr const char* kReason = "node(s) didn't match pod topology spread constraints";
  static constexpr const char* kMissingLabel = "node(s) didn't match pod topology spread constraints (missing required label)";
  std::string_view name() const override { return kName; }
  Status preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) override;
  void addPod(CycleState& state, const PodInfo& pod, const PodInfo& added, const NodeInfo& node) const override;
  void removePod(CycleState& state, const PodInfo& pod, const PodInfo& removed, const NodeInfo& node) const override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status preScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                  const Snapshot& snapshot) override;
  std::int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  void normalize(const CycleState& state, const PodInfo& pod, std::vector<std::int64_t>& scores) const override;
};

}  // namespace kcpp::scheduler::plugins
