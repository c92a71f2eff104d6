#pragma once
// NodePorts: a pod's hostPorts must not clash with those of the node's pods
// (same protocol and port, and the same hostIP or either one 0.0.0.0).
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class NodePorts final : public PreFilterPlugin, public FilterPlugin {
 public:
  static constexpr const char* kName = "NodePorts";
  static constexpr const char* kReason = "node(s) didn't have free ports for the requested pod ports";
  std::string_view name() const override { return kName; }
  Status preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

bool portsConflict(const HostPort& a, const HostPort& b);

}  // namespace kcpp::scheduler::plugins
