// Applying the store's events: queue them on the store's thread, then decode,
// apply and dispatch them in batches on the cache's executor.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <string_view>
#include <unordered_map>
#include <utility>

#include "storage/cacher/watch_cache_impl.h"

namespace kcpp::storage {

namespace asio = boost::asio;

using cacher::HistoryEntry;

// On the store's thread: only queue, so the store's fan-out is never slowed by
// decoding or by the cache's watchers.
void WatchCache::Impl::onEvents(std::uint64_t generation, std::vector<Event> events) {
  if (events.empty()) return;
  const Revision last = events.back().kv.modRevision;
  bool schedule = false;
  {
    std::lock_guard lock(inboxMutex_);
    inbox_.push_back(InboxItem{generation, std::move(events)});
    schedule = !std::exchange(drainScheduled_, true);
  }
  // Raised after queueing: a read that sees received_ >= R knows R is on its way.
  Revision received = received_.load();
  while (received < last && !received_.compare_exchange_weak(received, last)) {
  }
  if (schedule) {
    asio::post(executor_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->drain();
    });
  }
}

void WatchCache::Impl::onError(std::uint64_t generation, Error error) {
  asio::post(executor_, [weak = weak_from_this(), generation, error = std::move(error)]() mutable {
    auto self = weak.lock();
    if (!self) return;
    auto executor = self->executor_;
    asio::co_spawn(executor, self->recover(self, generation, std::move(error)), asio::detached);
  });
}

// Applies what is queued as one batch, then yields the executor before the next.
void WatchCache::Impl::drain() {
  std::lock_guard processing(processMutex_);
  std::vector<InboxItem> items;
  {
    std::lock_guard lock(inboxMutex_);
    if (stopped_ || inbox_.empty()) {
      drainScheduled_ = false;
      return;
    }
    items.swap(inbox_);
  }
  process(std::move(items));
  std::lock_guard lock(inboxMutex_);
  if (stopped_ || inbox_.empty()) {
    drainScheduled_ = false;
    return;
  }
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->drain();
  });
}

void WatchCache::Impl::process(std::vector<InboxItem> items) {
  const std::uint64_t generation = generation_.load();
  std::vector<Event> events;
  for (InboxItem& item : items) {
    if (item.generation != generation) continue;  // from a watch a relist replaced
    std::move(item.events.begin(), item.events.end(), std::back_inserter(events));
  }
  if (events.empty()) return;
  const Revision last = events.back().kv.modRevision;
  // Decoding is the expensive part: done outside the state's lock.
  std::vector<Change> changes = decodeChanges(std::move(events));
  findPrevious(changes);
  decodePreviousAtRevision(changes);
  apply(std::move(changes), last, generation);
}

std::vector<WatchCache::Impl::Change> WatchCache::Impl::decodeChanges(std::vector<Event> events) const {
  std::vector<Change> changes;
  changes.reserve(events.size());
  for (Event& event : events) {
    Change change;
    if (event.type == Event::Type::Put) {
      auto object = decode(event.kv);
      if (!object) {
        spdlog::error("watch cache {}: cannot decode {} at revision {} ({}); keeping its previous state",
                      prefix_, event.kv.key, event.kv.modRevision, object.error().message);
        continue;
      }
      change.object = std::move(*object);
    } else if (event.prev) {
      // The last state, re-encoded with the delete's revision (upstream's Deleted).
      KeyValue last = *event.prev;
      last.modRevision = event.kv.modRevision;
      if (auto object = decode(last)) change.object = std::move(*object);
    }
    change.event = std::move(event);
    changes.push_back(std::move(change));
  }
  return changes;
}

// Each change's previous state: the cache's, or an earlier change's in this batch.
// Only this thread writes objects_ (a relist would change the generation, which
// apply() checks), so what is read here is still current when apply() runs.
void WatchCache::Impl::findPrevious(std::vector<Change>& changes) const {
  std::unordered_map<std::string_view, ObjectPtr> batch;
  std::shared_lock state(stateMutex_);
  for (Change& change : changes) {
    const std::string& key = change.event.kv.key;
    if (auto it = batch.find(key); it != batch.end()) {
      change.prev = it->second;
    } else if (auto found = objects_.find(key); found != objects_.end()) {
      change.prev = found->second;
    }
    batch[key] = change.event.type == Event::Type::Delete ? nullptr : change.object;
  }
}

void WatchCache::Impl::decodePreviousAtRevision(std::vector<Change>& changes) const {
  for (Change& change : changes) {
    const Revision revision = change.event.kv.modRevision;
    if (change.event.type == Event::Type::Delete) {
      if (change.object || !change.prev) continue;
      // No re-encodable previous value: the cached state, with the delete's revision.
      auto last = std::make_shared<CachedObject>(*change.prev);
      last->modRevision = revision;
      change.object = std::move(last);
      continue;
    }
    // Only an attribute change can make a predicate stop matching.
    if (!change.prev || !change.event.prev) continue;
    const auto& before = change.prev->attributes;
    const auto& after = change.object->attributes;
    if (before == after || *before == *after) continue;
    KeyValue last = *change.event.prev;
    last.modRevision = revision;
    if (auto object = decode(last)) change.prevAtRevision = std::move(*object);
  }
}

// Applies a batch under the state's lock, then hands the lock over to the
// registry's for the dispatch: reads proceed while watchers are fed.
void WatchCache::Impl::apply(std::vector<Change> changes, Revision last, std::uint64_t generation) {
  std::vector<HistoryEntry> batch;
  batch.reserve(changes.size());
  std::unique_lock state(stateMutex_);
  if (generation_.load() != generation) return;  // a relist replaced the state meanwhile
  for (Change& change : changes) {
    const bool deleted = change.event.type == Event::Type::Delete;
    if (!change.object) continue;  // a delete of a key the cache never had
    HistoryEntry entry{change.event.kv.modRevision, deleted, std::move(change.object),
                       std::move(change.prev), std::move(change.prevAtRevision)};
    if (deleted) {
      objects_.erase(change.event.kv.key);
    } else {
      objects_.insert_or_assign(std::move(change.event.kv.key), entry.object);
    }
    history_.push(entry);
    batch.push_back(std::move(entry));
  }
  // Even if nothing was applicable: the cache has seen everything up to `last`.
  revision_.store(std::max(revision_.load(), last), std::memory_order_release);
  auto registry = registry_->lock();
  state.unlock();
  registry_->dispatch(registry, batch, last);
  registry.unlock();
  notifyWaiters(last, false);
}

Result<cacher::ObjectPtr> WatchCache::Impl::decode(const KeyValue& kv) const {
  auto decoded = decoder_(kv);
  if (!decoded) return std::move(decoded).error();
  auto object = std::make_shared<CachedObject>();
  object->key = kv.key;
  object->createRevision = kv.createRevision;
  object->modRevision = kv.modRevision;
  object->json = decoded->json ? std::move(decoded->json) : std::make_shared<const std::string>();
  object->attributes = decoded->attributes ? std::move(decoded->attributes) : noAttributes_;
  return ObjectPtr(std::move(object));
}

}  // namespace kcpp::storage
