#pragma once
// HollowNodes: N simulated ("hollow") nodes in one process, as KWOK and
// kubemark do. Each registers its Node, renews its Lease in kube-node-lease,
// posts its status as a kubelet does (on change, else every report interval),
// and plays the kubelet's part for the pods bound to it: ContainerCreating,
// then Running and Ready (after a readiness probe's initial delay), then, if
// the pod's annotations script it, Succeeded or Failed; a pod being deleted
// is removed with grace 0 once its grace period is over.
//
// Two work queues (nodes, pods) with bounded workers do every write, so the
// request rate is the client's QPS and the concurrency the workers'. Pods are
// kept as small structs (sim_pod.h), fed by one cache-less watch.
//
// A node whose annotation sim.kcpp.io/heartbeat is "stopped" goes silent (no
// lease, no status, no pod updates) until the annotation changes.
//
// Not thread-safe: everything on one executor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "sim/list_watch.h"
#include "sim/sim_node.h"
#include "sim/sim_pod.h"

namespace kcpp::sim {

struct HollowNodesOptions {
  int nodes = 1;
  std::string namePrefix = "sim-";
  int firstIndex = 0;  // nodes are <namePrefix><firstIndex + i>
  // Watch only this node's Node object and pods (one node only), as the Node
  // authorizer lets a node's own credential do.
  bool ownPodsOnly = false;
  NodeTemplate node;
  int leaseDurationSeconds = 40;                            // upstream kubelet's nodeLeaseDurationSeconds
  std::chrono::milliseconds leaseRenewInterval{10000};       // upstream: 25% of the lease duration
  std::chrono::milliseconds statusUpdateFrequency{10000};    // --node-status-update-frequency
  std::chrono::milliseconds statusReportFrequency{300000};   // --node-status-report-frequency
  std::chrono::milliseconds podStartDelay{1000};             // time a pod shows ContainerCreating
  std::optional<std::chrono::milliseconds> maxGracePeriod;   // caps a deleted pod's grace period
  int nodeWorkers = 32;
  int podWorkers = 64;
};

// Counters, for logs and benchmarks.
struct HollowNodesStats {
  int registered = 0;
  std::uint64_t leaseRenewals = 0;
  std::uint64_t nodeStatusPosts = 0;
  std::uint64_t podStatusPosts = 0;
  std::uint64_t podDeletions = 0;
  std::size_t pods = 0;
};

class HollowNodes {
 public:
  HollowNodes(client::RestClient& client, boost::asio::any_io_executor executor, HollowNodesOptions options);
  ~HollowNodes();

  // Registers the nodes and runs them until stop().
  boost::asio::awaitable<void> run();
  void stop();

  HollowNodesStats stats() const;
  bool allRegistered() const { return stats_.registered == static_cast<int>(nodes_.size()); }

 private:
  struct NodeState {
    NodeIdentity id;
    std::string uid;
    bool registered = false;
    bool heartbeatStopped = false;
    bool deleted = false;  // someone deleted the Node after it registered
    bool observedHealthy = false;  // the API shows the conditions a healthy kubelet posts
    SystemTime readySince{};
    std::chrono::steady_clock::time_point lastLeaseRenew{};
    std::chrono::steady_clock::time_point lastStatusPost{};
    std::string leaseResourceVersion;
    std::vector<bool> hostUsed = std::vector<bool>(256, false);
    std::set<std::string> podKeys;
  };
  struct SimPod {
    PodFacts facts;
    PodProgress progress;
    bool statusDirty = false;
  };

  NodeState* nodeNamed(const std::string& name);
  void onNodeEvent(const json::object& node);
  void onNodeDeleted(const json::object& node);
  void onPodEvent(const json::object& pod);
  void onPodDeleted(const std::string& key);
  void onPodsListed(const std::set<std::string>& keys);

  boost::asio::awaitable<Result<void>> syncNode(const std::string& name);
  boost::asio::awaitable<Result<void>> registerNode(NodeState& node);
  boost::asio::awaitable<Result<void>> postNodeStatus(NodeState& node);
  boost::asio::awaitable<Result<void>> renewLease(NodeState& node);

  boost::asio::awaitable<Result<void>> syncPod(const std::string& key);
  // Advances the pod's simulated life to `now`; returns when it next changes.
  std::optional<SystemTime> advance(SimPod& pod, NodeState& node, SystemTime now);
  boost::asio::awaitable<Result<void>> writePodStatus(SimPod& pod, const NodeState& node);
  boost::asio::awaitable<Result<void>> deletePod(const SimPod& pod);
  std::string allocatePodIP(NodeState& node);
  void releasePodIP(NodeState& node, const std::string& ip);

  client::RestClient& client_;
  boost::asio::any_io_executor executor_;
  HollowNodesOptions options_;
  std::vector<NodeState> nodes_;
  std::map<std::string, std::size_t> nodeIndex_;
  std::map<std::string, SimPod> pods_;
  client::WorkQueue nodeQueue_;
  client::WorkQueue podQueue_;
  std::unique_ptr<ListWatch> nodeWatch_;
  std::unique_ptr<ListWatch> podWatch_;
  HollowNodesStats stats_;
  std::mt19937_64 random_{std::random_device{}()};
  bool stopped_ = false;
};

}  // namespace kcpp::sim
