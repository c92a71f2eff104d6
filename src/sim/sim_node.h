#pragma once
// The Node and Lease objects a simulated node registers and keeps fresh, as
// upstream's kubelet writes them (pkg/kubelet/kubelet_node_status.go and
// nodestatus/setters.go; the node lease controller in
// component-helpers/apimachinery/lease). The pieces a real kubelet writes the
// same way (conditions, Lease, MicroTime) live in kubelet/nodestatus.

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kubelet/nodestatus/node_objects.h"

namespace kcpp::sim {

namespace json = boost::json;
using SystemTime = std::chrono::system_clock::time_point;

// Set on a Node to stop (value "stopped") or resume (anything else, or removed)
// the heartbeats of that simulated node: no lease renewals, no status posts and
// no pod status updates, as if the node were cut off from the network.
inline constexpr const char* kHeartbeatAnnotation = "sim.kcpp.io/heartbeat";

// What every node of a sim process looks like.
struct NodeTemplate {
  std::string cpu = "32";
  std::string memory = "256Gi";
  std::string pods = "110";
  std::string ephemeralStorage = "100Gi";
  std::map<std::string, std::string> labels;
  json::array taints;  // Taint objects, set at registration as --register-with-taints
  std::string kubeletVersion = "v1.33.0-kcpp-sim";
};

// One simulated node: its name and fake addresses. Index i gets InternalIP
// 10.1.<i/250>.<i%250+1> and pod IPs from 10.<128+i/256>.<i%256>.0/24.
struct NodeIdentity {
  std::string name;
  int index = 0;
  std::string internalIP;
  std::string podPrefix;  // "10.x.y." to which a host number 2..254 is appended
};
NodeIdentity nodeIdentity(const std::string& prefix, int index);

// "k=v,k2=v2" → map; "k=v:Effect,k2:Effect" → Taint objects. Error text if malformed.
std::optional<std::map<std::string, std::string>> parseLabels(const std::string& text, std::string& error);
std::optional<json::array> parseTaints(const std::string& text, std::string& error);

// The Node a kubelet registers (metadata and spec; status separately).
json::object nodeObject(const NodeIdentity& id, const NodeTemplate& tmpl);
// The four conditions a healthy kubelet reports (heartbeat `now`, transitions
// at `readySince`), the Lease and MicroTime: shared with the real kubelet.
using kubelet::nodestatus::healthyConditions;
using kubelet::nodestatus::leaseObject;
using kubelet::nodestatus::microTime;
// The whole status: capacity, allocatable, conditions, addresses, daemonEndpoints, nodeInfo.
json::object nodeStatus(const NodeIdentity& id, const NodeTemplate& tmpl, SystemTime now, SystemTime readySince);

}  // namespace kcpp::sim
