// The garbage collector's wiring: discovery, the metadata informers that feed
// the graph, and the two worker pools.
#include "controllers/garbagecollector/garbage_collector.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace kcpp::controllers {

namespace asio = boost::asio;

GarbageCollector::GarbageCollector(client::RestClient& client, asio::any_io_executor executor,
                                   GarbageCollectorOptions options)
    : client_(client),
      executor_(executor),
      options_(std::move(options)),
      attemptToDelete_(executor),
      attemptToOrphan_(executor),
      graph_(gc::GraphQueues{[this](const std::string& uid) { attemptToDelete_.add(uid); },
                             [this](const std::string& uid) { attemptToOrphan_.add(uid); }}) {}

GarbageCollector::~GarbageCollector() = default;

void GarbageCollector::stop() {
  stopped_ = true;
  attemptToDelete_.shutDown();
  attemptToOrphan_.shutDown();
  if (discoveryTimer_) discoveryTimer_->cancel();
  for (auto& [name, informer] : monitors_) informer->stop();
}

bool GarbageCollector::monitorsSynced() const {
  if (monitors_.empty()) return false;
  for (const auto& [name, informer] : monitors_) {
    if (!informer->hasSynced()) return false;
  }
  return true;
}

void GarbageCollector::startMonitor(const client::ApiResource& resource) {
  auto informer = std::make_unique<client::Informer>(client_, resource.path());
  // Only metadata is cached: the graph needs no more, and a copy of every
  // object of every resource would cost the process most of its memory.
  informer->setTransform(gc::keepGraphMetadata);
  informer->setPageSize(500);  // client-go's default page size
  std::string apiVersion = resource.apiVersion();
  std::string kind = resource.kind;
  client::EventHandlers handlers;
  handlers.onAdd = [this, apiVersion, kind](const client::ObjectPtr& obj) {
    graph_.observe(nullptr, gc::objectMetaOf(*obj, apiVersion, kind));
  };
  handlers.onUpdate = [this, apiVersion, kind](const client::ObjectPtr& oldObj,
                                               const client::ObjectPtr& newObj) {
    gc::ObjectMeta old = gc::objectMetaOf(*oldObj, apiVersion, kind);
    graph_.observe(&old, gc::objectMetaOf(*newObj, apiVersion, kind));
  };
  handlers.onDelete = [this, apiVersion, kind](const client::ObjectPtr& obj) {
    graph_.observeDeleted(gc::objectMetaOf(*obj, apiVersion, kind));
  };
  informer->addHandlers(std::move(handlers));
  asio::co_spawn(executor_, informer->run(), asio::detached);
  monitors_[resource.group + "/" + resource.version + "/" + resource.resource] = std::move(informer);
}

// Follows what discovery finds now: new resources get an informer, vanished
// ones lose theirs (upstream's resyncMonitors).
asio::awaitable<Result<void>> GarbageCollector::resync() {
  auto discovered = co_await client::discoverResources(client_);
  if (!discovered) co_return std::move(discovered).error();
  for (const auto& [groupVersion, why] : discovered->failed) {
    spdlog::warn("garbage collector: discovery of {} failed: {}", groupVersion, why);
  }
  mapper_.reset(discovered->resources);
  std::set<std::string> wanted;
  for (const client::ApiResource& r : discovered->resources) {
    if (!r.supports("list") || !r.supports("watch") || !r.supports("delete")) continue;
    if (options_.ignoredResources.count(r.group + "/" + r.resource)) continue;
    std::string key = r.group + "/" + r.version + "/" + r.resource;
    wanted.insert(key);
    if (!monitors_.count(key) && !stopped_) {
      spdlog::debug("garbage collector: following {}", key);
      startMonitor(r);
    }
  }
  for (auto it = monitors_.begin(); it != monitors_.end();) {
    // A group whose discovery failed keeps its informers (upstream keeps them too).
    bool groupFailed = false;
    for (const auto& [groupVersion, why] : discovered->failed) {
      groupFailed |= it->first.starts_with(groupVersion + "/");
    }
    if (wanted.count(it->first) || groupFailed) {
      ++it;
      continue;
    }
    spdlog::debug("garbage collector: no longer following {}", it->first);
    it->second->stop();
    stoppedMonitors_.push_back(std::move(it->second));
    it = monitors_.erase(it);
  }
  co_return Result<void>{};
}

asio::awaitable<void> GarbageCollector::discoveryLoop() {
  discoveryTimer_ = std::make_unique<asio::steady_timer>(executor_);
  while (!stopped_) {
    discoveryTimer_->expires_after(options_.discoveryPeriod);
    boost::system::error_code ec;
    co_await discoveryTimer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopped_) break;
    if (auto ok = co_await resync(); !ok) {
      spdlog::warn("garbage collector: discovery: {}", ok.error().message);
    }
  }
}

asio::awaitable<void> GarbageCollector::run() {
  if (auto ok = co_await resync(); !ok) {
    spdlog::warn("garbage collector: discovery: {}", ok.error().message);
  }
  asio::co_spawn(executor_, discoveryLoop(), asio::detached);
  // As upstream, decisions wait for the graph to hold what the informers listed.
  asio::steady_timer poll(executor_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!stopped_ && !monitorsSynced() && std::chrono::steady_clock::now() < deadline) {
    poll.expires_after(std::chrono::milliseconds(20));
    boost::system::error_code ec;
    co_await poll.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (stopped_) co_return;
  if (!monitorsSynced()) spdlog::warn("garbage collector: not every resource has synced; starting anyway");
  spdlog::info("garbage collector: graph synced with {} objects of {} resources", graph_.size(),
               monitors_.size());
#if defined(__GLIBC__)
  // The first lists of every resource parsed whole objects, of which only
  // metadata is kept: give the freed peak back to the system.
  malloc_trim(0);
#endif
  using namespace asio::experimental::awaitable_operators;
  SyncFunc deleteSync = [this](const std::string& uid) { return attemptToDelete(uid); };
  SyncFunc orphanSync = [this](const std::string& uid) { return attemptToOrphan(uid); };
  auto deleters = runWorkers(attemptToDelete_, options_.workers, deleteSync, "garbagecollector");
  auto orphaners = runWorkers(attemptToOrphan_, options_.workers, orphanSync, "garbagecollector");
  co_await (std::move(deleters) && std::move(orphaners));
}

}  // namespace kcpp::controllers
