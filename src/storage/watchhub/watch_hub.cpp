#include "storage/watchhub/watch_hub.h"

#include <algorithm>
#include <atomic>
#include <utility>

namespace kcpp::storage {

// One watch. The hub's mutex guards cursor/pendingError; deliveryMutex makes
// "no callbacks after the Watch's destructor returns" hold across threads.
struct WatchHub::Watcher {
  std::string prefix;
  WatchSink sink;
  Revision cursor = 0;              // every event <= cursor was handled
  std::optional<Error> pendingError;
  std::atomic<bool> cancelled{false};
  std::mutex deliveryMutex;
  std::atomic<std::thread::id> deliveringThread{};

  void deliver(std::vector<Event> events) {
    std::lock_guard lock(deliveryMutex);
    if (cancelled || !sink.onEvents) return;
    deliveringThread = std::this_thread::get_id();
    sink.onEvents(std::move(events));
    deliveringThread = std::thread::id{};
  }

  void fail(Error error) {
    std::lock_guard lock(deliveryMutex);
    if (cancelled || !sink.onError) return;
    deliveringThread = std::this_thread::get_id();
    sink.onError(std::move(error));
    deliveringThread = std::thread::id{};
  }

  void cancel() {
    // Destroying the Watch from inside its own callback must not wait for itself.
    if (deliveringThread.load() == std::this_thread::get_id()) {
      cancelled = true;
      return;
    }
    std::lock_guard lock(deliveryMutex);
    cancelled = true;
  }
};

// Work the dispatcher does for one watcher outside the hub's lock.
struct WatchHub::Delivery {
  std::shared_ptr<Watcher> watcher{};
  std::vector<Event> events{};
  std::optional<Error> error{};
  bool fromHistory = false;
  Revision after = 0;
  Revision upTo = 0;
  Revision newCursor = 0;
};

namespace {

class HubWatch : public Watch {
 public:
  explicit HubWatch(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  ~HubWatch() override { cancel_(); }

 private:
  std::function<void()> cancel_;
};

Revision revisionOf(const Event& event) { return event.kv.modRevision; }

std::size_t sizeOf(const Event& event) {
  std::size_t size = event.kv.key.size() + event.kv.value.size() + sizeof(Event);
  if (event.prev) size += event.prev->value.size();
  return size;
}

bool hasPrefix(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

WatchHub::WatchHub(Revision current, Revision compacted, WatchHubOptions options)
    : options_(std::move(options)),
      windowStart_(options_.history ? current : compacted),
      latest_(current),
      compacted_(compacted),
      dispatcher_([this] { run(); }) {
  KCPP_CHECK(options_.maxBatch > 0, "WatchHub maxBatch must be positive");
  KCPP_CHECK((options_.windowEvents == 0 && options_.windowBytes == 0) || options_.history,
             "a bounded WatchHub window needs a history reader");
}

WatchHub::~WatchHub() {
  close(makeError(Reason::ServiceUnavailable, "the store is closed"));
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  wake_.notify_all();
  dispatcher_.join();
}

void WatchHub::publish(std::vector<Event> events) {
  if (events.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (auto& event : events) {
      KCPP_CHECK(revisionOf(event) >= latest_, "WatchHub events published out of order");
      latest_ = revisionOf(event);
      windowBytes_ += sizeOf(event);
      window_.push_back(std::move(event));
    }
    trimLocked();
  }
  wake_.notify_all();
}

void WatchHub::setCompacted(Revision revision) {
  std::lock_guard lock(mutex_);
  compacted_ = std::max(compacted_, revision);
  trimLocked();
}

WatchPtr WatchHub::watch(std::string prefix, Revision afterRevision, WatchSink sink) {
  auto watcher = std::make_shared<Watcher>();
  watcher->prefix = std::move(prefix);
  watcher->sink = std::move(sink);
  watcher->cursor = afterRevision;
  {
    std::lock_guard lock(mutex_);
    if (closeError_) {
      watcher->pendingError = *closeError_;
    } else if (afterRevision < compacted_) {
      watcher->pendingError = makeError(
          Reason::Expired, "required revision " + std::to_string(afterRevision) +
                               " has been compacted (compacted revision " +
                               std::to_string(compacted_) + ")");
    }
    watchers_.push_back(watcher);
  }
  wake_.notify_all();
  return std::make_unique<HubWatch>([watcher] { watcher->cancel(); });
}

void WatchHub::close(Error error) {
  std::unique_lock lock(mutex_);
  if (!closeError_) closeError_ = std::move(error);
  wake_.notify_all();
  // From inside a callback the dispatcher is this thread: waiting would deadlock.
  if (std::this_thread::get_id() == dispatcher_.get_id()) return;
  drained_.wait(lock, [this] { return watchers_.empty(); });
}

bool WatchHub::hasWorkLocked() const {
  if (closeError_ && !watchers_.empty()) return true;
  return std::any_of(watchers_.begin(), watchers_.end(), [this](const auto& w) {
    return w->cancelled || w->pendingError || w->cursor < latest_;
  });
}

void WatchHub::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopped_ || hasWorkLocked(); });
    if (stopped_) return;
    auto deliveries = collectLocked();
    lock.unlock();
    for (auto& d : deliveries) {
      if (d.fromHistory) fetchHistory(d);
      if (d.error) {
        d.watcher->fail(std::move(*d.error));
      } else if (!d.events.empty()) {
        d.watcher->deliver(std::move(d.events));
      }
    }
    lock.lock();
    for (auto& d : deliveries) {
      if (d.error) d.watcher->cancelled = true;  // ended: pruned below
      else if (d.fromHistory) d.watcher->cursor = d.newCursor;
    }
    std::erase_if(watchers_, [](const auto& w) { return w->cancelled.load(); });
    if (watchers_.empty()) drained_.notify_all();
  }
}

