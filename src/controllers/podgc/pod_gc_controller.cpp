#include "controllers/podgc/pod_gc_controller.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "api/meta/object.h"
#include "controllers/common/taints.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using client::ObjectPtr;

namespace {

// Names for logs; they outlive the workers that hold references to them.
const std::string kNamePodGarbageCollector = "pod garbage collector";

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

bool isTerminated(const json::object& pod) {
  std::string phase = str(pod, "status.phase");
  return phase != "Pending" && phase != "Running" && phase != "Unknown";
}

bool isTerminating(const json::object& pod) { return api::findPath(pod, "metadata.deletionTimestamp") != nullptr; }

bool isEvicted(const json::object& pod) {
  return str(pod, "status.phase") == "Failed" && str(pod, "status.reason") == "Evicted";
}

}  // namespace

bool deleteBefore(const json::object& a, const json::object& b) {
  bool aEvicted = isEvicted(a);
  bool bEvicted = isEvicted(b);
  if (aEvicted != bEvicted) return aEvicted;
  std::string aCreated = str(a, "metadata.creationTimestamp");
  std::string bCreated = str(b, "metadata.creationTimestamp");
  if (aCreated == bCreated) return api::metaName(a) < api::metaName(b);
  auto at = api::parseTime(aCreated);
  auto bt = api::parseTime(bCreated);
  if (at && bt) return *at < *bt;
  return aCreated < bCreated;
}

PodGcController::PodGcController(client::RestClient& client, client::InformerFactory& informers,
                                 asio::any_io_executor executor, PodGcOptions options)
    : client_(client),
      informers_(informers),
      pods_(informers.forResource("", "v1", "pods")),
      nodes_(informers.forResource("", "v1", "nodes")),
      executor_(executor),
      options_(options) {}

void PodGcController::stop() {
  stopped_ = true;
  if (timer_) timer_->cancel();
}

asio::awaitable<void> PodGcController::run() {
  if (!co_await waitForCaches(informers_, executor_, kNamePodGarbageCollector)) co_return;
  timer_ = std::make_shared<asio::steady_timer>(executor_);
  while (!stopped_) {
    co_await gc();
    if (stopped_) break;
    timer_->expires_after(options_.gcCheckPeriod);
    boost::system::error_code ec;
    co_await timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> PodGcController::gc() {
  std::vector<ObjectPtr> pods = pods_.list();
  if (options_.terminatedPodThreshold > 0) co_await gcTerminated(pods);
  co_await gcTerminating(pods);
  co_await gcOrphaned(pods);
  co_await gcUnscheduledTerminating(pods);
}

asio::awaitable<Result<void>> PodGcController::markFailedAndDelete(const json::object& pod,
                                                                   std::optional<json::object> condition) {
  std::string ns(api::metaNamespace(pod));
  std::string name(api::metaName(pod));
  spdlog::info("pod gc: force deleting pod {}/{}", ns, name);
  std::string phase = str(pod, "status.phase");
  if (phase != "Succeeded" && phase != "Failed") {
    // Without a kubelet to do it, nothing else would ever mark an orphan Failed.
    json::object status{{"phase", "Failed"}};
    if (condition) {
      const json::value* existing = api::findPath(pod, "status.conditions");
      json::array conditions = existing && existing->is_array() ? existing->get_array() : json::array{};
      bool replaced = false;
      for (auto& c : conditions) {
        if (c.is_object() && api::getString(c.as_object(), "type") == api::getString(*condition, "type")) {
          c = *condition;
          replaced = true;
        }
      }
      if (!replaced) conditions.push_back(*condition);
      status["conditions"] = std::move(conditions);
    }
    json::object patch{{"metadata", json::object{{"uid", str(pod, "metadata.uid")}}}, {"status", std::move(status)}};
    client::ResourcePath path{"", "v1", "pods", ns, name, "status", ""};
    std::string body = json::serialize(patch);
    const std::string contentType = "application/merge-patch+json";  // named: GCC 12 co_await temporaries
    auto patched = co_await client_.patch(path, contentType, body);
    if (!patched) {
      if (patched.error().reason == Reason::NotFound) co_return Result<void>{};
      co_return std::move(patched).error();
    }
  }
  client::ResourcePath path{"", "v1", "pods", ns, name, "", ""};
  json::object options{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"gracePeriodSeconds", 0}};
  auto removed = co_await client_.remove(path, options);
  if (!removed && removed.error().reason != Reason::NotFound) co_return std::move(removed).error();
  co_return Result<void>{};
}

asio::awaitable<void> PodGcController::gcTerminated(const std::vector<ObjectPtr>& pods) {
  std::vector<ObjectPtr> terminated;
  for (const ObjectPtr& pod : pods) {
    if (isTerminated(*pod)) terminated.push_back(pod);
  }
  int excess = static_cast<int>(terminated.size()) - options_.terminatedPodThreshold;
  if (excess <= 0) co_return;
  spdlog::info("pod gc: garbage collecting {} terminated pods", excess);
  std::sort(terminated.begin(), terminated.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) { return deleteBefore(*a, *b); });
  for (int i = 0; i < excess && !stopped_; ++i) {
    std::optional<json::object> none;
    auto deleted = co_await markFailedAndDelete(*terminated[i], std::move(none));
    if (!deleted) spdlog::warn("pod gc: deleting {}: {}", client::objectKey(*terminated[i]), deleted.error().message);
  }
}

