#include "controllers/resourcequota/resource_quota_controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/meta/object.h"
#include "quota/resource_quota.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;

namespace {

// Names for logs; they outlive the workers that hold references to them.
const std::string kNameResourceQuota = "resourcequota";

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string monitorKey(const client::ApiResource& r) { return r.group + "/" + r.resource; }

// What core.GetQuotaServiceType reads: the service types quota counts.
std::string quotaServiceType(const json::object& svc) {
  std::string type = str(svc, "spec.type");
  return type == "NodePort" || type == "LoadBalancer" ? type : "";
}

}  // namespace

ResourceQuotaController::ResourceQuotaController(client::RestClient& client,
                                                 client::InformerFactory& informers,
                                                 asio::any_io_executor executor,
                                                 ResourceQuotaControllerOptions options)
    : client_(client),
      informers_(informers),
      quotas_(informers.forResource("", "v1", "resourcequotas")),
      executor_(executor),
      options_(options),
      queue_(executor),
      missingUsageQueue_(executor) {
  quotas_.addHandlers(client::EventHandlers{
      [this](const ObjectPtr& q) { addQuota(*q); },
      [this](const ObjectPtr& oldQ, const ObjectPtr& newQ) {
        // Status updates (ours, or admission's charges) need no recalculation.
        auto before = quota::parseResourceQuota(*oldQ);
        auto after = quota::parseResourceQuota(*newQ);
        if (!quota::equals(before.specHard, after.specHard)) addQuota(*newQ);
      },
      nullptr});
}

void ResourceQuotaController::stop() {
  stopped_ = true;
  queue_.shutDown();
  missingUsageQueue_.shutDown();
  if (timer_) timer_->cancel();
}

