// WatchCache: WATCH from now, from the history, with the initial state; the
// predicate translations; bookmarks; slow, cancelled and ended watchers.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

#include "storage/cacher/watch_cache_test_support.h"

namespace kcpp::storage::cachertest {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Type = WatchEvent::Type;

// Collects events until `count` arrived (bookmarks not counted) or 5 s passed.
asio::awaitable<std::vector<WatchEvent>> collect(CacheWatcher& watcher, std::size_t count) {
  std::vector<WatchEvent> events;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (events.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto next = co_await watcher.next(100ms);
    EXPECT_TRUE(next.ok());
    if (!next) break;
    for (auto& event : *next) {
      if (event.type != Type::Bookmark) events.push_back(std::move(event));
    }
  }
  co_return events;
}

std::string describe(const WatchEvent& event) {
  static constexpr const char* kNames[] = {"Added", "Modified", "Deleted", "Bookmark"};
  return std::string(kNames[static_cast<int>(event.type)]) + " " + event.object.key + " " +
         (event.object.json ? *event.object.json : std::string("-"));
}

std::vector<std::string> describe(const std::vector<WatchEvent>& events) {
  std::vector<std::string> out;
  for (const auto& event : events) out.push_back(describe(event));
  return out;
}

class WatchCacheWatchTest : public WatchCacheTest {
 protected:
  CacheWatcherPtr watchOrFail(std::string prefix, Predicate predicate, Revision after, bool initial) {
    auto watcher = cache->watch(std::move(prefix), std::move(predicate), after, initial);
    EXPECT_TRUE(watcher.ok());
    return watcher ? std::move(*watcher) : nullptr;
  }

