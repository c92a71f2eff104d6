#pragma once
// NodeName: a pod naming a node (spec.nodeName) fits that node only.
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class NodeName final : public FilterPlugin {
 public:
  static constexpr const char* kName = "NodeName";
  static constexpr const char* kReason = "node(s) didn't match the requested node name";
  std::string_view name() const override { return kName; }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

}  // namespace kcpp::scheduler::plugins
