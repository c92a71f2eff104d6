#include "controllers/tainteviction/taint_eviction_controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "controllers/common/taints.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using client::ObjectPtr;

namespace {

// Names for logs; they outlive the workers that hold references to them.
const std::string kNameTaintEvictionNodes = "taint eviction nodes";
const std::string kNameTaintEvictionPods = "taint eviction pods";
const std::string kNameTaintEviction = "taint eviction";

// Upstream's UpdateWorkerSize.
constexpr int kUpdateWorkers = 8;

json::array arrayAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_array() ? v->get_array() : json::array{};
}

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::pair<std::string, std::string> splitKey(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

}  // namespace

TaintEvictionController::TaintEvictionController(client::RestClient& client, client::InformerFactory& informers,
                                                 asio::any_io_executor executor)
    : client_(client),
      informers_(informers),
      pods_(informers.forResource("", "v1", "pods")),
      nodes_(informers.forResource("", "v1", "nodes")),
      executor_(executor),
      nodeQueue_(executor),
      podQueue_(executor),
      evictionQueue_(executor),
      events_(client, executor, "taint-eviction-controller") {
  pods_.addIndexer(kPodNodeNameIndex, podNodeNameIndex());
  client::EventHandlers podHandlers;
  podHandlers.onAdd = [this](const ObjectPtr& p) { onPodUpdated(nullptr, p); };
  podHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) { onPodUpdated(o, n); };
  podHandlers.onDelete = [this](const ObjectPtr& p) { podQueue_.add(client::objectKey(*p)); };
  pods_.addHandlers(std::move(podHandlers));
  client::EventHandlers nodeHandlers;
  nodeHandlers.onAdd = [this](const ObjectPtr& n) { onNodeUpdated(nullptr, n); };
  nodeHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) { onNodeUpdated(o, n); };
  nodeHandlers.onDelete = [this](const ObjectPtr& n) { nodeQueue_.add(std::string(api::metaName(*n))); };
  nodes_.addHandlers(std::move(nodeHandlers));
}

void TaintEvictionController::stop() {
  nodeQueue_.shutDown();
  podQueue_.shutDown();
  evictionQueue_.shutDown();
}

bool TaintEvictionController::evictionScheduled(const std::string& podKey) const {
  auto it = works_.find(podKey);
  return it != works_.end() && !it->second.done;
}

asio::awaitable<void> TaintEvictionController::run() {
  if (!co_await waitForCaches(informers_, executor_, kNameTaintEviction)) co_return;
  asio::co_spawn(executor_,
                 runWorkers(nodeQueue_, kUpdateWorkers,
                            [this](const std::string& name) { return handleNodeUpdate(name); }, kNameTaintEvictionNodes),
                 asio::detached);
  asio::co_spawn(executor_,
                 runWorkers(evictionQueue_, kUpdateWorkers,
                            [this](const std::string& key) { return evict(key); }, kNameTaintEviction),
                 asio::detached);
  co_await runWorkers(podQueue_, kUpdateWorkers, [this](const std::string& key) { return handlePodUpdate(key); },
                      kNameTaintEvictionPods);
}

void TaintEvictionController::onPodUpdated(const ObjectPtr& oldPod, const ObjectPtr& newPod) {
  if (oldPod && arrayAt(*oldPod, "spec.tolerations") == arrayAt(*newPod, "spec.tolerations") &&
      str(*oldPod, "spec.nodeName") == str(*newPod, "spec.nodeName")) {
    return;
  }
  podQueue_.add(client::objectKey(*newPod));
}

void TaintEvictionController::onNodeUpdated(const ObjectPtr& oldNode, const ObjectPtr& newNode) {
  if (oldNode && taintsWithEffect(nodeTaints(*oldNode), "NoExecute") ==
                     taintsWithEffect(nodeTaints(*newNode), "NoExecute")) {
    return;
  }
  nodeQueue_.add(std::string(api::metaName(*newNode)));
}

void TaintEvictionController::recordPodEvent(const std::string& podKey, const std::string& message) {
  auto [ns, name] = splitKey(podKey);
  json::object ref{{"apiVersion", "v1"}, {"kind", "Pod"}};
  ref["metadata"] = json::object{{"name", name}, {"namespace", ns}};
  if (ObjectPtr pod = pods_.get(podKey)) ref["metadata"].as_object()["uid"] = str(*pod, "metadata.uid");
  events_.record(ref, "Normal", "TaintManagerEviction", message);
}

void TaintEvictionController::addWork(const std::string& podKey, SteadyClock::time_point createdAt,
                                      SteadyClock::time_point fireAt) {
  if (works_.count(podKey)) return;
  works_[podKey] = Work{createdAt, fireAt, false};
  auto now = SteadyClock::now();
  evictionQueue_.addAfter(podKey, fireAt > now ? fireAt - now : SteadyClock::duration::zero());
}

