#pragma once
// VolumeBinding: a pod's PersistentVolumeClaims.
//
// Bound claims: a node must satisfy the nodeAffinity of their volumes (local
// PVs), "node(s) had volume node affinity conflict" otherwise. Unbound claims
// of an Immediate class are the PV controller's to bind first ("pod has
// unbound immediate PersistentVolumeClaims"). Unbound claims of a
// WaitForFirstConsumer class are bound with the pod, as upstream's volume
// binder does: on each node, an Available volume that fits the claim (class,
// volume mode, access modes, size) and whose nodeAffinity admits the node, the
// smallest; else dynamic provisioning, when the class has a provisioner
// (not kubernetes.io/no-provisioner) whose allowedTopologies admit the node;
// else "node(s) didn't find available persistent volumes to bind". A claim
// already annotated with volume.kubernetes.io/selected-node fits that node only.
//
// Reserve remembers the choice for the chosen node (the volumes it takes are
// kept from other pods meanwhile); PreBind writes it: spec.claimRef on a
// chosen volume, the selected-node annotation on a claim to provision (the
// provisioner, e.g. the local-path one, makes the volume on that node), then
// waits until the PV controller has bound every claim (bindTimeoutSeconds,
// 600 by default, as upstream).
#include <chrono>
#include <set>

#include "scheduler/framework/interface.h"
#include "util/error.h"

namespace kcpp::scheduler::plugins {

class VolumeBinding final : public PreFilterPlugin, public FilterPlugin, public ReservePlugin, public PreBindPlugin {
 public:
  static constexpr const char* kName = "VolumeBinding";
  static constexpr const char* kUnbound = "pod has unbound immediate PersistentVolumeClaims";
  static constexpr const char* kConflict = "node(s) had volume node affinity conflict";
  static constexpr const char* kBindConflict = "node(s) didn't find available persistent volumes to bind";
  static constexpr const char* kSelectedNode = "volume.kubernetes.io/selected-node";

  explicit VolumeBinding(Handle& handle, std::chrono::milliseconds bindTimeout = std::chrono::seconds(600))
      : handle_(handle), bindTimeout_(bindTimeout) {}
  // From VolumeBindingArgs (bindTimeoutSeconds).
  static Result<PluginPtr> create(const boost::json::object& args, Handle& handle);

  std::string_view name() const override { return kName; }
  Status preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status reserve(CycleState& state, const PodInfo& pod, const std::string& node) override;
  void unreserve(CycleState& state, const PodInfo& pod, const std::string& node) override;
  boost::asio::awaitable<Status> preBind(std::shared_ptr<CycleState> state, PodInfoPtr pod,
                                         std::string node) override;

 private:
  // Per claim to bind, the volume chosen on `node` ("" to provision), or why none fits.
  Result<std::vector<std::string>> decide(const CycleState& state, const NodeInfo& node) const;
  boost::asio::awaitable<Status> waitForBound(const PodInfo& pod);

  Handle& handle_;
  std::chrono::milliseconds bindTimeout_;
  std::set<std::string> reservedVolumes_;  // chosen by pods not yet through PreBind
};

}  // namespace kcpp::scheduler::plugins
