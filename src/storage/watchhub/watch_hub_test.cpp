#include "storage/watchhub/watch_hub.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace kcpp::storage {
namespace {

Event put(Revision rev, std::string key, std::string value = "v") {
  Event e;
  e.kv = KeyValue{std::move(key), std::move(value), rev, rev};
  return e;
}

struct Collected {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Revision> revisions;
  std::optional<Error> error;

  WatchSink sink() {
    return WatchSink{[this](std::vector<Event> events) {
                       std::lock_guard lock(mutex);
                       for (auto& e : events) revisions.push_back(e.kv.modRevision);
                       changed.notify_all();
                     },
                     [this](Error e) {
                       std::lock_guard lock(mutex);
                       error = std::move(e);
                       changed.notify_all();
                     }};
  }
  bool waitFor(std::size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(5), [&] { return revisions.size() >= count; });
  }
  bool waitForError() {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(5), [&] { return error.has_value(); });
  }
};

// A backend log of revisions 1..100 under "/a/", older ones served by history.
struct FakeLog {
  std::vector<Event> events;
  Revision compacted = 0;
  int reads = 0;
  HistoryReader reader() {
    return [this](const std::string& prefix, Revision after, Revision upTo, std::size_t max) -> Result<HistoryChunk> {
      ++reads;
      if (after < compacted) return makeError(Reason::Expired, "compacted");
      HistoryChunk chunk;
      chunk.scannedTo = upTo;
      for (const auto& e : events) {
        if (e.kv.modRevision <= after || e.kv.modRevision > upTo) continue;
        if (e.kv.key.rfind(prefix, 0) != 0) continue;
        chunk.events.push_back(e);
        if (chunk.events.size() == max) {
          chunk.scannedTo = e.kv.modRevision;
          break;
        }
      }
      return chunk;
    };
  }
};

TEST(WatchHub, BoundedWindowFallsBackToHistoryWithoutGaps) {
  FakeLog log;
  for (Revision r = 1; r <= 100; ++r) log.events.push_back(put(r, "/a/" + std::to_string(r % 5)));
  WatchHubOptions options;
  options.windowEvents = 10;
  options.maxBatch = 7;
  options.history = log.reader();
  WatchHub hub(50, 0, std::move(options));  // revisions 1..50 only in the log
  std::vector<Event> live(log.events.begin() + 50, log.events.end());
  hub.publish(live);  // 51..100; the window keeps 91..100

  Collected collected;
  auto watch = hub.watch("/a/", 20, collected.sink());
  ASSERT_TRUE(collected.waitFor(80));
  std::vector<Revision> expected;
  for (Revision r = 21; r <= 100; ++r) expected.push_back(r);
  EXPECT_EQ(collected.revisions, expected);
  EXPECT_GT(log.reads, 1) << "history was read in chunks";
}

TEST(WatchHub, WindowIsBoundedByBytes) {
  FakeLog log;
  WatchHubOptions options;
  options.windowBytes = 4096;
  options.history = log.reader();
  WatchHub hub(0, 0, std::move(options));
  for (Revision r = 1; r <= 100; ++r) {
    log.events.push_back(put(r, "/a/x", std::string(1000, 'v')));
    hub.publish({log.events.back()});
  }
  Collected collected;
  auto watch = hub.watch("/a/", 0, collected.sink());
  ASSERT_TRUE(collected.waitFor(100));
  EXPECT_EQ(collected.revisions.front(), 1);
  EXPECT_EQ(collected.revisions.back(), 100);
  EXPECT_GT(log.reads, 0) << "old events came from history, not memory";
}

TEST(WatchHub, HistoryErrorEndsTheWatch) {
  FakeLog log;
  log.compacted = 30;
  WatchHubOptions options;
  options.windowEvents = 1;
  options.history = log.reader();
  WatchHub hub(50, 0, std::move(options));
  Collected collected;
  auto watch = hub.watch("/a/", 10, collected.sink());
  ASSERT_TRUE(collected.waitForError());
  EXPECT_EQ(collected.error->reason, Reason::Expired);
}

TEST(WatchHub, CloseDeliversPublishedEventsThenEndsWatches) {
  WatchHub hub(0, 0, WatchHubOptions{});
  Collected collected;
  auto watch = hub.watch("/a/", 0, collected.sink());
  for (Revision r = 1; r <= 50; ++r) hub.publish({put(r, "/a/k")});
  hub.close(makeError(Reason::ServiceUnavailable, "closing"));
  std::lock_guard lock(collected.mutex);
  EXPECT_EQ(collected.revisions.size(), 50u);
  ASSERT_TRUE(collected.error.has_value());
  EXPECT_EQ(collected.error->reason, Reason::ServiceUnavailable);
}

}  // namespace
}  // namespace kcpp::storage
