#include "controllers/nodelifecycle/node_lifecycle_controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/meta/object.h"
#include "controllers/common/taints.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using client::ObjectPtr;

namespace {

// Names for logs; they outlive the workers that hold references to them.
const std::string kNameNodeLifecyclePods = "node lifecycle pods";
const std::string kNameNodeLifecycle = "node lifecycle";

// How often the rate-limited tainting queue is worked (upstream's NodeEvictionPeriod).
constexpr auto kNodeEvictionPeriod = 100ms;
// Attempts of a node status update before the pass gives up on the node
// (upstream's NodeHealthUpdateRetry).
constexpr int kNodeHealthUpdateRetry = 5;
constexpr const char* kNodeLeaseNamespace = "kube-node-lease";
constexpr const char* kExcludeDisruptionLabel = "node.kubernetes.io/exclude-disruption";

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string conditionStatus(const std::optional<json::object>& c) {
  return c ? std::string(api::getString(*c, "status")) : "";
}

client::ResourcePath nodePath(const std::string& name, const std::string& subresource = "") {
  return client::ResourcePath{"", "v1", "nodes", "", name, subresource, ""};
}

std::string label(const json::object& node, const char* key) {
  const json::value* labels = api::findPath(node, "metadata.labels");
  if (!labels || !labels->is_object()) return "";
  return std::string(api::getString(labels->get_object(), key));
}

SteadyClock::time_point steadyFromSystem(std::optional<std::chrono::system_clock::time_point> t) {
  auto steadyNow = SteadyClock::now();
  if (!t) return steadyNow;
  auto age = std::chrono::system_clock::now() - *t;
  return steadyNow - std::chrono::duration_cast<SteadyClock::duration>(age);
}

// The taint keys the NoSchedule pass owns.
bool conditionTaintKey(std::string_view key) {
  return key == kTaintNodeNotReady || key == kTaintNodeUnreachable || key == kTaintNodeMemoryPressure ||
         key == kTaintNodeDiskPressure || key == kTaintNodeNetworkUnavailable || key == kTaintNodePIDPressure ||
         key == kTaintNodeUnschedulable;
}

json::object unreachableTaint() { return makeTaint(kTaintNodeUnreachable, "NoExecute"); }
json::object notReadyTaint() { return makeTaint(kTaintNodeNotReady, "NoExecute"); }

}  // namespace

std::pair<int, ZoneState> computeZoneState(const std::vector<std::string>& readyStatuses, double unhealthyThreshold) {
  int ready = 0;
  int notReady = 0;
  for (const std::string& s : readyStatuses) {
    if (s == "True") ++ready;
    else ++notReady;
  }
  if (ready == 0 && notReady > 0) return {notReady, ZoneState::FullDisruption};
  if (notReady > 2 && static_cast<double>(notReady) / (notReady + ready) >= unhealthyThreshold) {
    return {notReady, ZoneState::PartialDisruption};
  }
  return {notReady, ZoneState::Normal};
}

std::string zoneKey(const json::object& node) {
  std::string region = label(node, "topology.kubernetes.io/region");
  if (region.empty()) region = label(node, "failure-domain.beta.kubernetes.io/region");
  std::string zone = label(node, "topology.kubernetes.io/zone");
  if (zone.empty()) zone = label(node, "failure-domain.beta.kubernetes.io/zone");
  if (region.empty() && zone.empty()) return "";
  return region + ":" + std::string(1, '\0') + ":" + zone;
}

std::vector<json::object> conditionTaints(const json::object& node) {
  std::vector<json::object> out;
  const json::value* conditions = api::findPath(node, "status.conditions");
  if (conditions && conditions->is_array()) {
    for (const auto& c : conditions->get_array()) {
      if (!c.is_object()) continue;
      std::string_view type = api::getString(c.get_object(), "type");
      std::string_view status = api::getString(c.get_object(), "status");
      const char* key = nullptr;
      if (type == "Ready" && status == "False") key = kTaintNodeNotReady;
      if (type == "Ready" && status == "Unknown") key = kTaintNodeUnreachable;
      if (type == "MemoryPressure" && status == "True") key = kTaintNodeMemoryPressure;
      if (type == "DiskPressure" && status == "True") key = kTaintNodeDiskPressure;
      if (type == "NetworkUnavailable" && status == "True") key = kTaintNodeNetworkUnavailable;
      if (type == "PIDPressure" && status == "True") key = kTaintNodePIDPressure;
      if (key) out.push_back(makeTaint(key, "NoSchedule"));
    }
  }
  const json::value* unschedulable = api::findPath(node, "spec.unschedulable");
  if (unschedulable && unschedulable->is_bool() && unschedulable->get_bool()) {
    out.push_back(makeTaint(kTaintNodeUnschedulable, "NoSchedule"));
  }
  return out;
}