void TaintEvictionController::cancelWork(const std::string& podKey) {
  auto it = works_.find(podKey);
  if (it == works_.end()) return;
  if (!it->second.done) recordPodEvent(podKey, "Cancelling deletion of Pod " + podKey);
  works_.erase(it);
}

void TaintEvictionController::processPodOnNode(const std::string& podKey, const json::array& tolerations,
                                               const json::array& taints, SteadyClock::time_point now) {
  if (taints.empty()) {
    cancelWork(podKey);
    return;
  }
  MatchedTolerations matched = matchingTolerations(taints, tolerations);
  if (!matched.allTolerated) {
    // Deleted right away: anything scheduled later is replaced.
    auto it = works_.find(podKey);
    if (it != works_.end() && !it->second.done) cancelWork(podKey);
    addWork(podKey, now, now);
    return;
  }
  auto minTime = minTolerationTime(matched.used);
  if (!minTime) {
    cancelWork(podKey);  // tolerates forever
    return;
  }
  if (works_.count(podKey)) return;  // scheduled earlier: that deadline stands
  addWork(podKey, now, now + *minTime);
}

asio::awaitable<Result<void>> TaintEvictionController::handlePodUpdate(const std::string& key) {
  ObjectPtr pod = pods_.get(key);
  if (!pod) {
    cancelWork(key);
    co_return Result<void>{};
  }
  std::string nodeName = str(*pod, "spec.nodeName");
  if (nodeName.empty()) co_return Result<void>{};
  auto tainted = taintedNodes_.find(nodeName);
  if (tainted == taintedNodes_.end()) co_return Result<void>{};
  processPodOnNode(key, arrayAt(*pod, "spec.tolerations"), tainted->second, SteadyClock::now());
  co_return Result<void>{};
}

asio::awaitable<Result<void>> TaintEvictionController::handleNodeUpdate(const std::string& name) {
  ObjectPtr node = nodes_.get(name);
  if (!node) {
    taintedNodes_.erase(name);
    co_return Result<void>{};
  }
  json::array taints = taintsWithEffect(nodeTaints(*node), "NoExecute");
  if (taints.empty()) {
    taintedNodes_.erase(name);
  } else {
    taintedNodes_[name] = taints;
  }
  auto now = SteadyClock::now();
  for (const ObjectPtr& pod : pods_.byIndex(kPodNodeNameIndex, name)) {
    std::string key = client::objectKey(*pod);
    if (taints.empty()) {
      cancelWork(key);
      continue;
    }
    processPodOnNode(key, arrayAt(*pod, "spec.tolerations"), taints, now);
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> TaintEvictionController::evict(const std::string& key) {
  auto work = works_.find(key);
  if (work == works_.end() || work->second.done) co_return Result<void>{};
  auto now = SteadyClock::now();
  if (now < work->second.fireAt) {  // an earlier schedule was cancelled and replaced
    evictionQueue_.addAfter(key, work->second.fireAt - now);
    co_return Result<void>{};
  }
  ObjectPtr cached = pods_.get(key);
  if (!cached) {
    work->second.done = true;
    co_return Result<void>{};
  }
  spdlog::info("taint eviction: deleting pod {}", key);
  recordPodEvent(key, "Marking for deletion Pod " + key);
  std::pair<std::string, std::string> parts = splitKey(key);
  const std::string& ns = parts.first;
  const std::string& name = parts.second;
  // DisruptionTarget first, so that controllers know why the pod goes.
  json::array conditions = arrayAt(*cached, "status.conditions");
  bool present = false;
  for (const auto& c : conditions) {
    present = present || (c.is_object() && api::getString(c.get_object(), "type") == "DisruptionTarget" &&
                          api::getString(c.get_object(), "status") == "True");
  }
  if (!present) {
    conditions.push_back(json::object{{"type", "DisruptionTarget"},
                                      {"status", "True"},
                                      {"reason", "DeletionByTaintManager"},
                                      {"message", "Taint manager: deleting due to NoExecute taint"},
                                      {"lastProbeTime", nullptr},
                                      {"lastTransitionTime", api::nowTime()}});
    json::object patch{{"metadata", json::object{{"uid", str(*cached, "metadata.uid")}}},
                       {"status", json::object{{"conditions", std::move(conditions)}}}};
    client::ResourcePath status{"", "v1", "pods", ns, name, "status", ""};
    std::string body = json::serialize(patch);
    const std::string contentType = "application/merge-patch+json";  // named: GCC 12 co_await temporaries
    auto patched = co_await client_.patch(status, contentType, body);
    if (!patched && patched.error().reason != Reason::NotFound) co_return std::move(patched).error();
  }
  client::ResourcePath path{"", "v1", "pods", ns, name, "", ""};
  json::object options{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  auto removed = co_await client_.remove(path, options);
  if (!removed && removed.error().reason != Reason::NotFound) co_return std::move(removed).error();
  auto again = works_.find(key);
  if (again != works_.end()) again->second.done = true;
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
