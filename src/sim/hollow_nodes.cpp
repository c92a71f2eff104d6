#include "sim/hollow_nodes.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <random>

#include "api/meta/object.h"
#include "client/informer/informer.h"
#include "controllers/common/controller.h"
#include "kubelet/nodestatus/node_lease.h"

namespace kcpp::sim {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Names for logs; they outlive the workers that hold references to them.
const std::string kNameSimNode = "sim node";
const std::string kNameSimPod = "sim pod";

client::ResourcePath nodesPath(const std::string& name = "", const std::string& subresource = "") {
  return client::ResourcePath{"", "v1", "nodes", "", name, subresource, ""};
}

client::ResourcePath podPath(const std::string& ns, const std::string& name, const std::string& subresource = "") {
  return client::ResourcePath{"", "v1", "pods", ns, name, subresource, ""};
}

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

// The API shows the four conditions a healthy kubelet posts.
bool showsHealthy(const json::object& node) {
  const json::value* conditions = api::findPath(node, "status.conditions");
  if (!conditions || !conditions->is_array()) return false;
  int matching = 0;
  for (const auto& c : conditions->get_array()) {
    if (!c.is_object()) continue;
    std::string_view type = api::getString(c.get_object(), "type");
    std::string_view status = api::getString(c.get_object(), "status");
    bool pressure = type == "MemoryPressure" || type == "DiskPressure" || type == "PIDPressure";
    if ((type == "Ready" && status == "True") || (pressure && status == "False")) ++matching;
    else if (type == "Ready" || pressure) return false;
  }
  return matching == 4;
}

bool heartbeatStopped(const json::object& node) {
  const json::value* v = api::findPath(node, "metadata.annotations");
  if (!v || !v->is_object()) return false;
  return api::getString(v->get_object(), kHeartbeatAnnotation) == "stopped";
}

template <class Duration>
Duration positive(Duration d) {
  return d < Duration::zero() ? Duration::zero() : d;
}

}  // namespace

HollowNodes::HollowNodes(client::RestClient& client, asio::any_io_executor executor, HollowNodesOptions options)
    : client_(client),
      executor_(executor),
      options_(std::move(options)),
      nodeQueue_(executor),
      podQueue_(executor) {
  nodes_.reserve(options_.nodes);
  for (int i = 0; i < options_.nodes; ++i) {
    NodeState node;
    node.id = nodeIdentity(options_.namePrefix, options_.firstIndex + i);
    nodeIndex_[node.id.name] = nodes_.size();
    nodes_.push_back(std::move(node));
  }
  ListWatchHandlers nodeHandlers;
  nodeHandlers.upsert = [this](const json::object& n) { onNodeEvent(n); };
  nodeHandlers.remove = [this](const json::object& n) { onNodeDeleted(n); };
  client::ResourcePath watchedNodes = nodesPath();
  // A node's own credential may read only its own Node object.
  if (options_.ownPodsOnly && nodes_.size() == 1) watchedNodes.query = "fieldSelector=metadata.name%3D" + nodes_[0].id.name;
  nodeWatch_ = std::make_unique<ListWatch>(client_, std::move(watchedNodes), std::move(nodeHandlers));
  ListWatchHandlers podHandlers;
  podHandlers.upsert = [this](const json::object& p) { onPodEvent(p); };
  podHandlers.remove = [this](const json::object& p) { onPodDeleted(client::objectKey(p)); };
  podHandlers.listed = [this](const std::set<std::string>& keys) { onPodsListed(keys); };
  // Only bound pods: a kubelet never sees the others (with a node's own
  // credential, only its own).
  client::ResourcePath pods = podPath("", "");
  pods.query = "fieldSelector=spec.nodeName%21%3D";
  if (options_.ownPodsOnly && nodes_.size() == 1) pods.query = "fieldSelector=spec.nodeName%3D" + nodes_[0].id.name;
  podWatch_ = std::make_unique<ListWatch>(client_, std::move(pods), std::move(podHandlers));
}

HollowNodes::~HollowNodes() = default;

