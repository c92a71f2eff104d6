#include "controllers/resourcequota/resource_quota_controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "util/sleep.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace json = boost::json;
using apiserver::Registry;

namespace {

std::string stringAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

// Counts the coroutines run() started, so that it returns after the last one.
class Running {
 public:
  explicit Running(int& count) : count_(count) { ++count_; }
  ~Running() { --count_; }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

 private:
  int& count_;
};

}  // namespace

// What a tracked resource's updates are compared with (upstream's update
// filter): an update that frees quota triggers a recalculation, others do not.
struct ResourceQuotaController::TrackedState {
  std::set<std::string> podsNotCounted;                // finished or expired pods
  std::map<std::string, std::string> serviceTypes;     // NodePort / LoadBalancer ones
  std::map<std::string, std::string> claimAllocated;   // status.allocatedResources.storage
};

ResourceQuotaController::ResourceQuotaController(Registry& quotas, std::vector<Registry*> tracked,
                                                 ResourceQuotaControllerOptions options)
    : quotas_(quotas), options_(options) {
  for (Registry* r : tracked) {
    if (!quota::EvaluatorRegistry::ignored(r->type().group, r->type().resource)) tracked_.push_back(r);
  }
}

ResourceQuotaController::~ResourceQuotaController() = default;

asio::awaitable<void> ResourceQuotaController::run(const std::atomic<bool>& stop) {
  strand_ = std::make_unique<asio::strand<asio::any_io_executor>>(
      asio::make_strand(co_await asio::this_coro::executor));
  queue_ = std::make_unique<client::WorkQueue>(*strand_);
  missingUsageQueue_ = std::make_unique<client::WorkQueue>(*strand_);
  auto body = [this, &stop]() -> asio::awaitable<void> {
    auto start = [this](asio::awaitable<void> work) {
      asio::co_spawn(*strand_, std::move(work), asio::detached);
    };
    start(watchQuotas(stop));
    for (Registry* r : tracked_) start(watchTracked(*r, stop));
    for (int i = 0; i < options_.workers; ++i) {
      start(worker(*queue_));
      start(worker(*missingUsageQueue_));
    }
    start(resyncLoop(stop));
    while (!stop) co_await sleepFor(options_.stopCheck);
    queue_->shutDown();
    missingUsageQueue_->shutDown();
    while (running_ > 0) co_await sleepFor(std::chrono::milliseconds(10));
  };
  co_await asio::co_spawn(*strand_, body(), asio::use_awaitable);
}

asio::awaitable<void> ResourceQuotaController::watchQuotas(const std::atomic<bool>& stop) {
  Running running(running_);
  Result<storage::CacheWatcherPtr> watcher = makeError(Reason::ServiceUnavailable, "not started");
  while (!stop) {
    if (!watcher) {
      // Every quota comes again as Added: the view is rebuilt, all are synced.
      seen_.clear();
      watcher = quotas_.watch("", nullptr, 0, true);
      if (!watcher) co_await sleepFor(options_.stopCheck);
      continue;
    }
    auto events = co_await (*watcher)->next(options_.stopCheck);
    if (!events) {
      watcher = std::move(events).error();
      continue;
    }
    for (const auto& event : *events) quotaChanged(event);
  }
}

void ResourceQuotaController::quotaChanged(const storage::WatchEvent& event) {
  using Type = storage::WatchEvent::Type;
  if (event.type == Type::Bookmark) return;
  std::string ns = event.object.field("metadata.namespace");
  std::string name = event.object.field("metadata.name");
  std::string key = ns + "/" + name;
  if (event.type == Type::Deleted) {
    if (auto it = seen_.find(ns); it != seen_.end()) {
      it->second.erase(name);
      if (it->second.empty()) seen_.erase(it);
    }
    queue_->add(key);  // the sync finds it gone and ends there
    return;
  }
  auto obj = event.object.parsedObject();
  if (!obj) return;
  quota::ResourceQuota q = quota::parseResourceQuota(*obj);
  QuotaSeen& seen = seen_[ns][name];
  bool specChanged = event.type == Type::Added || !quota::equals(seen.specHard, q.specHard);
  seen = QuotaSeen{q.specHard, quota::names(q.hard)};
  // Status updates (ours, or admission's charges) need no recalculation.
  if (specChanged) addQuota(key, q);
}