  void startCache() {
    run([&]() -> asio::awaitable<void> { EXPECT_TRUE((co_await cache->start()).ok()); });
  }
};

TEST_F(WatchCacheWatchTest, FromNowDeliversEveryChangeInOrder) {
  put("ns1/old", "app=web");
  makeCache();
  startCache();
  auto watcher = watchOrFail("", nullptr, 0, false);
  ASSERT_TRUE(watcher);
  EXPECT_EQ(cache->watcherCount(), 1u);
  const KeyValue created = put("ns1/a", "v=1");
  const KeyValue updated = put("ns1/a", "v=2");
  const KeyValue removed = remove("ns1/a");
  run([&]() -> asio::awaitable<void> {
    auto events = co_await collect(*watcher, 3);
    EXPECT_EQ(describe(events),
              (std::vector<std::string>{
                  "Added /registry/pods/ns1/a " + jsonFor("v=1", created.modRevision),
                  "Modified /registry/pods/ns1/a " + jsonFor("v=2", updated.modRevision),
                  // The last state, carrying the delete's revision, as upstream.
                  "Deleted /registry/pods/ns1/a " + jsonFor("v=2", removed.modRevision)}));
    if (events.size() == 3) {
      EXPECT_EQ(events[0].revision, created.modRevision);
      EXPECT_EQ(events[2].revision, removed.modRevision);
      EXPECT_EQ(events[2].object.modRevision, removed.modRevision);
    }
  });
  watcher.reset();
  EXPECT_EQ(cache->watcherCount(), 0u);
}

TEST_F(WatchCacheWatchTest, TimeoutReturnsABookmarkAtTheCaughtUpRevision) {
  put("ns1/a", "v=1");
  makeCache();
  startCache();
  auto watcher = watchOrFail("", labelIs("app", "web"), 0, false);
  ASSERT_TRUE(watcher);
  run([&]() -> asio::awaitable<void> {
    auto next = co_await watcher->next(50ms);
    EXPECT_TRUE(next.ok());
    if (!next) co_return;
    EXPECT_EQ(next->size(), 1u);
    EXPECT_EQ(next->front().type, Type::Bookmark);
    EXPECT_EQ(next->front().revision, cache->revision());
    // Events this watcher filters out still move its bookmark.
    put("ns1/b", "app=db");
    co_await caughtUp();
    next = co_await watcher->next(50ms);
    EXPECT_TRUE(next.ok());
    if (!next) co_return;
    EXPECT_EQ(next->size(), 1u);
    EXPECT_EQ(next->front().type, Type::Bookmark);
    EXPECT_EQ(next->front().revision, store->currentRevisionNow());
  });
}

TEST_F(WatchCacheWatchTest, InitialStateThenABookmarkThenLiveEvents) {
  put("ns1/b", "app=web");
  put("ns1/a", "app=web");
  put("ns1/c", "app=db");
  put("ns2/d", "app=web");
  makeCache();
  startCache();
  const Revision listed = cache->revision();
  auto watcher = watchOrFail(std::string(kPrefix) + "ns1/", labelIs("app", "web"), 0, true);
  ASSERT_TRUE(watcher);
  const KeyValue live = put("ns1/e", "app=web");
  run([&]() -> asio::awaitable<void> {
    auto first = co_await watcher->next(1s);
    EXPECT_TRUE(first.ok());
    if (!first) co_return;
    std::vector<WatchEvent> events = std::move(*first);
    while (events.size() < 4) {
      auto more = co_await watcher->next(1s);
      EXPECT_TRUE(more.ok());
      if (!more) co_return;
      for (auto& e : *more) events.push_back(std::move(e));
    }
    EXPECT_GE(events.size(), 4u);
    if (events.size() < 4) co_return;
    EXPECT_EQ(describe(events[0]).substr(0, 27), "Added /registry/pods/ns1/a ");
    EXPECT_EQ(describe(events[1]).substr(0, 27), "Added /registry/pods/ns1/b ");
    EXPECT_EQ(events[2].type, Type::Bookmark);
    EXPECT_TRUE(events[2].initialEventsEnd);
    EXPECT_EQ(events[2].revision, listed);
    EXPECT_EQ(describe(events[3]), "Added /registry/pods/ns1/e " + jsonFor("app=web", live.modRevision));
  });
}

TEST_F(WatchCacheWatchTest, ReplaysTheHistoryAfterARevision) {
  makeCache();
  startCache();
  put("ns1/a", "v=1");
  const Revision after = put("ns1/a", "v=2").modRevision;
  put("ns1/b", "v=1");
  remove("ns1/a");
  run([&]() -> asio::awaitable<void> { co_await caughtUp(); });
  auto watcher = watchOrFail("", nullptr, after, false);
  ASSERT_TRUE(watcher);
  run([&]() -> asio::awaitable<void> {
    auto events = co_await collect(*watcher, 2);
    EXPECT_EQ(describe(events), (std::vector<std::string>{
                                    "Added /registry/pods/ns1/b " + jsonFor("v=1", after + 1),
                                    "Deleted /registry/pods/ns1/a " + jsonFor("v=2", after + 2)}));
  });
}

TEST_F(WatchCacheWatchTest, TooOldAResourceVersionExpiresAsUpstream) {
  makeCache(/*history=*/3);
  startCache();
  std::vector<Revision> revisions;
  for (int i = 0; i < 10; ++i) revisions.push_back(put("ns1/o" + std::to_string(i), "v=1").modRevision);
  run([&]() -> asio::awaitable<void> { co_await caughtUp(); });
  // The ring keeps the last three revisions: a watch can start just before them.
  const Revision oldestKept = revisions[7];
  auto tooOld = cache->watch("", nullptr, oldestKept - 2, false);
  ASSERT_FALSE(tooOld.ok());
  EXPECT_EQ(tooOld.error().reason, Reason::Expired);
  EXPECT_EQ(tooOld.error().code(), 410);
  EXPECT_EQ(tooOld.error().message, "too old resource version: " + std::to_string(oldestKept - 2) +
                                        " (" + std::to_string(oldestKept - 1) + ")");
  auto justInTime = watchOrFail("", nullptr, oldestKept - 1, false);
  ASSERT_TRUE(justInTime);
  run([&]() -> asio::awaitable<void> {
    auto events = co_await collect(*justInTime, 3);
    EXPECT_EQ(events.size(), 3u);
    if (!events.empty()) {
      EXPECT_EQ(events.front().revision, oldestKept);
    }
  });
}

// Upstream's translation by the watcher's predicate, with the previous state.
TEST_F(WatchCacheWatchTest, PredicateTranslatesChangesIntoAddedModifiedDeleted) {
  makeCache();
  startCache();
  const Revision start = cache->revision();
  auto live = watchOrFail("", labelIs("app", "web"), 0, false);
  ASSERT_TRUE(live);
  put("ns1/x", "app=db");                                  // never matched: nothing
  const KeyValue starts = put("ns1/x", "app=web");         // starts matching: Added
  const KeyValue stays = put("ns1/x", "app=web;tier=1");   // still matches: Modified
  const KeyValue stops = put("ns1/x", "app=db;tier=1");    // stops matching: Deleted
  remove("ns1/x");                                         // deleted, not matching: nothing
  const KeyValue created = put("ns1/y", "app=web");        // new and matching: Added
  const KeyValue removed = remove("ns1/y");                // deleted while matching: Deleted
  const std::vector<std::string> expected{
      "Added /registry/pods/ns1/x " + jsonFor("app=web", starts.modRevision),
      "Modified /registry/pods/ns1/x " + jsonFor("app=web;tier=1", stays.modRevision),
      // What the watcher last saw, re-encoded at the change's revision.
      "Deleted /registry/pods/ns1/x " + jsonFor("app=web;tier=1", stops.modRevision),
      "Added /registry/pods/ns1/y " + jsonFor("app=web", created.modRevision),
      "Deleted /registry/pods/ns1/y " + jsonFor("app=web", removed.modRevision)};
  run([&]() -> asio::awaitable<void> {
    auto events = co_await collect(*live, expected.size());
    EXPECT_EQ(describe(events), expected);
    if (events.size() >= 3) {
      EXPECT_EQ(events[2].object.modRevision, stops.modRevision);
    }
    co_await caughtUp();
    // The same translation when replayed from the history.
    auto replay = watchOrFail("", labelIs("app", "web"), start, false);
    if (!replay) co_return;
    auto replayed = co_await collect(*replay, expected.size());
    EXPECT_EQ(describe(replayed), expected);
  });
}

TEST_F(WatchCacheWatchTest, WatchesOnlyItsPrefix) {
  makeCache();
  startCache();
  auto ns1 = watchOrFail(std::string(kPrefix) + "ns1/", nullptr, 0, false);
  ASSERT_TRUE(ns1);
  put("ns2/a", "v=1");
  put("ns10/a", "v=1");
  const KeyValue mine = put("ns1/a", "v=1");
  run([&]() -> asio::awaitable<void> {
    auto events = co_await collect(*ns1, 1);
    EXPECT_EQ(describe(events), std::vector<std::string>{"Added /registry/pods/ns1/a " +
                                                         jsonFor("v=1", mine.modRevision)});
    auto more = co_await ns1->next(50ms);
    EXPECT_TRUE(more.ok());
    if (more) {
      EXPECT_EQ(more->front().type, Type::Bookmark);
    }
  });
}

TEST_F(WatchCacheWatchTest, FromAFutureRevisionSkipsEverythingUpToIt) {
  makeCache();
  startCache();
  const Revision future = cache->revision() + 2;
  auto watcher = watchOrFail("", nullptr, future, false);
  ASSERT_TRUE(watcher);
  put("ns1/a", "v=1");
  put("ns1/a", "v=2");
  const KeyValue third = put("ns1/a", "v=3");
  run([&]() -> asio::awaitable<void> {
    auto events = co_await collect(*watcher, 1);
    EXPECT_EQ(describe(events), std::vector<std::string>{"Modified /registry/pods/ns1/a " +
                                                         jsonFor("v=3", third.modRevision)});
  });
}

TEST_F(WatchCacheWatchTest, ASlowWatcherIsDroppedWithoutHoldingUpOthers) {
  makeCache(/*history=*/100, /*queue=*/5);
  startCache();
  auto slow = watchOrFail("", nullptr, 0, false);
  auto fast = watchOrFail("", nullptr, 0, false);
  ASSERT_TRUE(slow && fast);
  run([&]() -> asio::awaitable<void> {
    std::size_t seen = 0;
    for (int i = 0; i < 20; ++i) {
      put("ns1/o" + std::to_string(i), "v=1");
      co_await caughtUp();  // one batch per write: the fast watcher keeps up
      auto events = co_await collect(*fast, 1);
      seen += events.size();
    }
    EXPECT_EQ(seen, 20u);
    auto dropped = co_await slow->next(10ms);
    EXPECT_FALSE(dropped.ok());
    if (!dropped) {
      EXPECT_EQ(dropped.error().reason, Reason::Expired);
    }
  });
  EXPECT_EQ(cache->watcherCount(), 1u);  // the dropped one is no longer fed
}

TEST_F(WatchCacheWatchTest, NextCanBeCancelled) {
  makeCache();
  startCache();
  auto watcher = watchOrFail("", nullptr, 0, false);
  ASSERT_TRUE(watcher);
  run([&]() -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, 50ms);
    const auto started = std::chrono::steady_clock::now();
    auto first = co_await (watcher->next(10s) || timer.async_wait(asio::use_awaitable));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_EQ(first.index(), 1u);  // the timer won; next() gave up at once
    // The watcher still works afterwards.
    const KeyValue written = put("ns1/a", "v=1");
    auto events = co_await collect(*watcher, 1);
    EXPECT_EQ(describe(events), std::vector<std::string>{"Added /registry/pods/ns1/a " +
                                                         jsonFor("v=1", written.modRevision)});
  });
}