HollowNodesStats HollowNodes::stats() const {
  HollowNodesStats s = stats_;
  s.pods = pods_.size();
  return s;
}

HollowNodes::NodeState* HollowNodes::nodeNamed(const std::string& name) {
  auto it = nodeIndex_.find(name);
  return it == nodeIndex_.end() ? nullptr : &nodes_[it->second];
}

void HollowNodes::stop() {
  stopped_ = true;
  nodeQueue_.shutDown();
  podQueue_.shutDown();
  nodeWatch_->stop();
  podWatch_->stop();
}

asio::awaitable<void> HollowNodes::run() {
  asio::co_spawn(executor_, nodeWatch_->run(), asio::detached);
  asio::co_spawn(executor_, podWatch_->run(), asio::detached);
  // Nodes that exist already are updated, not created again: know them first.
  asio::steady_timer wait(executor_);
  while (!nodeWatch_->synced() && !stopped_) {
    wait.expires_after(20ms);
    boost::system::error_code ec;
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  for (const NodeState& node : nodes_) nodeQueue_.add(node.id.name);
  asio::co_spawn(executor_,
                 controllers::runWorkers(nodeQueue_, options_.nodeWorkers,
                                         [this](const std::string& key) { return syncNode(key); }, kNameSimNode),
                 asio::detached);
  co_await controllers::runWorkers(podQueue_, options_.podWorkers,
                                   [this](const std::string& key) { return syncPod(key); }, kNameSimPod);
}

// --- watch handlers ------------------------------------------------------------

void HollowNodes::onNodeEvent(const json::object& obj) {
  NodeState* node = nodeNamed(std::string(api::metaName(obj)));
  if (!node) return;
  node->uid = str(obj, "metadata.uid");
  node->observedHealthy = showsHealthy(obj);
  bool stopped = heartbeatStopped(obj);
  if (stopped == node->heartbeatStopped) {
    if (node->registered && !node->observedHealthy && !stopped) nodeQueue_.add(node->id.name);
    return;
  }
  node->heartbeatStopped = stopped;
  spdlog::info("node {}: heartbeat {}", node->id.name, stopped ? "stopped" : "resumed");
  if (stopped) return;
  nodeQueue_.add(node->id.name);
  for (const std::string& key : node->podKeys) podQueue_.add(key);
}

void HollowNodes::onNodeDeleted(const json::object& obj) {
  NodeState* node = nodeNamed(std::string(api::metaName(obj)));
  if (!node || !node->registered || node->deleted) return;
  // As upstream's kubelet, which registers once: a deleted Node stays deleted
  // (and its pods are left to the pod garbage collector) until the sim restarts.
  spdlog::info("node {} was deleted; it stays unregistered until the sim restarts", node->id.name);
  node->deleted = true;
}

void HollowNodes::onPodEvent(const json::object& obj) {
  auto facts = parsePodFacts(obj);
  if (!facts) return;
  NodeState* node = nodeNamed(facts->nodeName);
  if (!node) return;
  std::string key = facts->ns + "/" + facts->name;
  auto [it, inserted] = pods_.try_emplace(key);
  SimPod& pod = it->second;
  if (!inserted && pod.facts.uid != facts->uid) {  // a new pod under an old name
    releasePodIP(*node, pod.progress.podIP);
    pod = SimPod{};
    inserted = true;
  }
  if (inserted) {
    pod.progress.firstSeen = std::chrono::system_clock::now();
    node->podKeys.insert(key);
  }
  pod.facts = std::move(*facts);
  // Someone else (the node lifecycle controller, while this node was silent)
  // marked a ready pod not ready: report the truth again, as the kubelet's
  // status manager reconciles the API with what it knows.
  if (pod.progress.stage == PodStage::Running && pod.progress.readySince && pod.facts.readyStatus == "False") {
    pod.statusDirty = true;
  }
  podQueue_.add(key);
}

void HollowNodes::onPodDeleted(const std::string& key) {
  auto it = pods_.find(key);
  if (it == pods_.end()) return;
  if (NodeState* node = nodeNamed(it->second.facts.nodeName)) {
    releasePodIP(*node, it->second.progress.podIP);
    node->podKeys.erase(key);
  }
  pods_.erase(it);
}

void HollowNodes::onPodsListed(const std::set<std::string>& keys) {
  std::vector<std::string> gone;
  for (const auto& [key, pod] : pods_) {
    if (!keys.count(key)) gone.push_back(key);
  }
  for (const std::string& key : gone) onPodDeleted(key);
}

// --- nodes ---------------------------------------------------------------------

asio::awaitable<Result<void>> HollowNodes::syncNode(const std::string& name) {
  NodeState* node = nodeNamed(name);
  if (!node || stopped_ || node->deleted) co_return Result<void>{};
  if (!node->registered) {
    auto registered = co_await registerNode(*node);
    if (!registered) co_return registered;
    node->registered = true;
    if (++stats_.registered == static_cast<int>(nodes_.size())) {
      spdlog::info("all {} nodes registered", nodes_.size());
    }
    for (const std::string& key : node->podKeys) podQueue_.add(key);
    // Nodes registered together would renew together: spread the first renewal
    // over one interval, as nodes that started at different times would.
    std::uniform_int_distribution<std::int64_t> spread(0, options_.leaseRenewInterval.count());
    node->lastLeaseRenew -= options_.leaseRenewInterval - std::chrono::milliseconds(spread(random_));
    nodeQueue_.addAfter(name, positive(node->lastLeaseRenew + options_.leaseRenewInterval - SteadyClock::now()));
    co_return Result<void>{};
  }
  if (node->heartbeatStopped) co_return Result<void>{};
  auto now = SteadyClock::now();
  if (now - node->lastLeaseRenew >= options_.leaseRenewInterval - 50ms) {
    auto renewed = co_await renewLease(*node);
    if (!renewed) co_return renewed;
  }
  now = SteadyClock::now();
  if (!node->observedHealthy || now - node->lastStatusPost >= options_.statusReportFrequency) {
    auto posted = co_await postNodeStatus(*node);
    if (!posted) co_return posted;
  }
  now = SteadyClock::now();
  auto leaseDue = positive(node->lastLeaseRenew + options_.leaseRenewInterval - now);
  auto next = std::min<SteadyClock::duration>(leaseDue, options_.statusUpdateFrequency);
  nodeQueue_.addAfter(name, next);
  co_return Result<void>{};
}

asio::awaitable<Result<void>> HollowNodes::registerNode(NodeState& node) {
  json::object desired = nodeObject(node.id, options_.node);
  client::ResourcePath collection = nodesPath();
  auto created = co_await client_.create(collection, desired);
  json::object current;
  if (created) {
    current = std::move(*created);
  } else if (created.error().reason == Reason::AlreadyExists) {
    // As a restarted kubelet: keep the node, bring its labels up to date.
    client::ResourcePath one = nodesPath(node.id.name);
    auto existing = co_await client_.get(one);
    if (!existing) co_return std::move(existing).error();
    json::object& labels = api::ensureObject(api::ensureObject(*existing, "metadata"), "labels");
    for (const auto& kv : desired["metadata"].as_object()["labels"].as_object()) labels[kv.key()] = kv.value();
    auto updated = co_await client_.update(one, *existing);
    if (!updated) co_return std::move(updated).error();
    current = std::move(*updated);
  } else {
    co_return std::move(created).error();
  }
  node.uid = str(current, "metadata.uid");
  node.observedHealthy = false;
  auto posted = co_await postNodeStatus(node);
  if (!posted) co_return posted;
  co_return co_await renewLease(node);
}

asio::awaitable<Result<void>> HollowNodes::postNodeStatus(NodeState& node) {
  SystemTime now = std::chrono::system_clock::now();
  // Not healthy in the API (new, or marked Unknown by the node lifecycle
  // controller): the node becomes Ready now.
  SystemTime readySince = node.observedHealthy ? node.readySince : now;
  json::object patch{{"status", nodeStatus(node.id, options_.node, now, readySince)}};
  std::string body = json::serialize(patch);
  client::ResourcePath path = nodesPath(node.id.name, "status");
  const std::string contentType = "application/merge-patch+json";  // named: GCC 12 co_await temporaries
  auto posted = co_await client_.patch(path, contentType, body);
  if (!posted) co_return std::move(posted).error();
  node.readySince = readySince;
  node.observedHealthy = true;
  node.lastStatusPost = SteadyClock::now();
  ++stats_.nodeStatusPosts;
  co_return Result<void>{};
}

asio::awaitable<Result<void>> HollowNodes::renewLease(NodeState& node) {
  auto renewed = co_await kubelet::nodestatus::renewNodeLease(client_, node.id.name, node.uid,
                                                              options_.leaseDurationSeconds,
                                                              node.leaseResourceVersion);
  if (!renewed) co_return renewed;
  node.lastLeaseRenew = SteadyClock::now();
  ++stats_.leaseRenewals;
  co_return Result<void>{};
}

// --- pods ----------------------------------------------------------------------

std::string HollowNodes::allocatePodIP(NodeState& node) {
  for (int host = 2; host < 255; ++host) {
    if (!node.hostUsed[host]) {
      node.hostUsed[host] = true;
      return node.id.podPrefix + std::to_string(host);
    }
  }
  return node.id.podPrefix + "254";  // more pods than a /24: share the last address
}

void HollowNodes::releasePodIP(NodeState& node, const std::string& ip) {
  if (ip.size() <= node.id.podPrefix.size() || !ip.starts_with(node.id.podPrefix)) return;
  int host = std::atoi(ip.c_str() + node.id.podPrefix.size());
  if (host > 0 && host < 256) node.hostUsed[host] = false;
}

std::optional<SystemTime> HollowNodes::advance(SimPod& pod, NodeState& node, SystemTime now) {
  PodFacts& f = pod.facts;
  PodProgress& p = pod.progress;
  if (p.stage == PodStage::New) {
    if (f.phase == "Succeeded" || f.phase == "Failed") {
      p.stage = PodStage::Terminated;
      return std::nullopt;
    }
    if (f.phase == "Running" && !f.podIP.empty()) {
      // Running already (this sim was restarted): carry on from what the API shows.
      p.stage = PodStage::Running;
      p.podIP = f.podIP;
      p.creatingSince = p.runningSince = f.startTime.value_or(now);
      if (f.podIP.starts_with(node.id.podPrefix)) {
        int host = std::atoi(f.podIP.c_str() + node.id.podPrefix.size());
        if (host > 0 && host < 256) node.hostUsed[host] = true;
      }
      if (readyAt(f, p.runningSince) <= now) p.readySince = p.runningSince;
    } else {
      p.podIP = f.hostNetwork ? node.id.internalIP : allocatePodIP(node);
      p.creatingSince = now;
      p.stage = PodStage::Creating;
      pod.statusDirty = options_.podStartDelay > 0ms;
    }
  }
  if (p.stage == PodStage::Creating) {
    SystemTime started = p.creatingSince + options_.podStartDelay;
    if (now < started) return started;
    p.stage = PodStage::Running;
    p.runningSince = now;
    pod.statusDirty = true;
  }
  if (p.stage != PodStage::Running) return std::nullopt;
  std::optional<SystemTime> next;
  SystemTime ready = readyAt(f, p.runningSince);
  if (!p.readySince) {
    if (now >= ready) {
      p.readySince = ready == p.runningSince ? p.runningSince : now;
      pod.statusDirty = true;
    } else {
      next = ready;
    }
  }
  if (!f.runDuration) return next;
  SystemTime end = p.runningSince + *f.runDuration;
  if (now < end) return next ? std::min(*next, end) : end;
  // The container exits with the scripted code.
  p.lastExitCode = f.exitCode;
  pod.statusDirty = true;
  bool terminal = f.restartPolicy == RestartPolicy::Never ||
                  (f.restartPolicy == RestartPolicy::OnFailure && f.exitCode == 0);
  if (terminal) {
    p.stage = PodStage::Terminated;
    p.succeeded = f.exitCode == 0;
    p.finishedAt = now;
    p.readySince.reset();
    releasePodIP(node, p.podIP);
    return std::nullopt;
  }
  ++p.restartCount;
  p.lastFinishedAt = now;
  p.runningSince = now;
  p.readySince.reset();
  if (readyAt(f, now) <= now) p.readySince = now;
  SystemTime nextEnd = now + *f.runDuration;
  return p.readySince ? nextEnd : std::min(readyAt(f, now), nextEnd);
}

asio::awaitable<Result<void>> HollowNodes::writePodStatus(SimPod& pod, const NodeState& node) {
  json::object patch{{"metadata", json::object{{"uid", pod.facts.uid}}},
                     {"status", podStatus(pod.facts, pod.progress, node.id.internalIP,
                                          std::chrono::system_clock::now())}};
  std::string body = json::serialize(patch);
  client::ResourcePath path = podPath(pod.facts.ns, pod.facts.name, "status");
  const std::string contentType = "application/merge-patch+json";  // named: GCC 12 co_await temporaries
  auto written = co_await client_.patch(path, contentType, body);
  if (!written) co_return std::move(written).error();
  ++stats_.podStatusPosts;
  co_return Result<void>{};
}

asio::awaitable<Result<void>> HollowNodes::deletePod(const SimPod& pod) {
  // As the kubelet once the containers are gone: grace 0, for this very pod.
  json::object options{{"kind", "DeleteOptions"},
                       {"apiVersion", "v1"},
                       {"gracePeriodSeconds", 0},
                       {"preconditions", json::object{{"uid", pod.facts.uid}}}};
  client::ResourcePath path = podPath(pod.facts.ns, pod.facts.name);
  auto removed = co_await client_.remove(path, options);
  if (!removed && removed.error().reason != Reason::NotFound && removed.error().reason != Reason::Conflict) {
    co_return std::move(removed).error();
  }
  ++stats_.podDeletions;
  co_return Result<void>{};
}

asio::awaitable<Result<void>> HollowNodes::syncPod(const std::string& key) {
  auto it = pods_.find(key);
  if (it == pods_.end() || stopped_) co_return Result<void>{};
  SimPod& pod = it->second;
  NodeState* node = nodeNamed(pod.facts.nodeName);
  if (!node || !node->registered || node->heartbeatStopped || node->deleted) co_return Result<void>{};
  SystemTime now = std::chrono::system_clock::now();
  if (pod.facts.deletionTimestamp) {
    if (!pod.progress.deletingNoticed) pod.progress.deletingNoticed = now;
    SystemTime deadline = *pod.facts.deletionTimestamp;
    if (options_.maxGracePeriod) deadline = std::min(deadline, *pod.progress.deletingNoticed + *options_.maxGracePeriod);
    if (now < deadline) {
      podQueue_.addAfter(key, deadline - now);
      co_return Result<void>{};
    }
    SimPod copy;
    copy.facts.ns = pod.facts.ns;
    copy.facts.name = pod.facts.name;
    copy.facts.uid = pod.facts.uid;
    co_return co_await deletePod(copy);
  }
  std::optional<SystemTime> next = advance(pod, *node, now);
  if (pod.statusDirty) {
    pod.statusDirty = false;
    std::string uid = pod.facts.uid;
    auto written = co_await writePodStatus(pod, *node);
    if (!written) {
      if (written.error().reason == Reason::NotFound) co_return Result<void>{};
      // `pod` may be gone meanwhile: look it up again before marking it.
      auto again = pods_.find(key);
      if (again != pods_.end() && again->second.facts.uid == uid) again->second.statusDirty = true;
      co_return written;
    }
  }
  if (next) podQueue_.addAfter(key, positive(*next - std::chrono::system_clock::now()));
  co_return Result<void>{};
}

}  // namespace kcpp::sim
