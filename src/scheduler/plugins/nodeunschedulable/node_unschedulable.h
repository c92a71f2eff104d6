#pragma once
// NodeUnschedulable: a node with spec.unschedulable (cordoned) takes only pods
// that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint.
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class NodeUnschedulable final : public FilterPlugin {
 public:
  static constexpr const char* kName = "NodeUnschedulable";
  static constexpr const char* kReason = "node(s) were unschedulable";
  std::string_view name() const override { return kName; }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

}  // namespace kcpp::scheduler::plugins