std::vector<WatchHub::Delivery> WatchHub::collectLocked() {
  std::erase_if(watchers_, [](const auto& w) { return w->cancelled.load(); });
  if (watchers_.empty()) drained_.notify_all();
  std::vector<Delivery> out;
  for (auto& w : watchers_) {
    if (w->pendingError) {
      out.push_back(Delivery{.watcher = w, .error = std::move(w->pendingError)});
      w->pendingError.reset();
    } else if (w->cursor < latest_ && w->cursor >= windowStart_) {
      if (auto d = collectFromWindowLocked(*w)) {
        d->watcher = w;
        out.push_back(std::move(*d));
      }
    } else if (w->cursor < latest_ && options_.history) {
      out.push_back(Delivery{.watcher = w, .fromHistory = true, .after = w->cursor,
                             .upTo = windowStart_});
    } else if (w->cursor < latest_) {
      out.push_back(Delivery{.watcher = w,
                             .error = makeError(Reason::Expired, "watch fell behind compaction")});
    } else if (closeError_) {
      out.push_back(Delivery{.watcher = w, .error = *closeError_});
    }
  }
  return out;
}

// Takes the watcher's next batch from the window and moves its cursor past
// everything scanned (matching or not), ending at a revision boundary.
std::optional<WatchHub::Delivery> WatchHub::collectFromWindowLocked(Watcher& watcher) {
  std::vector<Event> events;
  const std::size_t maxScan = options_.maxBatch * 4;  // bounds time under the lock
  std::size_t scanned = 0;
  Revision last = watcher.cursor;
  bool reachedEnd = true;
  for (auto i = windowIndexAfter(watcher.cursor); i < window_.size(); ++i) {
    const Event& event = window_[i];
    bool full = events.size() >= options_.maxBatch || scanned >= maxScan;
    if (full && revisionOf(event) != last) {
      reachedEnd = false;
      break;
    }
    ++scanned;
    last = revisionOf(event);
    if (hasPrefix(event.kv.key, watcher.prefix)) events.push_back(event);
  }
  // The window holds every event in (windowStart_, latest_]: scanning to its end
  // means the watcher has seen everything up to latest_.
  watcher.cursor = reachedEnd ? latest_ : last;
  if (events.empty()) return std::nullopt;
  return Delivery{.events = std::move(events)};
}

void WatchHub::fetchHistory(Delivery& d) {
  auto chunk = options_.history(d.watcher->prefix, d.after, d.upTo, options_.maxBatch);
  if (!chunk) {
    d.error = std::move(chunk).error();
    return;
  }
  KCPP_CHECK(chunk->scannedTo > d.after, "HistoryReader made no progress");
  d.events = std::move(chunk->events);
  d.newCursor = chunk->scannedTo;
}

std::size_t WatchHub::windowIndexAfter(Revision revision) const {
  auto it = std::partition_point(window_.begin(), window_.end(),
                                 [revision](const Event& e) { return revisionOf(e) <= revision; });
  return static_cast<std::size_t>(it - window_.begin());
}

// Drops window events no watch can need: those at or below the compacted revision
// (but, with an unbounded window, none a running watch has yet to see) and, with a
// bounded window, the oldest beyond its size (watches then read the history).
void WatchHub::trimLocked() {
  Revision limit = std::min(compacted_, latest_);
  if (!options_.history) {  // nothing to fall back on: keep what watches still need
    for (const auto& w : watchers_) {
      if (!w->cancelled && !w->pendingError) limit = std::min(limit, w->cursor);
    }
  }
  while (!window_.empty() && revisionOf(window_.front()) <= limit) popFrontLocked();
  windowStart_ = std::max(windowStart_, limit);
  while (windowTooBigLocked()) {
    Revision dropped = revisionOf(window_.front());
    while (!window_.empty() && revisionOf(window_.front()) == dropped) popFrontLocked();
    windowStart_ = dropped;
  }
}

bool WatchHub::windowTooBigLocked() const {
  if (window_.empty()) return false;
  return (options_.windowEvents > 0 && window_.size() > options_.windowEvents) ||
         (options_.windowBytes > 0 && windowBytes_ > options_.windowBytes);
}

void WatchHub::popFrontLocked() {
  windowBytes_ -= sizeOf(window_.front());
  window_.pop_front();
}

}  // namespace kcpp::storage