asio::awaitable<void> PodGcController::gcTerminating(const std::vector<ObjectPtr>& pods) {
  std::vector<ObjectPtr> terminating;
  for (const ObjectPtr& pod : pods) {
    if (!isTerminating(*pod)) continue;
    ObjectPtr node = nodes_.get(str(*pod, "spec.nodeName"));
    if (!node) continue;
    if (!isNodeReady(*node) && hasTaintKey(nodeTaints(*node), kTaintNodeOutOfService)) terminating.push_back(pod);
  }
  std::sort(terminating.begin(), terminating.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) { return deleteBefore(*a, *b); });
  for (const ObjectPtr& pod : terminating) {
    if (stopped_) break;
    std::optional<json::object> none;
    auto deleted = co_await markFailedAndDelete(*pod, std::move(none));
    if (!deleted) spdlog::warn("pod gc: deleting {}: {}", client::objectKey(*pod), deleted.error().message);
  }
}

asio::awaitable<void> PodGcController::gcOrphaned(const std::vector<ObjectPtr>& pods) {
  auto now = SteadyClock::now();
  for (const ObjectPtr& pod : pods) {
    std::string node = str(*pod, "spec.nodeName");
    if (!node.empty() && !nodes_.get(node)) quarantine_.emplace(node, now);
  }
  // Nodes missing for the whole quarantine: make sure with a GET that they are gone.
  std::set<std::string> deleted;
  for (auto it = quarantine_.begin(); it != quarantine_.end();) {
    if (now - it->second < options_.quarantineTime) {
      ++it;
      continue;
    }
    std::string name = it->first;
    it = quarantine_.erase(it);
    if (nodes_.get(name)) continue;
    client::ResourcePath path{"", "v1", "nodes", "", name, "", ""};
    auto fetched = co_await client_.get(path);
    if (!fetched && fetched.error().reason == Reason::NotFound) deleted.insert(name);
    else if (!fetched) spdlog::warn("pod gc: getting node {}: {}", name, fetched.error().message);
  }
  for (const ObjectPtr& pod : pods) {
    if (stopped_) break;
    std::string node = str(*pod, "spec.nodeName");
    if (!deleted.count(node)) continue;
    spdlog::info("pod gc: pod {} is bound to node {} which no longer exists", client::objectKey(*pod), node);
    json::object condition{{"type", "DisruptionTarget"},
                           {"status", "True"},
                           {"reason", "DeletionByPodGC"},
                           {"message", "PodGC: node no longer exists"},
                           {"lastProbeTime", nullptr},
                           {"lastTransitionTime", api::nowTime()}};
    std::optional<json::object> withCondition(std::move(condition));
    auto removed = co_await markFailedAndDelete(*pod, std::move(withCondition));
    if (!removed) spdlog::warn("pod gc: deleting {}: {}", client::objectKey(*pod), removed.error().message);
  }
}

asio::awaitable<void> PodGcController::gcUnscheduledTerminating(const std::vector<ObjectPtr>& pods) {
  for (const ObjectPtr& pod : pods) {
    if (stopped_) break;
    if (!isTerminating(*pod) || !str(*pod, "spec.nodeName").empty()) continue;
    spdlog::info("pod gc: deleting unscheduled terminating pod {}", client::objectKey(*pod));
    std::optional<json::object> none;
    auto removed = co_await markFailedAndDelete(*pod, std::move(none));
    if (!removed) spdlog::warn("pod gc: deleting {}: {}", client::objectKey(*pod), removed.error().message);
  }
}

}  // namespace kcpp::controllers
