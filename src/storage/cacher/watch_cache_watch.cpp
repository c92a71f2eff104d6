// Registering watchers: the events a new watch starts with, taken from the same
// state the registry then continues from.
#include <utility>

#include "storage/cacher/watch_cache_impl.h"

namespace kcpp::storage {

using cacher::CacheWatcherImpl;
using cacher::HistoryEntry;
using cacher::QueuedEvent;
using cacher::WatcherState;

Result<CacheWatcherPtr> WatchCache::Impl::watch(std::string prefix, Predicate predicate,
                                                Revision afterRevision, bool sendInitialState) {
  if (prefix.empty()) prefix = prefix_;
  KCPP_CHECK(prefix.starts_with(prefix_), "a watch outside the watch cache's prefix");
  if (!ready()) {
    Error error = makeError(Reason::ServiceUnavailable, "the watch cache of " + prefix_ + " is not ready");
    error.retryAfterSeconds = 1;
    return error;
  }
  std::shared_lock state(stateMutex_);
  const Revision current = revision();
  // Events at or below `from` are not for this watcher: they are in its initial
  // state, or before what it asked for.
  const Revision from = sendInitialState || afterRevision == 0 ? current : afterRevision;
  auto watcher = std::make_shared<WatcherState>(std::move(prefix), std::move(predicate), from,
                                                registry_->progress());
  std::vector<QueuedEvent> initial;
  if (sendInitialState) {
    for (auto it = objects_.lower_bound(watcher->prefix());
         it != objects_.end() && it->first.starts_with(watcher->prefix()); ++it) {
      if (watcher->matches(*it->second)) initial.push_back({WatchEvent::Type::Added, it->second, current});
    }
    initial.push_back({WatchEvent::Type::Bookmark, nullptr, current, /*initialEventsEnd=*/true});
  } else if (afterRevision != 0) {
    auto replayed = history_.forEachAfter(afterRevision, [&](const HistoryEntry& entry) {
      if (auto event = watcher->translate(entry)) initial.push_back(std::move(*event));
    });
    if (!replayed) return std::move(replayed).error();
  }
  watcher->preload(std::move(initial));
  // Registered before the state lock is released: the next batch applied after
  // `current` is dispatched to it.
  auto registry = registry_->lock();
  state.unlock();
  registry_->add(registry, watcher);
  registry.unlock();
  return CacheWatcherPtr(std::make_unique<CacheWatcherImpl>(std::move(watcher), registry_));
}

}  // namespace kcpp::storage
