#include "kubelet/nodestatus/node_status_manager.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/meta/object.h"
#include "kubelet/nodestatus/node_addresses.h"
#include "kubelet/nodestatus/node_lease.h"
#include "util/sleep.h"

namespace kcpp::kubelet::nodestatus {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

client::ResourcePath nodesPath(const std::string& name = "", const std::string& subresource = "") {
  return client::ResourcePath{"", "v1", "nodes", "", name, subresource, ""};
}

// A status without the conditions' heartbeat times, for comparing.
json::object withoutHeartbeats(json::object status) {
  if (auto* conditions = status.if_contains("conditions"); conditions && conditions->is_array()) {
    for (auto& c : conditions->as_array()) {
      if (c.is_object()) c.as_object().erase("lastHeartbeatTime");
    }
  }
  return status;
}

// Waits on `timer` for `d`, or less when someone cancels it.
asio::awaitable<void> nap(asio::steady_timer& timer, SteadyClock::duration d) {
  timer.expires_after(d);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

json::object initialNode(const NodeStatusOptions& options, const MachineInfo& machine) {
  json::object labels{{"beta.kubernetes.io/arch", machine.architecture},
                      {"beta.kubernetes.io/os", machine.operatingSystem},
                      {"kubernetes.io/arch", machine.architecture},
                      {"kubernetes.io/hostname", options.hostname.empty() ? options.nodeName : options.hostname},
                      {"kubernetes.io/os", machine.operatingSystem}};
  for (const auto& [k, v] : options.labels) labels[k] = v;
  json::object node{{"apiVersion", "v1"}, {"kind", "Node"}};
  node["metadata"] = json::object{
      {"name", options.nodeName},
      {"labels", std::move(labels)},
      {"annotations", json::object{{"volumes.kubernetes.io/controller-managed-attach-detach", "true"}}}};
  json::object spec;
  if (!options.taints.empty()) spec["taints"] = options.taints;
  node["spec"] = std::move(spec);
  return node;
}

json::object buildNodeStatus(const NodeStatusOptions& options, const MachineInfo& machine,
                             const std::string& internalIP, const std::string& runtimeVersion,
                             const NodeHealth& health, const json::array& previousConditions, SystemTime now) {
  json::object status;
  json::object capacity = nodeCapacity(machine, options.maxPods);
  status["allocatable"] = nodeAllocatable(capacity, machine, options.reservations);
  status["capacity"] = std::move(capacity);
  status["conditions"] = nodeConditions(health, previousConditions, now);
  status["addresses"] = nodeAddresses(internalIP, options.hostname.empty() ? options.nodeName : options.hostname);
  status["daemonEndpoints"] = json::object{{"kubeletEndpoint", json::object{{"Port", options.kubeletPort}}}};
  status["nodeInfo"] = json::object{{"machineID", machine.machineID},
                                    {"systemUUID", machine.systemUUID},
                                    {"bootID", machine.bootID},
                                    {"kernelVersion", machine.kernelVersion},
                                    {"osImage", machine.osImage},
                                    {"containerRuntimeVersion", runtimeVersion},
                                    {"kubeletVersion", options.kubeletVersion},
                                    // Deprecated; upstream 1.31+ leaves it empty (DisableNodeKubeProxyVersion).
                                    {"kubeProxyVersion", ""},
                                    {"operatingSystem", machine.operatingSystem},
                                    {"architecture", machine.architecture}};
  return status;
}

bool statusChanged(const json::object& a, const json::object& b) {
  return withoutHeartbeats(a) != withoutHeartbeats(b);
}

NodeStatusManager::NodeStatusManager(client::RestClient& client, asio::any_io_executor executor,
                                     NodeStatusOptions options, NodeStatusCallbacks callbacks)
    : client_(client),
      executor_(executor),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      machine_(readMachineInfo(options_.machine)),
      internalIP_(detectNodeIP(options_.nodeIP)),
      statusTimer_(std::make_unique<asio::steady_timer>(executor)),
      leaseTimer_(std::make_unique<asio::steady_timer>(executor)) {}

NodeHealth NodeStatusManager::health() const {
  if (callbacks_.health) return callbacks_.health();
  NodeHealth h;
  h.notReadyReasons.push_back(kRuntimeNotCheckedYet);
  return h;
}

void NodeStatusManager::stop() {
  stopped_ = true;
  statusTimer_->cancel();
  leaseTimer_->cancel();
}

void NodeStatusManager::statusMayHaveChanged() { statusTimer_->cancel(); }

asio::awaitable<void> NodeStatusManager::run() {
  // Upstream's registerWithAPIServer: retry with a delay doubling to 7 s.
  auto delay = 100ms;
  while (!stopped_) {
    auto registered = co_await registerNode();
    if (registered) break;
    spdlog::warn("kubelet: unable to register node {} with API server: {}", options_.nodeName,
                 registered.error().message);
    co_await nap(*statusTimer_, delay);
    delay = std::min<std::chrono::milliseconds>(delay * 2, 7s);
  }
  if (stopped_) co_return;
  spdlog::info("kubelet: successfully registered node {}", options_.nodeName);
  if (callbacks_.onRegistered) callbacks_.onRegistered();
  asio::co_spawn(executor_, leaseLoop(), asio::detached);
  co_await statusLoop();
}

asio::awaitable<Result<void>> NodeStatusManager::registerNode() {
  json::object desired = initialNode(options_, machine_);
  client::ResourcePath collection = nodesPath();
  auto created = co_await client_.create(collection, desired);
  json::object current;
  if (created) {
    current = std::move(*created);
  } else if (created.error().reason == Reason::AlreadyExists) {
    // As a restarted kubelet (reconcile in tryRegisterWithAPIServer): keep the
    // Node, bring the labels the kubelet owns up to date.
    client::ResourcePath one = nodesPath(options_.nodeName);
    auto existing = co_await client_.get(one);
    if (!existing) co_return std::move(existing).error();
    json::object& labels = api::ensureObject(api::ensureObject(*existing, "metadata"), "labels");
    bool changed = false;
    for (const auto& kv : desired["metadata"].as_object()["labels"].as_object()) {
      auto* have = labels.if_contains(kv.key());
      if (!have || *have != kv.value()) {
        labels[kv.key()] = kv.value();
        changed = true;
      }
    }
    if (changed) {
      auto updated = co_await client_.update(one, *existing);
      if (!updated) co_return std::move(updated).error();
      current = std::move(*updated);
    } else {
      current = std::move(*existing);
    }
    if (auto* conditions = api::findPath(current, "status.conditions"); conditions && conditions->is_array()) {
      lastPosted_["conditions"] = conditions->get_array();
    }
  } else {
    co_return std::move(created).error();
  }
  nodeUid_ = std::string(api::getString(current["metadata"].as_object(), "uid"));
  co_return co_await syncStatus(true);
}

asio::awaitable<void> NodeStatusManager::leaseLoop() {
  // Upstream's lease controller: renew every interval; after a failure retry
  // sooner (200 ms doubling to 7 s) so a short outage does not lose the lease.
  auto retry = 200ms;
  while (!stopped_) {
    auto renewed = co_await renewNodeLease(client_, options_.nodeName, nodeUid_, options_.leaseDurationSeconds,
                                           leaseResourceVersion_);
    SteadyClock::duration wait = options_.leaseRenewInterval;
    if (renewed) {
      ++leaseRenewals_;
      retry = 200ms;
    } else {
      spdlog::warn("kubelet: failed to renew lease {}/{}: {}", kNodeLeaseNamespace, options_.nodeName,
                   renewed.error().message);
      wait = retry;
      retry = std::min<std::chrono::milliseconds>(retry * 2, 7s);
    }
    if (stopped_) break;
    co_await nap(*leaseTimer_, wait);
  }
}

asio::awaitable<void> NodeStatusManager::statusLoop() {
  while (!stopped_) {
    co_await nap(*statusTimer_, options_.statusUpdateFrequency);
    if (stopped_) break;
    auto synced = co_await syncStatus(false);
    if (!synced) spdlog::warn("kubelet: error updating node status: {}", synced.error().message);
  }
}

asio::awaitable<Result<void>> NodeStatusManager::syncStatus(bool force) {
  SystemTime now = std::chrono::system_clock::now();
  json::array previous;
  if (auto* c = lastPosted_.if_contains("conditions"); c && c->is_array()) previous = c->get_array();
  std::string runtimeVersion = callbacks_.containerRuntimeVersion ? callbacks_.containerRuntimeVersion() : "";
  json::object status =
      buildNodeStatus(options_, machine_, internalIP_, runtimeVersion, health(), previous, now);
  bool due = SteadyClock::now() - lastPostTime_ >= options_.statusReportFrequency;
  if (!force && !due && !statusChanged(status, lastPosted_)) co_return Result<void>{};
  json::object patch{{"status", status}};
  std::string body = json::serialize(patch);
  client::ResourcePath path = nodesPath(options_.nodeName, "status");
  const std::string contentType = "application/merge-patch+json";  // named: GCC 12 co_await temporaries
  auto posted = co_await client_.patch(path, contentType, body);
  if (!posted) co_return std::move(posted).error();
  lastPosted_ = std::move(status);
  lastPostTime_ = SteadyClock::now();
  ++statusPosts_;
  co_return Result<void>{};
}

}  // namespace kcpp::kubelet::nodestatus
