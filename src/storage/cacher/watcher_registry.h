#pragma once
// WatcherRegistry: the watch cache's live watchers, grouped by prefix, and the
// fan-out of each batch of changes to them.
//
// Dispatch costs one prefix comparison per (change, distinct prefix) and one
// predicate call per (change, watcher of a matching prefix); each touched watcher
// is locked and woken once per batch, however many of the batch's changes it gets.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/cacher/cache_watcher.h"
#include "storage/cacher/event_history.h"

namespace kcpp::storage::cacher {

class WatcherRegistry {
 public:
  using Lock = std::unique_lock<std::mutex>;

  explicit WatcherRegistry(std::size_t queueCapacity);

  // The cache takes this lock before it lets go of its state lock, so that a
  // watcher registered from some state gets exactly the batches after it.
  Lock lock();

  void add(const Lock& lock, WatcherStatePtr watcher);
  void remove(WatcherState& watcher);

  // Hands `batch` (in revision order) to every watcher it concerns, then
  // publishes `revision` as what every watcher is caught up to. Watchers that
  // fall too far behind are terminated and unregistered.
  void dispatch(const Lock& lock, const std::vector<HistoryEntry>& batch, Revision revision);
  // Ends and unregisters every watcher.
  void terminateAll(const Lock& lock, const Error& error);
  // Publishes `revision` without a batch (after a relist).
  void setProgress(const Lock& lock, Revision revision);

  std::shared_ptr<const DispatchProgress> progress() const { return progress_; }
  std::size_t size();

 private:
  void removeLocked(WatcherState& watcher);

  std::mutex mutex_;
  std::map<std::string, std::vector<WatcherStatePtr>, std::less<>> groups_;  // by prefix
  std::size_t count_ = 0;
  const std::size_t queueCapacity_;
  const std::shared_ptr<DispatchProgress> progress_ = std::make_shared<DispatchProgress>(0);
  std::vector<WatcherState*> touched_;  // dispatch()'s scratch, kept for its capacity
};

}  // namespace kcpp::storage::cacher
