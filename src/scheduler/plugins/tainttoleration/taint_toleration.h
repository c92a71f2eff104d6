#pragma once
// TaintToleration: NoSchedule and NoExecute taints a pod does not tolerate
// keep it off the node (Filter); untolerated PreferNoSchedule taints make a
// node less attractive (Score, fewer is better).
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class TaintToleration final : public FilterPlugin, public ScorePlugin {
 public:
  static constexpr const char* kName = "TaintToleration";
  std::string_view name() const override { return kName; }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  std::int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  void normalize(const CycleState& state, const PodInfo& pod, std::vector<std::int64_t>& scores) const override;
};

}  // namespace kcpp::scheduler::plugins
