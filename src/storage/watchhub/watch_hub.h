#pragma once
// WatchHub: fans a store's committed events out to its watches (store.h's watch
// contract), shared by the backends that keep their own log (memory, SQLite).
//
// The backend publishes every committed event, in revision order. The hub keeps
// the newest ones in memory (its "window") and runs one dispatcher thread that
// moves each watch's cursor forward: from the window when the cursor is inside it,
// otherwise from the backend's history (HistoryReader), so a watch that starts at
// an old revision replays from disk and then continues live with no gap and no
// duplicate. One thread delivers everything, so each watch sees its events in
// revision order and a revision's events arrive in one call.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "util/error.h"

namespace kcpp::storage {

// What a HistoryReader returns: the matching events with revision in
// (after, scannedTo], in revision order.
struct HistoryChunk {
  std::vector<Event> events;
  Revision scannedTo = 0;
};

// Reads committed events under `prefix` with revision in (after, upTo], at most
// `maxEvents` of them (whole revisions). Reason::Expired when `after` is compacted.
using HistoryReader = std::function<Result<HistoryChunk>(const std::string& prefix, Revision after,
                                                         Revision upTo, std::size_t maxEvents)>;

struct WatchHubOptions {
  // How many events the window keeps. 0: all of them until compaction (then no
  // history reader is needed: the memory store's case).
  std::size_t windowEvents = 0;
  // And at most about this many bytes of keys and values (0: no byte limit);
  // only with a history reader, like windowEvents.
  std::size_t windowBytes = 0;
  HistoryReader history;
  // Events handed to one onEvents call, at most (whole revisions are never split).
  std::size_t maxBatch = 1024;
};

class WatchHub {
 public:
  // `current`: the newest revision already committed; `compacted`: the store's
  // compacted revision. Events published later must be newer than `current`.
  // With a history reader, events up to `current` come from it; without one the
  // store must have had no events above `compacted` yet (a new memory store).
  WatchHub(Revision current, Revision compacted, WatchHubOptions options);
  // Ends every watch with ServiceUnavailable (if close() was not called) and stops.
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  // Committed events, in revision order (an event's revision is its kv.modRevision).
  void publish(std::vector<Event> events);
  // History at or below `revision` is gone: new watches from before it expire.
  void setCompacted(Revision revision);

  WatchPtr watch(std::string prefix, Revision afterRevision, WatchSink sink);

  // Delivers what was published, then ends every watch (current and future) with
  // `error`. Returns once the dispatcher thread has stopped.
  void close(Error error);

 private:
  struct Watcher;
  struct Delivery;

  void run();
  bool hasWorkLocked() const;
  std::vector<Delivery> collectLocked();
  std::optional<Delivery> collectFromWindowLocked(Watcher& watcher);
  void fetchHistory(Delivery& delivery);
  void trimLocked();
  std::size_t windowIndexAfter(Revision revision) const;
  bool windowTooBigLocked() const;
  void popFrontLocked();

  WatchHubOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the dispatcher has work
  std::condition_variable drained_;  // watchers_ became empty
  std::deque<Event> window_;      // events with revision in (windowStart_, latest_]
  std::size_t windowBytes_ = 0;   // their keys and values, roughly
  Revision windowStart_ = 0;
  Revision latest_ = 0;
  Revision compacted_ = 0;
  std::vector<std::shared_ptr<Watcher>> watchers_;
  std::optional<Error> closeError_;
  bool stopped_ = false;
  std::thread dispatcher_;  // last: starts after everything above is ready
};

using WatchHubPtr = std::unique_ptr<WatchHub>;

}  // namespace kcpp::storage
