#pragma once
// The node lifecycle controller (upstream pkg/controller/nodelifecycle).
//
// Every --node-monitor-period it checks each node's heartbeat: the newer of
// its Lease's renewTime and its Ready condition's lastHeartbeatTime, as seen
// change by this controller's own clock. A node silent for longer than
// --node-monitor-grace-period (--node-startup-grace-period before it ever
// posted Ready) gets its Ready, MemoryPressure, DiskPressure and PIDPressure
// conditions set to Unknown ("NodeStatusUnknown", "Kubelet stopped posting node
// status."), its pods marked not Ready, and — through a per-zone rate-limited
// queue (--node-eviction-rate, --secondary-node-eviction-rate,
// --large-cluster-size-threshold, --unhealthy-zone-threshold) — the NoExecute
// taint node.kubernetes.io/unreachable (not-ready when Ready is False), which
// the taint eviction controller acts on. When every zone is fully disrupted it
// stops tainting and removes those taints (upstream's "master disruption
// mode"). A node that recovers loses the taints at once.
//
// On every node change it also keeps the NoSchedule taints that mirror the
// node's conditions (TaintNodesByCondition): not-ready, unreachable,
// memory-pressure, disk-pressure, pid-pressure, network-unavailable and
// unschedulable.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/event_recorder.h"

namespace kcpp::controllers {

namespace json = boost::json;

struct NodeLifecycleOptions {
  std::chrono::milliseconds nodeMonitorPeriod{5000};
  std::chrono::milliseconds nodeMonitorGracePeriod{40000};
  std::chrono::milliseconds nodeStartupGracePeriod{60000};
  double evictionRate = 0.1;            // nodes tainted per second in a zone
  double secondaryEvictionRate = 0.01;  // ... in a large, partially disrupted zone
  int largeClusterSizeThreshold = 50;
  double unhealthyZoneThreshold = 0.55;
};

enum class ZoneState { Initial, Normal, FullDisruption, PartialDisruption };

// Upstream's ComputeZoneState over the Ready statuses ("True", "False",
// "Unknown", "" for none) of a zone's nodes; also returns how many are not ready.
std::pair<int, ZoneState> computeZoneState(const std::vector<std::string>& readyStatuses, double unhealthyThreshold);

// Upstream's GetZoneKey: region and zone labels, "" when a node has neither.
std::string zoneKey(const json::object& node);

// The NoSchedule taints a node's conditions and spec.unschedulable call for.
std::vector<json::object> conditionTaints(const json::object& node);

class NodeLifecycleController : public Controller {
 public:
  NodeLifecycleController(client::RestClient& client, client::InformerFactory& informers,
                          boost::asio::any_io_executor executor, NodeLifecycleOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override;

  // For tests.
  ZoneState zoneState(const std::string& zone) const;

 private:
  // What this controller last saw of a node, with its own clock's times.
  struct NodeHealth {
    std::chrono::steady_clock::time_point probeTimestamp;
    std::chrono::steady_clock::time_point readyTransitionTimestamp;
    std::optional<json::object> readyCondition;  // as last seen
    std::string leaseRenewTime;
  };
  // A token bucket with burst 1 (upstream's EvictionRateLimiterBurst); qps 0 never accepts.
  struct Bucket {
    double qps = 0;
    double tokens = 1;
    std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
    bool tryAccept();
  };
  // Upstream's RateLimitedTimedQueue, reduced to what tainting needs: nodes
  // in arrival order, each once, taken at the zone's rate.
  struct ZoneTainter {
    Bucket bucket;
    std::deque<std::string> queue;
    std::set<std::string> queued;
    bool add(const std::string& node);
    bool remove(const std::string& node);
    void swapLimiter(double qps);
  };
  struct HealthResult {
    json::object observedReady;  // before this pass
    std::optional<json::object> currentReady;
  };

  boost::asio::awaitable<void> monitorLoop();
  boost::asio::awaitable<void> taintingLoop();
  boost::asio::awaitable<Result<void>> monitorNodeHealth();
  boost::asio::awaitable<Result<HealthResult>> tryUpdateNodeHealth(json::object& node);
  boost::asio::awaitable<void> processTaintBaseEviction(const json::object& node, const json::object& observedReady);
  boost::asio::awaitable<void> handleDisruption(const std::map<std::string, std::vector<std::string>>& zoneReady,
                                                const std::vector<client::ObjectPtr>& nodes);
  void setLimiterInZone(const std::string& zone, int zoneSize, ZoneState state);
  bool markNodeForTainting(const json::object& node, const std::string& status);
  boost::asio::awaitable<Result<bool>> markNodeAsReachable(const json::object& node);
  boost::asio::awaitable<void> doNoExecuteTaintingPass();
  boost::asio::awaitable<Result<void>> doNoScheduleTaintingPass(const std::string& name);
  boost::asio::awaitable<Result<void>> markPodsNotReady(const std::vector<client::ObjectPtr>& pods,
                                                        const std::string& nodeName);
  boost::asio::awaitable<Result<void>> processPod(const std::string& key);
  // Adds and removes taints on a node (retrying on conflicts from a fresh GET).
  boost::asio::awaitable<Result<void>> swapNodeTaints(const std::string& name, std::vector<json::object> add,
                                                      std::vector<json::object> remove);
  void recordNodeEvent(const json::object& node, const std::string& type, const std::string& reason,
                       const std::string& message);
  void addZone(const json::object& node);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& nodes_;
  client::Informer& leases_;
  client::Informer& pods_;
  boost::asio::any_io_executor executor_;
  NodeLifecycleOptions options_;
  client::WorkQueue nodeUpdateQueue_;
  client::WorkQueue podUpdateQueue_;
  EventRecorder events_;
  std::map<std::string, NodeHealth> health_;
  std::map<std::string, json::object> knownNodes_;  // name → node when first seen (for events)
  std::map<std::string, ZoneState> zoneStates_;
  std::map<std::string, ZoneTainter> zoneTainters_;
  std::set<std::string> nodesToRetry_;
  bool stopped_ = false;
  std::shared_ptr<boost::asio::steady_timer> monitorTimer_;
  std::shared_ptr<boost::asio::steady_timer> taintTimer_;
};

}  // namespace kcpp::controllers