TEST_F(WatchCacheWatchTest, DestroyingTheCacheEndsWaitingWatchers) {
  makeCache();
  startCache();
  auto watcher = watchOrFail("", nullptr, 0, false);
  ASSERT_TRUE(watcher);
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, [&]() -> asio::awaitable<void> {
      asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
      co_await timer.async_wait(asio::use_awaitable);
      cache.reset();
    }, asio::detached);
    const auto started = std::chrono::steady_clock::now();
    auto next = co_await watcher->next(10s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_FALSE(next.ok());
    if (!next) {
      EXPECT_EQ(next.error().reason, Reason::ServiceUnavailable);
    }
  });
  watcher.reset();  // outliving the cache is fine
}

TEST_F(WatchCacheWatchTest, AClosedStoreEndsWatchers) {
  makeCache();
  startCache();
  auto watcher = watchOrFail("", nullptr, 0, false);
  ASSERT_TRUE(watcher);
  store->close();
  run([&]() -> asio::awaitable<void> {
    auto next = co_await watcher->next(5s);
    EXPECT_FALSE(next.ok());
    if (!next) {
      EXPECT_EQ(next.error().reason, Reason::ServiceUnavailable);
    }
  });
  EXPECT_FALSE(cache->ready());
  auto refused = cache->watch("", nullptr, 0, false);
  EXPECT_FALSE(refused.ok());
}

}  // namespace
}  // namespace kcpp::storage::cachertest
