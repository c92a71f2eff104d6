#pragma once
// NodeRestriction (upstream plugin/pkg/admission/noderestriction): what a kubelet
// (system:node:<name> in system:nodes) may write, beyond what the Node authorizer
// lets through. A node may create, update and delete only its own Node object
// (not with a configSource, not changing its taints, not setting
// node-restriction.kubernetes.io/ labels or kubernetes.io / k8s.io labels outside
// the kubelet's own set); create only mirror pods bound to itself that reference
// no other objects, delete only pods bound to itself, update only the status of
// its own pods; write only its own Lease in kube-node-lease and its own CSINode;
// update only the status of PVCs, and only their capacity and conditions.
// Upstream's messages.
//
// Upstream runs it in the mutating phase; kcpp runs it as a validating plugin so
// that deletes (which kcpp's Registry only validates) are covered too. It reads
// the current pods and nodes through their registries.

#include "apiserver/admission/admission.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver::admission {

class NodeRestriction : public Plugin {
 public:
  NodeRestriction(Registry& pods, Registry& nodes) : pods_(pods), nodes_(nodes) {}
  std::string_view name() const override { return "NodeRestriction"; }
  boost::asio::awaitable<Result<void>> validate(const Attributes& attrs) override;

 private:
  boost::asio::awaitable<Result<void>> pod(const std::string& node, const Attributes& attrs);
  boost::asio::awaitable<Result<void>> podCreate(const std::string& node, const Attributes& attrs);
  Result<void> podStatus(const std::string& node, const Attributes& attrs);
  Result<void> nodeObject(const std::string& node, const Attributes& attrs);
  Result<void> pvcStatus(const std::string& node, const Attributes& attrs);
  Result<void> lease(const std::string& node, const Attributes& attrs);
  Result<void> csiNode(const std::string& node, const Attributes& attrs);

  Registry& pods_;
  Registry& nodes_;
};

// The label keys that differ between two label sets, sorted.
std::vector<std::string> modifiedLabels(const json::object* a, const json::object* b);
// Upstream's getForbiddenLabels: node-restriction.kubernetes.io labels, and
// kubernetes.io / k8s.io labels the kubelet does not own.
std::vector<std::string> forbiddenNodeLabels(const std::vector<std::string>& modified);

}  // namespace kcpp::apiserver::admission
