#include "storage/cacher/cache_watcher.h"

#include <algorithm>
#include <utility>

#include "storage/cacher/watcher_registry.h"

namespace kcpp::storage::cacher {

WatcherState::WatcherState(std::string prefix, Predicate predicate, Revision minRevision,
                           std::shared_ptr<const DispatchProgress> progress)
    : prefix_(std::move(prefix)),
      predicate_(std::move(predicate)),
      minRevision_(minRevision),
      progress_(std::move(progress)) {}

bool WatcherState::matches(const CachedObject& object) const {
  return !predicate_ || predicate_(*object.attributes);
}

std::optional<QueuedEvent> WatcherState::translate(const HistoryEntry& entry) const {
  if (entry.revision <= minRevision_ || !entry.object->key.starts_with(prefix_)) return std::nullopt;
  using Type = WatchEvent::Type;
  if (entry.deleted) {
    if (!matches(*entry.object)) return std::nullopt;
    return QueuedEvent{Type::Deleted, entry.object, entry.revision};
  }
  const bool now = matches(*entry.object);
  const bool before = entry.prev && matches(*entry.prev);
  if (now) return QueuedEvent{before ? Type::Modified : Type::Added, entry.object, entry.revision};
  if (!before) return std::nullopt;
  // It stopped matching: the watcher sees it go, with the state it last knew.
  const ObjectPtr& last = entry.prevAtRevision ? entry.prevAtRevision : entry.prev;
  return QueuedEvent{Type::Deleted, last, entry.revision};
}

void WatcherState::preload(std::vector<QueuedEvent> events) {
  std::lock_guard lock(mutex_);
  exempt_ += events.size();
  std::move(events.begin(), events.end(), std::back_inserter(queue_));
}

bool WatcherState::deliverStaged(std::size_t capacity) {
  bool delivered = true;
  {
    std::lock_guard lock(mutex_);
    if (terminal_) {
      delivered = false;
    } else if (queue_.size() - exempt_ + staged_.size() > capacity) {
      // Upstream closes a watcher that cannot keep up rather than block the
      // cache or buffer without bound; the client resumes or relists.
      terminal_ = makeError(Reason::Expired, "the watch fell too far behind (more than " +
                                                 std::to_string(capacity) +
                                                 " undelivered events) and was closed");
      queue_.clear();
      exempt_ = 0;
      delivered = false;
    } else {
      std::move(staged_.begin(), staged_.end(), std::back_inserter(queue_));
    }
  }
  staged_.clear();
  wakeup_->notify();
  return delivered;
}

void WatcherState::terminate(Error error) {
  {
    std::lock_guard lock(mutex_);
    if (terminal_) return;
    terminal_ = std::move(error);
    queue_.clear();
    exempt_ = 0;
  }
  wakeup_->notify();
}

bool WatcherState::terminated() const {
  std::lock_guard lock(mutex_);
  return terminal_.has_value();
}

std::optional<Result<std::vector<WatchEvent>>> WatcherState::take(bool bookmarkWhenEmpty) {
  std::vector<QueuedEvent> taken;
  {
    std::lock_guard lock(mutex_);
    if (terminal_) return Result<std::vector<WatchEvent>>(*terminal_);
    if (!queue_.empty()) {
      taken.swap(queue_);
      exempt_ = 0;
    } else if (bookmarkWhenEmpty) {
      // Read under the lock: the dispatcher publishes progress only after
      // delivering a batch to every watcher, so with the queue empty nothing at
      // or below it is missing.
      const Revision caughtUp = std::max(progress_->load(std::memory_order_acquire), minRevision_);
      taken.push_back(QueuedEvent{WatchEvent::Type::Bookmark, nullptr, caughtUp});
    } else {
      return std::nullopt;
    }
  }
  // Copied out of the lock: a large initial state must not stall the dispatcher.
  return Result<std::vector<WatchEvent>>(materialize(std::move(taken)));
}

std::vector<WatchEvent> WatcherState::materialize(std::vector<QueuedEvent> events) {
  std::vector<WatchEvent> out;
  out.reserve(events.size());
  for (QueuedEvent& e : events) {
    WatchEvent& w = out.emplace_back();
    w.type = e.type;
    if (e.object) w.object = *e.object;
    w.revision = e.revision;
    w.initialEventsEnd = e.initialEventsEnd;
  }
  return out;
}

CacheWatcherImpl::CacheWatcherImpl(WatcherStatePtr state, std::weak_ptr<WatcherRegistry> registry)
    : state_(std::move(state)), registry_(std::move(registry)) {}

CacheWatcherImpl::~CacheWatcherImpl() {
  if (auto registry = registry_.lock()) registry->remove(*state_);
}

boost::asio::awaitable<Result<std::vector<WatchEvent>>> CacheWatcherImpl::next(
    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto taken = state_->take(false)) co_return std::move(*taken);
    const auto remaining = deadline - std::chrono::steady_clock::now();
    if (remaining <= std::chrono::steady_clock::duration::zero()) break;
    // A notification can be stale (its events already taken): loop and look.
    const bool notified = co_await state_->wakeup().wait(remaining);
    if (!notified) break;
  }
  co_return std::move(*state_->take(true));
}

}  // namespace kcpp::storage::cacher