// --- rate limiting ---------------------------------------------------------------

bool NodeLifecycleController::Bucket::tryAccept() {
  auto now = SteadyClock::now();
  tokens = std::min(1.0, tokens + std::chrono::duration<double>(now - last).count() * qps);
  last = now;
  if (qps <= 0 || tokens < 1.0) return false;
  tokens -= 1.0;
  return true;
}

bool NodeLifecycleController::ZoneTainter::add(const std::string& node) {
  if (!queued.insert(node).second) return false;
  queue.push_back(node);
  return true;
}

bool NodeLifecycleController::ZoneTainter::remove(const std::string& node) {
  bool had = queued.erase(node) > 0;
  queue.erase(std::remove(queue.begin(), queue.end(), node), queue.end());
  return had;
}

void NodeLifecycleController::ZoneTainter::swapLimiter(double qps) {
  if (bucket.qps == qps) return;
  bucket = Bucket{};
  bucket.qps = qps;
}

// --- set-up ----------------------------------------------------------------------

NodeLifecycleController::NodeLifecycleController(client::RestClient& client, client::InformerFactory& informers,
                                                 asio::any_io_executor executor, NodeLifecycleOptions options)
    : client_(client),
      informers_(informers),
      nodes_(informers.forResource("", "v1", "nodes")),
      leases_(informers.forResource("coordination.k8s.io", "v1", "leases")),
      pods_(informers.forResource("", "v1", "pods")),
      executor_(executor),
      options_(options),
      nodeUpdateQueue_(executor),
      podUpdateQueue_(executor),
      events_(client, executor, "node-controller") {
  pods_.addIndexer(kPodNodeNameIndex, podNodeNameIndex());
  client::EventHandlers podHandlers;
  auto podUpdated = [this](const ObjectPtr& oldPod, const ObjectPtr& newPod) {
    std::string node = str(*newPod, "spec.nodeName");
    if (!node.empty() && (!oldPod || str(*oldPod, "spec.nodeName") != node)) {
      podUpdateQueue_.add(client::objectKey(*newPod));
    }
  };
  podHandlers.onAdd = [podUpdated](const ObjectPtr& p) { podUpdated(nullptr, p); };
  podHandlers.onUpdate = podUpdated;
  pods_.addHandlers(std::move(podHandlers));
  client::EventHandlers nodeHandlers;
  nodeHandlers.onAdd = [this](const ObjectPtr& n) { nodeUpdateQueue_.add(std::string(api::metaName(*n))); };
  nodeHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& n) {
    nodeUpdateQueue_.add(std::string(api::metaName(*n)));
  };
  nodeHandlers.onDelete = [this](const ObjectPtr& n) { nodesToRetry_.erase(std::string(api::metaName(*n))); };
  nodes_.addHandlers(std::move(nodeHandlers));
}

ZoneState NodeLifecycleController::zoneState(const std::string& zone) const {
  auto it = zoneStates_.find(zone);
  return it == zoneStates_.end() ? ZoneState::Initial : it->second;
}

void NodeLifecycleController::stop() {
  stopped_ = true;
  nodeUpdateQueue_.shutDown();
  podUpdateQueue_.shutDown();
  if (monitorTimer_) monitorTimer_->cancel();
  if (taintTimer_) taintTimer_->cancel();
}

