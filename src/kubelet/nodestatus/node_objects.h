#pragma once
// The pieces of Node and Lease objects every kubelet writes (kcpp's real one and
// the hollow nodes of `kcpp sim`), as upstream's kubelet writes them
// (pkg/kubelet/nodestatus/setters.go, component-helpers/apimachinery/lease).

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace kcpp::kubelet::nodestatus {

namespace json = boost::json;
using SystemTime = std::chrono::system_clock::time_point;

// Upstream's kubelet: the Lease lasts 40 s and is renewed every quarter of it.
inline constexpr int kNodeLeaseDurationSeconds = 40;
inline constexpr std::chrono::seconds kNodeLeaseRenewInterval{10};
inline constexpr const char* kNodeLeaseNamespace = "kube-node-lease";

// What the host reports about pressure and readiness; the Node's conditions follow.
struct NodeHealth {
  bool memoryPressure = false;
  bool diskPressure = false;
  bool pidPressure = false;
  // Why the node is not ready (upstream's errors, e.g. "container runtime
  // network not ready: ..."); empty: ready.
  std::vector<std::string> notReadyReasons;
};

// One NodeCondition.
json::object nodeCondition(const std::string& type, const std::string& status, const std::string& reason,
                           const std::string& message, SystemTime heartbeat, SystemTime transition);

// MemoryPressure, DiskPressure, PIDPressure and Ready for `health`, with
// upstream's reasons and messages. A condition whose status is the same as in
// `previous` (the conditions last posted) keeps its lastTransitionTime;
// otherwise it moves to `now`.
json::array nodeConditions(const NodeHealth& health, const json::array& previous, SystemTime now);

// The conditions of a healthy kubelet, heartbeat `now`, transitions at `since`.
json::array healthyConditions(SystemTime now, SystemTime since);

// Upstream's Ready message when not ready: one reason as it is, several as
// an aggregate "[a, b]".
std::string notReadyMessage(const std::vector<std::string>& reasons);

// metav1.MicroTime ("2024-01-02T03:04:05.123456Z").
std::string microTime(SystemTime t);

// The node's Lease in kube-node-lease, owned by the Node (when its uid is known).
json::object leaseObject(const std::string& nodeName, const std::string& nodeUid, int leaseDurationSeconds,
                         SystemTime renewTime);

}  // namespace kcpp::kubelet::nodestatus