void ResourceQuotaController::addQuota(const std::string& key, const quota::ResourceQuota& q) {
  bool urgent = !q.hasStatusHard || !quota::equals(q.specHard, q.hard);
  for (const auto& [name, hard] : q.hard) {
    if (urgent || q.used.count(name)) continue;
    // A limit without usage that some evaluator can compute.
    for (Registry* r : tracked_) {
      const quota::Evaluator& e = evaluators_.get(r->type().group, r->type().resource);
      if (!e.matchingResources({name}).empty()) urgent = true;
    }
  }
  // Quotas without usage go to their own queue, as upstream's missingUsageQueue,
  // so they are not stuck behind routine recounts.
  (urgent ? *missingUsageQueue_ : *queue_).add(key);
}

asio::awaitable<void> ResourceQuotaController::watchTracked(Registry& registry,
                                                             const std::atomic<bool>& stop) {
  Running running(running_);
  const std::string& resource = registry.type().resource;
  bool core = registry.type().group.empty();
  // Updates matter for these; of other resources only deletions do.
  bool filtersUpdates = core && (resource == "pods" || resource == "services" ||
                                 resource == "persistentvolumeclaims");
  TrackedState state;
  Result<storage::CacheWatcherPtr> watcher = makeError(Reason::ServiceUnavailable, "not started");
  bool first = true;
  while (!stop) {
    if (!watcher) {
      state = TrackedState{};
      watcher = registry.watch("", nullptr, 0, filtersUpdates);
      if (!watcher) {
        co_await sleepFor(options_.stopCheck);
      } else if (!first) {
        enqueueAll();  // deletions may have been missed while the watch was down
      }
      first = false;
      continue;
    }
    auto events = co_await (*watcher)->next(options_.stopCheck);
    if (!events) {
      watcher = std::move(events).error();
      continue;
    }
    for (const auto& event : *events) trackedChanged(registry, state, event);
  }
}

void ResourceQuotaController::trackedChanged(Registry& registry, TrackedState& state,
                                             const storage::WatchEvent& event) {
  using Type = storage::WatchEvent::Type;
  if (event.type == Type::Bookmark) return;
  std::string ns = event.object.field("metadata.namespace");
  const std::string& key = event.object.key;
  const std::string& resource = registry.type().resource;
  if (event.type == Type::Deleted) {
    state.podsNotCounted.erase(key);
    state.serviceTypes.erase(key);
    state.claimAllocated.erase(key);
    replenish(registry, ns);
    return;
  }
  if (!registry.type().group.empty()) return;
  bool freed = false;
  if (resource == "pods") {
    auto pod = event.object.parsedObject();
    if (!pod) return;
    const quota::Evaluator& pods = evaluators_.get("", "pods");
    bool counted = pods.usage(*pod, quota::Clock::now()).count("pods") > 0;
    if (!counted) freed = state.podsNotCounted.insert(key).second && event.type == Type::Modified;
    else state.podsNotCounted.erase(key);
  } else if (resource == "services") {
    auto svc = event.object.parsedObject();
    if (!svc) return;
    std::string type = stringAt(*svc, "spec.type");
    if (type != "NodePort" && type != "LoadBalancer") type.clear();
    auto it = state.serviceTypes.find(key);
    std::string before = it == state.serviceTypes.end() ? "" : it->second;
    freed = event.type == Type::Modified && before != type;
    if (type.empty()) state.serviceTypes.erase(key);
    else state.serviceTypes[key] = type;
  } else if (resource == "persistentvolumeclaims") {
    auto pvc = event.object.parsedObject();
    if (!pvc) return;
    std::string allocated = stringAt(*pvc, "status.allocatedResources.storage");
    auto it = state.claimAllocated.find(key);
    std::string before = it == state.claimAllocated.end() ? "" : it->second;
    freed = event.type == Type::Modified && before != allocated;
    if (allocated.empty()) state.claimAllocated.erase(key);
    else state.claimAllocated[key] = allocated;
  }
  if (freed) replenish(registry, ns);
}

