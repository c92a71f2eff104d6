#pragma once
// NodeStatusManager: the kubelet's node side, as upstream's
// (pkg/kubelet/kubelet_node_status.go, nodelease): registers the Node (or
// brings an existing one's labels up to date, as a restarted kubelet), renews
// its Lease in kube-node-lease every 10 s (duration 40 s), and recomputes the
// NodeStatus every --node-status-update-frequency (10 s), posting it when it
// changed (heartbeat times aside) or when --node-status-report-frequency
// (5 min) has passed since the last post.
//
// Readiness and pressure come from a callback (the runtime part reports
// whether containerd answers and the network is ready); the runtime version
// string from another. Not thread-safe: one executor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "client/rest/rest_client.h"
#include "kubelet/nodestatus/machine_info.h"
#include "kubelet/nodestatus/node_objects.h"
#include "kubelet/nodestatus/node_resources.h"

namespace kcpp::kubelet::nodestatus {

// Upstream's message while no runtime status check has succeeded.
inline constexpr const char* kRuntimeNotCheckedYet = "container runtime status check may not have completed yet";

struct NodeStatusOptions {
  std::string nodeName;
  std::string hostname;  // the Hostname address; default nodeName
  std::string nodeIP;    // --node-ip; default detected
  int kubeletPort = 10250;
  int maxPods = 110;
  std::string kubeletVersion = "v1.33.0+kcpp";
  std::map<std::string, std::string> labels;  // --node-labels (kubelet-settable ones)
  json::array taints;                          // --register-with-taints
  ResourceReservations reservations;
  MachinePaths machine;
  int leaseDurationSeconds = kNodeLeaseDurationSeconds;
  std::chrono::milliseconds leaseRenewInterval{kNodeLeaseRenewInterval};
  std::chrono::milliseconds statusUpdateFrequency{10000};
  std::chrono::milliseconds statusReportFrequency{300000};
};

struct NodeStatusCallbacks {
  // Readiness and pressure now; unset: not ready, kRuntimeNotCheckedYet.
  std::function<NodeHealth()> health;
  // "containerd://1.6.20"; unset or empty until the runtime answered.
  std::function<std::string()> containerRuntimeVersion;
  // The Node exists in the API (its uid is known): e.g. mirror pods can be made now.
  std::function<void()> onRegistered;
};

// The Node as first registered: metadata (labels, annotations) and spec.
json::object initialNode(const NodeStatusOptions& options, const MachineInfo& machine);
// The whole status for `health`; conditions keep transition times from `previous`.
json::object buildNodeStatus(const NodeStatusOptions& options, const MachineInfo& machine,
                             const std::string& internalIP, const std::string& runtimeVersion,
                             const NodeHealth& health, const json::array& previousConditions,
                             SystemTime now);
// Two statuses differ for reporting (upstream's nodeStatusHasChanged): any
// field but the conditions' lastHeartbeatTime.
bool statusChanged(const json::object& a, const json::object& b);

class NodeStatusManager {
 public:
  NodeStatusManager(client::RestClient& client, boost::asio::any_io_executor executor, NodeStatusOptions options,
                    NodeStatusCallbacks callbacks);

  // Registers (retrying until it works), then heartbeats until stop().
  boost::asio::awaitable<void> run();
  void stop();
  // Something the status shows changed (e.g. the runtime became ready): recompute now.
  void statusMayHaveChanged();

  bool registered() const { return !nodeUid_.empty(); }
  const std::string& nodeUid() const { return nodeUid_; }
  const MachineInfo& machine() const { return machine_; }
  std::uint64_t leaseRenewals() const { return leaseRenewals_; }
  std::uint64_t statusPosts() const { return statusPosts_; }

 private:
  boost::asio::awaitable<Result<void>> registerNode();
  boost::asio::awaitable<void> leaseLoop();
  boost::asio::awaitable<void> statusLoop();
  boost::asio::awaitable<Result<void>> syncStatus(bool force);
  NodeHealth health() const;

  client::RestClient& client_;
  boost::asio::any_io_executor executor_;
  NodeStatusOptions options_;
  NodeStatusCallbacks callbacks_;
  MachineInfo machine_;
  std::string internalIP_;
  std::string nodeUid_;
  std::string leaseResourceVersion_;
  json::object lastPosted_;  // the status last written
  std::chrono::steady_clock::time_point lastPostTime_{};
  std::uint64_t leaseRenewals_ = 0;
  std::uint64_t statusPosts_ = 0;
  std::unique_ptr<boost::asio::steady_timer> statusTimer_;
  std::unique_ptr<boost::asio::steady_timer> leaseTimer_;
  bool stopped_ = false;
};

}  // namespace kcpp::kubelet::nodestatus
