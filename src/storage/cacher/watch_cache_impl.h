#pragma once
// WatchCache::Impl: the state behind a WatchCache, shared (weakly) with the
// store's watch callbacks, posted work and the watchers it hands out, so that
// none of them can reach a destroyed cache.
//
// Threads: the store calls onEvents()/onError() on its own thread; they only
// queue the events and post drain() to the executor start() ran on, where
// events are decoded, applied and dispatched (one batch at a time). Reads run on
// the callers' executors under a shared lock.
//
// Locks, in the order they nest: processMutex_ (one batch at a time) ->
// stateMutex_ (objects_, history_) -> the registry's lock -> a watcher's lock.
// inboxMutex_, waitersMutex_ and lifecycleMutex_ are leaves.
//
// Files: watch_cache.cpp (lifecycle: list, watch, relist, shutdown),
// watch_cache_events.cpp (applying the store's events), watch_cache_read.cpp
// (list, get, waits), watch_cache_watch.cpp (registering watchers).

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "storage/cacher/event_history.h"
#include "storage/cacher/wakeup.h"
#include "storage/cacher/watch_cache.h"
#include "storage/cacher/watcher_registry.h"

namespace kcpp::storage {

class WatchCache::Impl : public std::enable_shared_from_this<WatchCache::Impl> {
 public:
  Impl(Store& store, std::string prefix, Decoder decoder, std::size_t historyCapacity,
       std::size_t watcherQueueCapacity);

  boost::asio::awaitable<Result<void>> start();
  void shutdown();

  boost::asio::awaitable<Result<ListResult>> list(ListOptions options);
  boost::asio::awaitable<Result<CachedObject>> get(std::string key);
  std::optional<CachedObject> peek(const std::string& key) const;
  Result<CacheWatcherPtr> watch(std::string prefix, Predicate predicate, Revision afterRevision,
                                bool sendInitialState);
  boost::asio::awaitable<Result<void>> waitForRevision(Revision revision);

  Revision revision() const { return revision_.load(std::memory_order_acquire); }
  std::size_t size() const;
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  std::size_t watcherCount() const { return registry_->size(); }

 private:
  using ObjectPtr = cacher::ObjectPtr;
  using ObjectMap = std::map<std::string, ObjectPtr, std::less<>>;

  // Events from one store watch, as handed to onEvents().
  struct InboxItem {
    std::uint64_t generation = 0;
    std::vector<Event> events;
  };
  // One event on its way into the cache (watch_cache_events.cpp).
  struct Change {
    Event event;
    ObjectPtr object;
    ObjectPtr prev;
    ObjectPtr prevAtRevision;
  };
  enum class StoreRead { Latest, Exact, Continue };

  // Lifecycle (watch_cache.cpp).
  boost::asio::awaitable<Result<void>> listAndWatch();
  boost::asio::awaitable<Result<ObjectMap>> listStore(Revision& revision);
  void install(ObjectMap objects, Revision revision, std::uint64_t generation);
  WatchSink makeSink(std::uint64_t generation);
  boost::asio::awaitable<void> recover(std::shared_ptr<Impl> self, std::uint64_t generation,
                                       Error error);
  void close(const Error& error);

  // Applying events (watch_cache_events.cpp).
  void onEvents(std::uint64_t generation, std::vector<Event> events);
  void onError(std::uint64_t generation, Error error);
  void drain();
  void process(std::vector<InboxItem> items);
  std::vector<Change> decodeChanges(std::vector<Event> events) const;
  void findPrevious(std::vector<Change>& changes) const;
  void decodePreviousAtRevision(std::vector<Change>& changes) const;
  void apply(std::vector<Change> changes, Revision last, std::uint64_t generation);
  Result<ObjectPtr> decode(const KeyValue& kv) const;

  // Reads (watch_cache_read.cpp).
  boost::asio::awaitable<Result<ListResult>> listConsistent(const ListOptions& options);
  boost::asio::awaitable<Result<ListResult>> listNotOlderThan(const ListOptions& options);
  boost::asio::awaitable<Result<ListResult>> listExact(const ListOptions& options);
  boost::asio::awaitable<Result<ListResult>> listFromStore(const ListOptions& options,
                                                           Revision revision, StoreRead read);
  ListResult listFromMemory(const ListOptions& options) const;
  Result<std::vector<ObjectPtr>> objectsFor(const std::vector<KeyValue>& kvs) const;
  boost::asio::awaitable<bool> catchUp(Revision storeRevision);
  boost::asio::awaitable<bool> waitFor(Revision revision, std::chrono::steady_clock::duration timeout);
  bool addWaiter(Revision revision, const cacher::WakeupPtr& wakeup);
  void removeWaiter(Revision revision, const cacher::WakeupPtr& wakeup);
  void notifyWaiters(Revision revision, bool all);

  Store& store_;
  const std::string prefix_;
  const Decoder decoder_;
  const std::shared_ptr<const Attributes> noAttributes_ = std::make_shared<const Attributes>();
  const std::shared_ptr<cacher::WatcherRegistry> registry_;
  boost::asio::any_io_executor executor_;  // set by start(), before any event

  mutable std::shared_mutex stateMutex_;
  ObjectMap objects_;
  cacher::EventHistory history_;

  // Which store watch the state follows; bumped by every (re)list, so that
  // events still queued from an older watch are dropped.
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<Revision> revision_{0};  // the newest revision applied
  std::atomic<Revision> received_{0};  // the newest revision the store handed over
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopped_{false};

  std::mutex inboxMutex_;
  std::vector<InboxItem> inbox_;
  bool drainScheduled_ = false;

  std::mutex processMutex_;

  std::mutex lifecycleMutex_;
  WatchPtr storeWatch_;
  bool started_ = false;

  std::mutex waitersMutex_;
  std::multimap<Revision, cacher::WakeupPtr> waiters_;  // reads waiting for a revision
};

namespace cacher {

// How long a read waits for the cache to reach a revision (upstream's blockTimeout).
inline constexpr std::chrono::seconds kFreshnessTimeout{3};

// Upstream's NewTooLargeResourceVersionError: 504 Timeout, retry after 1 s.
Error tooLargeResourceVersion(Revision wanted, Revision current);

}  // namespace cacher

}  // namespace kcpp::storage
