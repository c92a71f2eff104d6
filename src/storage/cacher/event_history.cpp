#include "storage/cacher/event_history.h"

#include <algorithm>
#include <string>
#include <utility>

namespace kcpp::storage::cacher {

EventHistory::EventHistory(std::size_t capacity) : capacity_(capacity) {
  KCPP_CHECK(capacity_ > 0, "the watch cache's history needs room for one event");
}

void EventHistory::reset(Revision listRevision) {
  entries_.clear();
  listRevision_ = listRevision;
  dropped_ = false;
  droppedThrough_ = 0;
}

void EventHistory::push(HistoryEntry entry) {
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) {
    const Revision oldest = entries_.front().revision;
    while (!entries_.empty() && entries_.front().revision == oldest) entries_.pop_front();
    dropped_ = true;
    droppedThrough_ = oldest;
  }
}

Result<void> EventHistory::forEachAfter(
    Revision after, const std::function<void(const HistoryEntry&)>& visit) const {
  // The oldest event that can still be delivered: right after the list, until
  // something was dropped; then the oldest one kept (upstream's rule). A capacity
  // smaller than one revision's events can leave the ring empty.
  Revision oldest = listRevision_ + 1;
  if (dropped_) oldest = entries_.empty() ? droppedThrough_ + 1 : entries_.front().revision;
  if (after < oldest - 1) {
    return makeError(Reason::Expired, "too old resource version: " + std::to_string(after) + " (" +
                                          std::to_string(oldest - 1) + ")");
  }
  auto first = std::upper_bound(entries_.begin(), entries_.end(), after,
                                [](Revision r, const HistoryEntry& e) { return r < e.revision; });
  std::for_each(first, entries_.end(), visit);
  return {};
}

}  // namespace kcpp::storage::cacher
