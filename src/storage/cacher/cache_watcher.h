#pragma once
// The watch cache's watchers: what one watch has queued, and the CacheWatcher
// handed to the API layer.
//
// Three parties touch a WatcherState: the registry's dispatcher (stages and
// delivers events, under the registry's lock), the consumer (next(), on the
// client's executor) and registration (preloads the initial events before the
// state is shared). The queue is guarded by the state's own mutex, so a slow
// consumer never holds up the dispatcher beyond one append.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/cacher/event_history.h"
#include "storage/cacher/wakeup.h"
#include "storage/cacher/watch_cache.h"

namespace kcpp::storage::cacher {

struct QueuedEvent {
  WatchEvent::Type type = WatchEvent::Type::Added;
  ObjectPtr object;  // null for a Bookmark
  Revision revision = 0;
  bool initialEventsEnd = false;
};

// The newest revision the registry has dispatched to every watcher: a watcher
// with an empty queue is caught up to it. Shared, so that watchers outliving
// the cache can still read it.
using DispatchProgress = std::atomic<Revision>;

class WatcherState {
 public:
  // Events at or below `minRevision` are not for this watcher.
  WatcherState(std::string prefix, Predicate predicate, Revision minRevision,
               std::shared_ptr<const DispatchProgress> progress);

  const std::string& prefix() const { return prefix_; }

  // What this watcher sees of `entry`, by its prefix and predicate: a change
  // that makes an object match is Added, one that makes it stop matching is
  // Deleted, one that keeps it matching is Modified (upstream's translation).
  std::optional<QueuedEvent> translate(const HistoryEntry& entry) const;
  bool matches(const CachedObject& object) const;

  // Before registration: the initial state or replayed history. These do not
  // count against the queue's bound.
  void preload(std::vector<QueuedEvent> events);

  // Dispatcher side, under the registry's lock: stage this batch's events, then
  // deliver them all at once (one lock and one wake-up per batch). Delivering
  // more than `capacity` pending events terminates the watcher instead; returns
  // false then.
  void stage(QueuedEvent event) { staged_.push_back(std::move(event)); }
  bool hasStaged() const { return !staged_.empty(); }
  bool deliverStaged(std::size_t capacity);
  // Ends the watch: next() returns `error` from now on.
  void terminate(Error error);
  bool terminated() const;

  // Consumer side: the queued events, or the terminal error; when nothing is
  // queued, a Bookmark at the revision the watcher is caught up to if
  // `bookmarkWhenEmpty`, else nothing.
  std::optional<Result<std::vector<WatchEvent>>> take(bool bookmarkWhenEmpty);
  Wakeup& wakeup() { return *wakeup_; }

  // The registry's index of this watcher in its group; guarded by the registry.
  std::size_t registrySlot = 0;
  bool registered = false;

 private:
  static std::vector<WatchEvent> materialize(std::vector<QueuedEvent> events);

  const std::string prefix_;
  const Predicate predicate_;
  const Revision minRevision_;
  const std::shared_ptr<const DispatchProgress> progress_;
  const WakeupPtr wakeup_ = std::make_shared<Wakeup>();

  std::vector<QueuedEvent> staged_;  // registry's lock

  mutable std::mutex mutex_;
  std::vector<QueuedEvent> queue_;
  std::size_t exempt_ = 0;  // preloaded events still in queue_
  std::optional<Error> terminal_;
};

using WatcherStatePtr = std::shared_ptr<WatcherState>;

class WatcherRegistry;

// The CacheWatcher the API layer holds; destroying it unregisters the watcher.
class CacheWatcherImpl : public CacheWatcher {
 public:
  CacheWatcherImpl(WatcherStatePtr state, std::weak_ptr<WatcherRegistry> registry);
  ~CacheWatcherImpl() override;
  CacheWatcherImpl(const CacheWatcherImpl&) = delete;
  CacheWatcherImpl& operator=(const CacheWatcherImpl&) = delete;

  boost::asio::awaitable<Result<std::vector<WatchEvent>>> next(
      std::chrono::milliseconds timeout) override;

 private:
  WatcherStatePtr state_;
  std::weak_ptr<WatcherRegistry> registry_;
};

}  // namespace kcpp::storage::cacher