void ResourceQuotaController::replenish(const Registry& registry, const std::string& ns) {
  auto it = seen_.find(ns);
  if (it == seen_.end()) return;
  const quota::Evaluator& e = evaluators_.get(registry.type().group, registry.type().resource);
  for (const auto& [name, seen] : it->second) {
    if (!e.matchingResources(seen.statusHard).empty()) queue_->add(ns + "/" + name);
  }
}

void ResourceQuotaController::enqueueAll() {
  for (const auto& [ns, byName] : seen_) {
    for (const auto& kv : byName) queue_->add(ns + "/" + kv.first);
  }
}

asio::awaitable<void> ResourceQuotaController::resyncLoop(const std::atomic<bool>& stop) {
  Running running(running_);
  auto next = std::chrono::steady_clock::now() + options_.fullResync;
  while (!stop) {
    co_await sleepFor(std::min<std::chrono::milliseconds>(
        options_.stopCheck, std::chrono::duration_cast<std::chrono::milliseconds>(
                                next - std::chrono::steady_clock::now())));
    if (std::chrono::steady_clock::now() < next) continue;
    enqueueAll();
    next = std::chrono::steady_clock::now() + options_.fullResync;
  }
}

asio::awaitable<void> ResourceQuotaController::worker(client::WorkQueue& queue) {
  Running running(running_);
  while (auto key = co_await queue.get()) {
    auto synced = co_await sync(*key);
    if (synced) {
      queue.forget(*key);
    } else {
      spdlog::debug("resource quota {}: {}", *key, synced.error().message);
      queue.addRateLimited(*key);
    }
    queue.done(*key);
  }
}

asio::awaitable<Result<quota::ResourceList>> ResourceQuotaController::calculateUsage(
    const quota::ResourceQuota& q) {
  quota::ResourceNames hard = quota::names(q.specHard);
  quota::ResourceNames matched;
  quota::ResourceList usage;
  std::vector<quota::ScopeSelector> selectors = q.allSelectors();
  auto now = quota::Clock::now();
  for (Registry* r : tracked_) {
    const quota::Evaluator& e = evaluators_.get(r->type().group, r->type().resource);
    quota::ResourceNames tracked = e.matchingResources(hard);
    if (tracked.empty()) continue;
    storage::ListOptions everything;
    auto listed = co_await r->list(q.ns, std::move(everything));
    if (!listed) co_return std::move(listed).error();
    std::vector<json::object> items;
    items.reserve(listed->items.size());
    for (const auto& item : listed->items) {
      if (auto obj = item.parsedObject()) items.push_back(std::move(*obj));
    }
    usage = quota::add(usage, quota::usageStats(e, items, selectors, tracked, now));
    matched.insert(tracked.begin(), tracked.end());
  }
  co_return quota::mask(usage, matched);
}

asio::awaitable<Result<void>> ResourceQuotaController::sync(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) co_return Result<void>{};
  std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
  auto found = co_await quotas_.get(ns, name);
  if (!found) {
    if (found.error().reason == Reason::NotFound) co_return Result<void>{};
    co_return std::move(found).error();
  }
  auto obj = found->parsedObject();
  if (!obj) co_return makeError(Reason::InternalError, "resource quota " + key + " is not JSON");
  quota::ResourceQuota q = quota::parseResourceQuota(*obj);
  bool dirty = !q.hasStatusHard || !q.hasStatusUsed || !quota::equals(q.specHard, q.hard);
  auto usage = co_await calculateUsage(q);
  if (!usage) co_return std::move(usage).error();
  quota::ResourceList used = q.used;
  for (const auto& [resource, amount] : *usage) used[resource] = amount;
  used = quota::mask(used, quota::names(q.specHard));
  dirty = dirty || !quota::equals(used, q.used);
  if (!dirty) co_return Result<void>{};
  json::object body;
  body["metadata"] = json::object{{"name", name}, {"namespace", ns},
                                  {"resourceVersion", q.resourceVersion}};
  body["status"] = json::object{{"hard", quota::toJson(q.specHard)}, {"used", quota::toJson(used)}};
  apiserver::WriteOptions asServer;  // no user: not admitted
  auto written = co_await quotas_.update(ns, name, std::move(body),
                                         apiserver::Subresource::Status, asServer);
  if (!written) co_return std::move(written).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