asio::awaitable<void> ResourceQuotaController::run() {
  if (!co_await waitForCaches(informers_, executor_, kNameResourceQuota)) co_return;
  co_await discover();
  if (stopped_) co_return;
  asio::co_spawn(executor_, resyncLoop(), asio::detached);
  auto syncOne = [this](const std::string& key) { return sync(key); };
  bool urgentEnded = false;
  asio::co_spawn(
      executor_,
      [this, syncOne, &urgentEnded]() -> asio::awaitable<void> {
        co_await runWorkers(missingUsageQueue_, options_.workers, syncOne, kNameResourceQuota);
        urgentEnded = true;
      },
      asio::detached);
  co_await runWorkers(queue_, options_.workers, syncOne, kNameResourceQuota);
  asio::steady_timer wait(executor_);
  while (!urgentEnded) {
    wait.expires_after(std::chrono::milliseconds(10));
    co_await wait.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> ResourceQuotaController::discover() {
  asio::steady_timer retry(executor_);
  while (!stopped_) {
    auto found = co_await client::discoverResources(client_);
    if (found) {
      for (const auto& r : found->resources) {
        if (!r.namespaced || !r.supports("list") || !r.supports("watch")) continue;
        if (quota::EvaluatorRegistry::ignored(r.group, r.resource)) continue;
        quotable_.push_back(r);
      }
      discovered_ = true;
      co_return;
    }
    spdlog::warn("resourcequota: discovery: {}", found.error().message);
    retry.expires_after(options_.discoveryRetry);
    boost::system::error_code ec;
    co_await retry.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> ResourceQuotaController::resyncLoop() {
  timer_ = std::make_unique<asio::steady_timer>(executor_);
  while (!stopped_) {
    timer_->expires_after(options_.resyncPeriod);
    boost::system::error_code ec;
    co_await timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!stopped_) enqueueAll();
  }
}

void ResourceQuotaController::addQuota(const json::object& obj) {
  std::string key = client::objectKey(obj);
  quota::ResourceQuota q = quota::parseResourceQuota(obj);
  bool urgent = !q.hasStatusHard || !quota::equals(q.specHard, q.hard);
  for (const auto& [name, hard] : q.hard) {
    if (urgent || q.used.count(name)) continue;
    // A limit without usage that some evaluator can compute.
    for (const auto& r : quotable_) {
      if (!evaluators_.get(r.group, r.resource).matchingResources({name}).empty()) urgent = true;
    }
  }
  // Quotas without usage go first, so they are not stuck behind routine recounts.
  (urgent ? missingUsageQueue_ : queue_).add(key);
}

void ResourceQuotaController::enqueueAll() {
  for (const ObjectPtr& q : quotas_.list()) queue_.add(client::objectKey(*q));
}

void ResourceQuotaController::replenish(const client::ApiResource& resource, const std::string& ns) {
  const quota::Evaluator& e = evaluators_.get(resource.group, resource.resource);
  for (const ObjectPtr& obj : quotas_.byIndex("namespace", ns)) {
    quota::ResourceQuota q = quota::parseResourceQuota(*obj);
    if (!e.matchingResources(quota::names(q.hard)).empty()) queue_.add(client::objectKey(*obj));
  }
}

bool ResourceQuotaController::updateFrees(const client::ApiResource& resource,
                                          const json::object& oldObj,
                                          const json::object& newObj) const {
  if (!resource.group.empty()) return false;
  if (resource.resource == "pods") {
    // A pod that finished (or whose deletion grace expired) gives its usage back.
    const quota::Evaluator& pods = evaluators_.get("", "pods");
    auto now = quota::Clock::now();
    return pods.usage(oldObj, now).count("pods") > 0 && pods.usage(newObj, now).count("pods") == 0;
  }
  if (resource.resource == "services") return quotaServiceType(oldObj) != quotaServiceType(newObj);
  if (resource.resource == "persistentvolumeclaims") {
    return str(oldObj, "status.allocatedResources.storage") !=
           str(newObj, "status.allocatedResources.storage");
  }
  return false;
}

client::Informer& ResourceQuotaController::monitor(const client::ApiResource& resource) {
  std::string key = monitorKey(resource);
  if (auto it = monitors_.find(key); it != monitors_.end()) return *it->second;
  client::Informer& informer = informers_.forResource(resource.group, resource.version, resource.resource);
  // Creations are charged by admission; only what gives quota back matters.
  informer.addHandlers(client::EventHandlers{
      nullptr,
      [this, &resource](const ObjectPtr& oldObj, const ObjectPtr& newObj) {
        if (updateFrees(resource, *oldObj, *newObj)) replenish(resource, str(*newObj, "metadata.namespace"));
      },
      [this, &resource](const ObjectPtr& obj) { replenish(resource, str(*obj, "metadata.namespace")); }});
  monitors_[key] = &informer;
  informers_.start(executor_);  // starts it unless another controller already did
  return informer;
}

bool ResourceQuotaController::monitorsFor(const quota::ResourceNames& hard,
                                          std::vector<const client::ApiResource*>& out) {
  bool synced = true;
  for (const auto& r : quotable_) {
    if (evaluators_.get(r.group, r.resource).matchingResources(hard).empty()) continue;
    if (!monitor(r).hasSynced()) synced = false;
    out.push_back(&r);
  }
  return synced;
}

Result<quota::ResourceList> ResourceQuotaController::calculateUsage(const quota::ResourceQuota& q) {
  quota::ResourceNames hard = quota::names(q.specHard);
  std::vector<const client::ApiResource*> counted;
  if (!monitorsFor(hard, counted)) {
    return makeError(Reason::ServiceUnavailable, "waiting for the informers of counted resources");
  }
  quota::ResourceNames matched;
  quota::ResourceList usage;
  std::vector<quota::ScopeSelector> selectors = q.allSelectors();
  auto now = quota::Clock::now();
  for (const client::ApiResource* r : counted) {
    const quota::Evaluator& e = evaluators_.get(r->group, r->resource);
    quota::ResourceNames tracked = e.matchingResources(hard);
    std::vector<json::object> items;
    for (const ObjectPtr& obj : monitors_.at(monitorKey(*r))->byIndex("namespace", q.ns)) {
      items.push_back(*obj);
    }
    usage = quota::add(usage, quota::usageStats(e, items, selectors, tracked, now));
    matched.insert(tracked.begin(), tracked.end());
  }
  return quota::mask(usage, matched);
}

asio::awaitable<Result<void>> ResourceQuotaController::sync(const std::string& key) {
  if (!discovered_) co_return makeError(Reason::ServiceUnavailable, "discovery not done");
  ObjectPtr found = quotas_.get(key);
  if (!found) co_return Result<void>{};  // deleted: nothing to keep current
  quota::ResourceQuota q = quota::parseResourceQuota(*found);
  bool dirty = !q.hasStatusHard || !q.hasStatusUsed || !quota::equals(q.specHard, q.hard);
  auto usage = calculateUsage(q);
  if (!usage) co_return std::move(usage).error();
  quota::ResourceList used = q.used;
  for (const auto& [resource, amount] : *usage) used[resource] = amount;
  used = quota::mask(used, quota::names(q.specHard));
  dirty = dirty || !quota::equals(used, q.used);
  if (!dirty) co_return Result<void>{};
  json::object body = *found;
  body["status"] = json::object{{"hard", quota::toJson(q.specHard)}, {"used", quota::toJson(used)}};
  client::ResourcePath path{"", "v1", "resourcequotas", q.ns, q.name, "status", ""};
  // The cached resourceVersion: a charge admission made since makes this a
  // Conflict, and the retry recounts.
  auto written = co_await client_.update(path, body);
  if (!written) co_return std::move(written).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
