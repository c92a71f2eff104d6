#pragma once
// EventHistory: the watch cache's ring of recent changes, so that a watch can
// start from an older resourceVersion (upstream's watchCache cyclic buffer).

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>

#include "storage/cacher/watch_cache.h"
#include "util/error.h"

namespace kcpp::storage::cacher {

using ObjectPtr = std::shared_ptr<const CachedObject>;

// One change of one key, with what every watcher needs to translate it by its
// own predicate (see translate() in watcher_state.h).
struct HistoryEntry {
  Revision revision = 0;
  bool deleted = false;
  // Put: the new state. Delete: the last state, with the delete's revision.
  ObjectPtr object;
  // The state before this change; null when the key was created.
  ObjectPtr prev;
  // `prev` re-encoded with this change's revision: what a watcher that stops
  // matching gets as Deleted (as upstream). Only set when the attributes changed,
  // the only case in which a predicate's answer can change.
  ObjectPtr prevAtRevision;
};

class EventHistory {
 public:
  explicit EventHistory(std::size_t capacity);

  // After a (re)list at `listRevision`: empty, and complete for every revision
  // after it.
  void reset(Revision listRevision);
  // Entries come in revision order. When full, drops the oldest revision whole
  // (a revision's entries are never split, so a watch never gets half of one).
  void push(HistoryEntry entry);

  // Calls `visit` for every entry with revision > `after`, oldest first; or
  // Reason::Expired "too old resource version: R (OLDEST)" when some of those
  // were already dropped (upstream's check and message).
  Result<void> forEachAfter(Revision after,
                            const std::function<void(const HistoryEntry&)>& visit) const;

  std::size_t size() const { return entries_.size(); }

 private:
  std::size_t capacity_;
  std::deque<HistoryEntry> entries_;
  Revision listRevision_ = 0;
  bool dropped_ = false;  // entries were dropped since the last reset
  Revision droppedThrough_ = 0;  // the newest revision dropped
};

}  // namespace kcpp::storage::cacher
