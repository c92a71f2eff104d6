#include "storage/cacher/watcher_registry.h"

#include <utility>

namespace kcpp::storage::cacher {

WatcherRegistry::WatcherRegistry(std::size_t queueCapacity) : queueCapacity_(queueCapacity) {
  KCPP_CHECK(queueCapacity_ > 0, "a watcher's queue needs room for one event");
}

WatcherRegistry::Lock WatcherRegistry::lock() { return Lock(mutex_); }

void WatcherRegistry::add(const Lock& lock, WatcherStatePtr watcher) {
  KCPP_CHECK(lock.owns_lock() && lock.mutex() == &mutex_, "add() without the registry's lock");
  auto& group = groups_[watcher->prefix()];
  watcher->registrySlot = group.size();
  watcher->registered = true;
  group.push_back(std::move(watcher));
  ++count_;
}

void WatcherRegistry::remove(WatcherState& watcher) {
  std::lock_guard lock(mutex_);
  removeLocked(watcher);
}

void WatcherRegistry::removeLocked(WatcherState& watcher) {
  if (!watcher.registered) return;
  auto it = groups_.find(watcher.prefix());
  KCPP_CHECK(it != groups_.end(), "a registered watcher's group is missing");
  auto& group = it->second;
  const std::size_t slot = watcher.registrySlot;
  KCPP_CHECK(slot < group.size() && group[slot].get() == &watcher, "a watcher's slot is stale");
  // Swap-and-pop keeps removal O(1) with thousands of watchers.
  if (slot + 1 != group.size()) {
    group[slot] = std::move(group.back());
    group[slot]->registrySlot = slot;
  }
  watcher.registered = false;
  group.pop_back();  // may drop the last reference to `watcher`: touch it no more
  if (group.empty()) groups_.erase(it);
  --count_;
}

void WatcherRegistry::dispatch(const Lock& lock, const std::vector<HistoryEntry>& batch,
                               Revision revision) {
  KCPP_CHECK(lock.owns_lock() && lock.mutex() == &mutex_, "dispatch() without the registry's lock");
  for (const HistoryEntry& entry : batch) {
    const std::string& key = entry.object->key;
    for (auto& [prefix, group] : groups_) {
      if (!key.starts_with(prefix)) continue;
      for (const WatcherStatePtr& watcher : group) {
        auto event = watcher->translate(entry);
        if (!event) continue;
        if (!watcher->hasStaged()) touched_.push_back(watcher.get());
        watcher->stage(std::move(*event));
      }
    }
  }
  std::vector<WatcherState*> dropped;
  for (WatcherState* watcher : touched_) {
    if (!watcher->deliverStaged(queueCapacity_)) dropped.push_back(watcher);
  }
  touched_.clear();
  // Only now: a watcher that reads this with an empty queue must have had every
  // event up to it delivered.
  progress_->store(revision, std::memory_order_release);
  for (WatcherState* watcher : dropped) removeLocked(*watcher);
}

void WatcherRegistry::terminateAll(const Lock& lock, const Error& error) {
  KCPP_CHECK(lock.owns_lock() && lock.mutex() == &mutex_, "terminateAll() without the registry's lock");
  for (auto& [prefix, group] : groups_) {
    for (const WatcherStatePtr& watcher : group) {
      watcher->terminate(error);
      watcher->registered = false;
    }
  }
  groups_.clear();
  count_ = 0;
}

void WatcherRegistry::setProgress(const Lock& lock, Revision revision) {
  KCPP_CHECK(lock.owns_lock() && lock.mutex() == &mutex_, "setProgress() without the registry's lock");
  progress_->store(revision, std::memory_order_release);
}

std::size_t WatcherRegistry::size() {
  std::lock_guard lock(mutex_);
  return count_;
}

}  // namespace kcpp::storage::cacher