asio::awaitable<void> NodeLifecycleController::run() {
  if (!co_await waitForCaches(informers_, executor_, kNameNodeLifecycle)) co_return;
  auto loops = std::make_shared<int>(2);
  auto done = [loops](std::exception_ptr) { --*loops; };
  asio::co_spawn(executor_, monitorLoop(), done);
  asio::co_spawn(executor_, taintingLoop(), done);
  asio::co_spawn(executor_,
                 runWorkers(podUpdateQueue_, 4, [this](const std::string& key) { return processPod(key); },
                            kNameNodeLifecyclePods),
                 asio::detached);
  co_await runWorkers(nodeUpdateQueue_, 8,
                      [this](const std::string& name) { return doNoScheduleTaintingPass(name); },
                      kNameNodeLifecycle);
  // The loops hold `this`: let them end before run() does.
  asio::steady_timer wait(executor_);
  while (*loops > 0) {
    wait.expires_after(10ms);
    boost::system::error_code ec;
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> NodeLifecycleController::monitorLoop() {
  monitorTimer_ = std::make_shared<asio::steady_timer>(executor_);
  while (!stopped_) {
    auto monitored = co_await monitorNodeHealth();
    if (!monitored) spdlog::error("node lifecycle: monitoring node health: {}", monitored.error().message);
    if (stopped_) break;
    monitorTimer_->expires_after(options_.nodeMonitorPeriod);
    boost::system::error_code ec;
    co_await monitorTimer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> NodeLifecycleController::taintingLoop() {
  taintTimer_ = std::make_shared<asio::steady_timer>(executor_);
  while (!stopped_) {
    co_await doNoExecuteTaintingPass();
    if (stopped_) break;
    taintTimer_->expires_after(kNodeEvictionPeriod);
    boost::system::error_code ec;
    co_await taintTimer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void NodeLifecycleController::recordNodeEvent(const json::object& node, const std::string& type,
                                              const std::string& reason, const std::string& message) {
  json::object ref{{"apiVersion", "v1"}, {"kind", "Node"}};
  ref["metadata"] = json::object{{"name", api::metaName(node)}, {"uid", str(node, "metadata.uid")}};
  events_.record(ref, type, reason, message);
}

void NodeLifecycleController::addZone(const json::object& node) {
  std::string zone = zoneKey(node);
  if (zoneStates_.count(zone)) return;
  zoneStates_[zone] = ZoneState::Initial;
  ZoneTainter tainter;
  tainter.bucket.qps = options_.evictionRate;
  zoneTainters_[zone] = std::move(tainter);
}

// --- node health -------------------------------------------------------------------

asio::awaitable<Result<void>> NodeLifecycleController::monitorNodeHealth() {
  std::vector<ObjectPtr> nodes = nodes_.list();
  std::set<std::string> present;
  for (const ObjectPtr& node : nodes) {
    std::string name(api::metaName(*node));
    present.insert(name);
    if (knownNodes_.count(name)) {
      addZone(*node);
      continue;
    }
    spdlog::info("node lifecycle: observed a new node {}", name);
    recordNodeEvent(*node, "Normal", "RegisteredNode", "Node " + name + " event: Registered Node " + name + " in Controller");
    knownNodes_[name] = *node;
    addZone(*node);
    auto reachable = co_await markNodeAsReachable(*node);
    if (!reachable) spdlog::warn("node lifecycle: removing taints from {}: {}", name, reachable.error().message);
  }
  for (auto it = knownNodes_.begin(); it != knownNodes_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    spdlog::info("node lifecycle: observed node {} deleted", it->first);
    recordNodeEvent(it->second, "Normal", "RemovingNode",
                    "Node " + it->first + " event: Removing Node " + it->first + " from Controller");
    health_.erase(it->first);
    it = knownNodes_.erase(it);
  }

  std::map<std::string, std::vector<std::string>> zoneReady;
  for (const ObjectPtr& cached : nodes) {
    if (stopped_) co_return Result<void>{};
    json::object node = *cached;
    std::string name(api::metaName(node));
    Result<HealthResult> health = makeError(Reason::InternalError, "not tried");
    for (int attempt = 0; attempt < kNodeHealthUpdateRetry; ++attempt) {
      health = co_await tryUpdateNodeHealth(node);
      if (health) break;
      client::ResourcePath path = nodePath(name);
      auto fresh = co_await client_.get(path);
      if (!fresh) break;  // probably deleted
      node = std::move(*fresh);
    }
    if (!health) {
      spdlog::error("node lifecycle: updating health of node {}: {}; no pods will be evicted", name,
                    health.error().message);
      continue;
    }
    const json::value* labels = api::findPath(node, "metadata.labels");
    bool excluded = labels && labels->is_object() && labels->get_object().contains(kExcludeDisruptionLabel);
    if (!excluded) {
      zoneReady[zoneKey(node)].push_back(conditionStatus(health->currentReady));
    }
    if (!health->currentReady) {
      nodesToRetry_.erase(name);
      continue;
    }
    std::vector<ObjectPtr> pods = pods_.byIndex(kPodNodeNameIndex, name);
    co_await processTaintBaseEviction(node, health->observedReady);
    std::string observed(api::getString(health->observedReady, "status"));
    std::string current = conditionStatus(health->currentReady);
    bool mark = false;
    if (current != "True" && observed == "True") {
      recordNodeEvent(node, "Normal", "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
      mark = true;
    } else if (nodesToRetry_.count(name) && observed != "True") {
      mark = true;
    }
    if (mark) {
      auto marked = co_await markPodsNotReady(pods, name);
      if (!marked) {
        spdlog::warn("node lifecycle: marking pods of node {} not ready: {}; will retry", name, marked.error().message);
        nodesToRetry_.insert(name);
        continue;
      }
    }
    nodesToRetry_.erase(name);
  }
  co_await handleDisruption(zoneReady, nodes);
  co_return Result<void>{};
}

asio::awaitable<Result<NodeLifecycleController::HealthResult>> NodeLifecycleController::tryUpdateNodeHealth(
    json::object& node) {
  auto now = SteadyClock::now();
  std::string name(api::metaName(node));
  std::string created = str(node, "metadata.creationTimestamp");
  const json::object* readyNow = nodeCondition(node, "Ready");
  std::optional<json::object> current;
  if (readyNow) current = *readyNow;
  HealthResult result;
  std::chrono::milliseconds grace = options_.nodeMonitorGracePeriod;
  auto found = health_.find(name);
  NodeHealth* h = found == health_.end() ? nullptr : &found->second;
  if (!current) {
    // Never posted: a pretend Unknown condition as old as the node, and the longer startup grace.
    result.observedReady = json::object{{"type", "Ready"}, {"status", "Unknown"},
                                        {"lastHeartbeatTime", created}, {"lastTransitionTime", created}};
    grace = options_.nodeStartupGracePeriod;
    if (h) {
      h->readyCondition.reset();
    } else {
      auto born = steadyFromSystem(api::parseTime(created));
      h = &(health_[name] = NodeHealth{born, born, std::nullopt, ""});
    }
  } else {
    result.observedReady = *current;
    if (!h) {
      h = &(health_[name] = NodeHealth{now, now, current, ""});
    } else if (!h->readyCondition) {
      *h = NodeHealth{now, now, current, h->leaseRenewTime};
    } else if (api::getString(*h->readyCondition, "lastHeartbeatTime") !=
               api::getString(*current, "lastHeartbeatTime")) {
      if (api::getString(*h->readyCondition, "lastTransitionTime") !=
          api::getString(*current, "lastTransitionTime")) {
        h->readyTransitionTimestamp = now;
      }
      h->probeTimestamp = now;
      h->readyCondition = current;
    }
  }
  // A renewed lease is a heartbeat too.
  if (ObjectPtr lease = leases_.get(std::string(kNodeLeaseNamespace) + "/" + name)) {
    std::string renewed = str(*lease, "spec.renewTime");
    if (!renewed.empty() && renewed != h->leaseRenewTime) {
      h->leaseRenewTime = renewed;
      h->probeTimestamp = now;
    }
  }
  result.currentReady = current;
  if (now <= h->probeTimestamp + grace) co_return result;

  // Silent for longer than the grace period: every condition the kubelet owns becomes Unknown.
  std::string nowText = api::nowTime();
  json::object& status = api::ensureObject(node, "status");
  if (!status.contains("conditions") || !status["conditions"].is_array()) status["conditions"] = json::array{};
  json::array& conditions = status["conditions"].as_array();
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    json::object* condition = nullptr;
    for (auto& c : conditions) {
      if (c.is_object() && api::getString(c.as_object(), "type") == type) condition = &c.as_object();
    }
    if (!condition) {
      conditions.push_back(json::object{{"type", type},
                                        {"status", "Unknown"},
                                        {"reason", "NodeStatusNeverUpdated"},
                                        {"message", "Kubelet never posted node status."},
                                        {"lastHeartbeatTime", created},
                                        {"lastTransitionTime", nowText}});
    } else if (api::getString(*condition, "status") != "Unknown") {
      (*condition)["status"] = "Unknown";
      (*condition)["reason"] = "NodeStatusUnknown";
      (*condition)["message"] = "Kubelet stopped posting node status.";
      (*condition)["lastTransitionTime"] = nowText;
    }
  }
  const json::object* readyAfter = nodeCondition(node, "Ready");
  result.currentReady = *readyAfter;
  if (*readyAfter == result.observedReady) co_return result;
  spdlog::info("node lifecycle: node {} stopped posting status; marking its conditions Unknown", name);
  client::ResourcePath path = nodePath(name, "status");
  auto updated = co_await client_.update(path, node);
  if (!updated) co_return std::move(updated).error();
  node = std::move(*updated);
  NodeHealth& saved = health_[name];
  saved.readyCondition = result.currentReady;
  saved.readyTransitionTimestamp = SteadyClock::now();
  co_return result;
}

asio::awaitable<void> NodeLifecycleController::processTaintBaseEviction(const json::object& node,
                                                                        const json::object& observedReady) {
  std::string status(api::getString(observedReady, "status"));
  std::string name(api::metaName(node));
  json::array taints = nodeTaints(node);
  if (status == "False") {
    if (hasTaint(taints, unreachableTaint())) {
      std::vector<json::object> add{notReadyTaint()};
      std::vector<json::object> remove{unreachableTaint()};
      auto swapped = co_await swapNodeTaints(name, std::move(add), std::move(remove));
      if (!swapped) spdlog::warn("node lifecycle: swapping unreachable for not-ready taint on {}: {}", name, swapped.error().message);
    } else if (markNodeForTainting(node, status)) {
      spdlog::info("node lifecycle: node {} is NotReady; queued for tainting", name);
    }
  } else if (status == "Unknown") {
    if (hasTaint(taints, notReadyTaint())) {
      std::vector<json::object> add{unreachableTaint()};
      std::vector<json::object> remove{notReadyTaint()};
      auto swapped = co_await swapNodeTaints(name, std::move(add), std::move(remove));
      if (!swapped) spdlog::warn("node lifecycle: swapping not-ready for unreachable taint on {}: {}", name, swapped.error().message);
    } else if (markNodeForTainting(node, status)) {
      spdlog::info("node lifecycle: node {} is unresponsive; queued for tainting", name);
    }
  } else if (status == "True") {
    auto removed = co_await markNodeAsReachable(node);
    if (removed && *removed) spdlog::info("node lifecycle: node {} is healthy again, removed its taints", name);
  }
}

bool NodeLifecycleController::markNodeForTainting(const json::object& node, const std::string& status) {
  ZoneTainter& tainter = zoneTainters_[zoneKey(node)];
  std::string name(api::metaName(node));
  json::array taints = nodeTaints(node);
  if (status == "False" && !hasTaint(taints, notReadyTaint())) tainter.remove(name);
  if (status == "Unknown" && !hasTaint(taints, unreachableTaint())) tainter.remove(name);
  return tainter.add(name);
}

asio::awaitable<Result<bool>> NodeLifecycleController::markNodeAsReachable(const json::object& node) {
  std::string name(api::metaName(node));
  json::array taints = nodeTaints(node);
  if (hasTaint(taints, unreachableTaint()) || hasTaint(taints, notReadyTaint())) {
    std::vector<json::object> none;
    std::vector<json::object> both{unreachableTaint(), notReadyTaint()};
    auto removed = co_await swapNodeTaints(name, std::move(none), std::move(both));
    if (!removed) co_return std::move(removed).error();
  }
  co_return zoneTainters_[zoneKey(node)].remove(name);
}

asio::awaitable<void> NodeLifecycleController::doNoExecuteTaintingPass() {
  std::vector<std::string> zones;
  for (const auto& [zone, tainter] : zoneTainters_) zones.push_back(zone);
  for (const std::string& zone : zones) {
    while (!stopped_) {
      ZoneTainter& tainter = zoneTainters_[zone];
      if (tainter.queue.empty() || !tainter.bucket.tryAccept()) break;
      std::string name = tainter.queue.front();
      tainter.queue.pop_front();
      ObjectPtr node = nodes_.get(name);
      if (!node) {
        tainter.queued.erase(name);
        continue;
      }
      const json::object* ready = nodeCondition(*node, "Ready");
      if (!ready) {
        zoneTainters_[zone].queue.push_back(name);  // retry later
        break;
      }
      std::string_view status = api::getString(*ready, "status");
      json::object add = status == "False" ? notReadyTaint() : unreachableTaint();
      json::object remove = status == "False" ? unreachableTaint() : notReadyTaint();
      if (status != "False" && status != "Unknown") continue;  // ready again: nothing to taint
      std::vector<json::object> adding{add};
      std::vector<json::object> removing{remove};
      auto swapped = co_await swapNodeTaints(name, std::move(adding), std::move(removing));
      if (!swapped) {
        spdlog::warn("node lifecycle: tainting node {}: {}", name, swapped.error().message);
        ZoneTainter& again = zoneTainters_[zone];
        if (again.queued.count(name)) again.queue.push_back(name);
        break;
      }
      spdlog::info("node lifecycle: tainted node {} with {}:NoExecute", name, api::getString(add, "key"));
    }
  }
}

asio::awaitable<void> NodeLifecycleController::handleDisruption(
    const std::map<std::string, std::vector<std::string>>& zoneReady, const std::vector<ObjectPtr>& nodes) {
  std::map<std::string, ZoneState> newStates;
  bool allAreFullyDisrupted = true;
  for (const auto& [zone, statuses] : zoneReady) {
    ZoneState state = computeZoneState(statuses, options_.unhealthyZoneThreshold).second;
    if (state != ZoneState::FullDisruption) allAreFullyDisrupted = false;
    newStates[zone] = state;
    if (!zoneStates_.count(zone)) zoneStates_[zone] = ZoneState::Initial;
  }
  bool allWasFullyDisrupted = true;
  for (auto it = zoneStates_.begin(); it != zoneStates_.end();) {
    if (!zoneReady.count(it->first)) {
      it = zoneStates_.erase(it);
      continue;
    }
    if (it->second != ZoneState::FullDisruption) allWasFullyDisrupted = false;
    ++it;
  }
  if (allAreFullyDisrupted && allWasFullyDisrupted) co_return;
  if (allAreFullyDisrupted) {
    spdlog::info("node lifecycle: all nodes are not Ready; entering master disruption mode");
    for (const ObjectPtr& node : nodes) {
      auto reachable = co_await markNodeAsReachable(*node);
      if (!reachable) spdlog::warn("node lifecycle: removing taints from {}: {}", api::metaName(*node), reachable.error().message);
    }
    for (auto& [zone, state] : zoneStates_) {
      zoneTainters_[zone].swapLimiter(0);
      state = ZoneState::FullDisruption;
    }
    co_return;
  }
  if (allWasFullyDisrupted) {
    spdlog::info("node lifecycle: some nodes are Ready; exiting master disruption mode");
    auto now = SteadyClock::now();
    for (const ObjectPtr& node : nodes) {
      auto it = health_.find(std::string(api::metaName(*node)));
      if (it == health_.end()) continue;
      it->second.probeTimestamp = now;
      it->second.readyTransitionTimestamp = now;
    }
    for (auto& [zone, state] : zoneStates_) {
      setLimiterInZone(zone, static_cast<int>(zoneReady.at(zone).size()), newStates[zone]);
      state = newStates[zone];
    }
    co_return;
  }
  for (auto& [zone, state] : zoneStates_) {
    ZoneState next = newStates[zone];
    if (state == next) continue;
    spdlog::info("node lifecycle: zone \"{}\" is now in state {}", zone,
                 next == ZoneState::Normal ? "Normal" : next == ZoneState::PartialDisruption ? "PartialDisruption"
                                                                                              : "FullDisruption");
    setLimiterInZone(zone, static_cast<int>(zoneReady.at(zone).size()), next);
    state = next;
  }
}

void NodeLifecycleController::setLimiterInZone(const std::string& zone, int zoneSize, ZoneState state) {
  ZoneTainter& tainter = zoneTainters_[zone];
  switch (state) {
    case ZoneState::Normal:
    case ZoneState::FullDisruption:
      tainter.swapLimiter(options_.evictionRate);
      break;
    case ZoneState::PartialDisruption:
      tainter.swapLimiter(zoneSize > options_.largeClusterSizeThreshold ? options_.secondaryEvictionRate : 0);
      break;
    case ZoneState::Initial:
      break;
  }
}

// --- NoSchedule taints, pods, writes --------------------------------------------------------

asio::awaitable<Result<void>> NodeLifecycleController::doNoScheduleTaintingPass(const std::string& name) {
  ObjectPtr node = nodes_.get(name);
  if (!node) co_return Result<void>{};
  std::vector<json::object> desired = conditionTaints(*node);
  json::array existing;
  for (const auto& t : taintsWithEffect(nodeTaints(*node), "NoSchedule")) {
    if (conditionTaintKey(api::getString(t.as_object(), "key"))) existing.push_back(t);
  }
  std::vector<json::object> add;
  std::vector<json::object> remove;
  for (const auto& t : desired) {
    if (!hasTaint(existing, t)) add.push_back(t);
  }
  json::array desiredArray(desired.begin(), desired.end());
  for (const auto& t : existing) {
    if (!hasTaint(desiredArray, t.as_object())) remove.push_back(t.as_object());
  }
  if (add.empty() && remove.empty()) co_return Result<void>{};
  co_return co_await swapNodeTaints(name, std::move(add), std::move(remove));
}

asio::awaitable<Result<void>> NodeLifecycleController::swapNodeTaints(const std::string& name,
                                                                      std::vector<json::object> add,
                                                                      std::vector<json::object> remove) {
  client::ResourcePath path = nodePath(name);
  for (int attempt = 0; attempt < 5; ++attempt) {
    json::object node;
    ObjectPtr cached = attempt == 0 ? nodes_.get(name) : nullptr;
    if (cached) {
      node = *cached;
    } else {
      auto fresh = co_await client_.get(path);
      if (!fresh) {
        if (fresh.error().reason == Reason::NotFound) co_return Result<void>{};
        co_return std::move(fresh).error();
      }
      node = std::move(*fresh);
    }
    auto taints = swapTaints(nodeTaints(node), add, remove, api::nowTime());
    if (!taints) co_return Result<void>{};
    json::object& spec = api::ensureObject(node, "spec");
    if (taints->empty()) spec.erase("taints");
    else spec["taints"] = std::move(*taints);
    auto updated = co_await client_.update(path, node);
    if (updated) co_return Result<void>{};
    if (updated.error().reason == Reason::NotFound) co_return Result<void>{};
    if (updated.error().reason != Reason::Conflict) co_return std::move(updated).error();
  }
  co_return makeError(Reason::Conflict, "node " + name + ": too many conflicts updating taints");
}

asio::awaitable<Result<void>> NodeLifecycleController::markPodsNotReady(const std::vector<ObjectPtr>& pods,
                                                                        const std::string& nodeName) {
  std::optional<Error> failed;
  for (const ObjectPtr& cached : pods) {
    if (str(*cached, "spec.nodeName") != nodeName) continue;
    json::object pod = *cached;
    json::value* conditions = api::ensureObject(pod, "status").if_contains("conditions");
    if (!conditions || !conditions->is_array()) continue;
    bool changed = false;
    for (auto& c : conditions->as_array()) {
      if (!c.is_object() || api::getString(c.as_object(), "type") != "Ready") continue;
      if (api::getString(c.as_object(), "status") == "False") break;
      c.as_object()["status"] = "False";
      c.as_object()["lastTransitionTime"] = api::nowTime();
      changed = true;
      break;
    }
    if (!changed) continue;
    pod["apiVersion"] = "v1";
    pod["kind"] = "Pod";
    client::ResourcePath path{"", "v1", "pods", std::string(api::metaNamespace(pod)),
                              std::string(api::metaName(pod)), "status", ""};
    auto updated = co_await client_.update(path, pod);
    if (!updated) {
      if (updated.error().reason == Reason::NotFound) continue;
      failed = updated.error();
      continue;
    }
    events_.record(pod, "Warning", "NodeNotReady", "Node is not ready");
  }
  if (failed) co_return *failed;
  co_return Result<void>{};
}

asio::awaitable<Result<void>> NodeLifecycleController::processPod(const std::string& key) {
  ObjectPtr pod = pods_.get(key);
  if (!pod) co_return Result<void>{};
  std::string nodeName = str(*pod, "spec.nodeName");
  auto health = health_.find(nodeName);
  if (health == health_.end()) co_return Result<void>{};
  if (!nodes_.get(nodeName)) co_return makeError(Reason::NotFound, "node " + nodeName + " not in cache");
  if (!health->second.readyCondition) co_return Result<void>{};
  if (api::getString(*health->second.readyCondition, "status") == "True") co_return Result<void>{};
  std::vector<ObjectPtr> one{pod};
  co_return co_await markPodsNotReady(one, nodeName);
}

}  // namespace kcpp::controllers
