#pragma once
// VolumeBinding, the cheap part: a pod's PersistentVolumeClaims must exist and
// be bound (an unbound claim is "pod has unbound immediate
// PersistentVolumeClaims"; binding or provisioning claims, including
// WaitForFirstConsumer ones, is not done), and a node must satisfy the
// nodeAffinity of the bound PersistentVolumes (local PVs).
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class VolumeBinding final : public PreFilterPlugin, public FilterPlugin {
 public:
  static constexpr const char* kName = "VolumeBinding";
  static constexpr const char* kUnbound = "pod has unbound immediate PersistentVolumeClaims";
  static constexpr const char* kConflict = "node(s) had volume node affinity conflict";
  explicit VolumeBinding(Handle& handle) : handle_(handle) {}
  std::string_view name() const override { return kName; }
  Status preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;

 private:
  Handle& handle_;
};

}  // namespace kcpp::scheduler::plugins
