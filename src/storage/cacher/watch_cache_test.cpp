// WatchCache: start, LIST and GET with upstream's resourceVersion rules.
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <thread>

#include "storage/cacher/watch_cache_test_support.h"

namespace kcpp::storage::cachertest {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST_F(WatchCacheTest, StartListsWhatTheStoreHolds) {
  put("ns1/a", "app=web");
  put("ns1/b", "app=db");
  writeElsewhere();  // another resource: not cached
  makeCache();
  EXPECT_FALSE(cache->ready());
  run([&]() -> asio::awaitable<void> {
    auto started = co_await cache->start();
    EXPECT_TRUE(started.ok());
  });
  EXPECT_TRUE(cache->ready());
  EXPECT_EQ(cache->size(), 2u);
  EXPECT_EQ(cache->revision(), store->currentRevisionNow());
  auto a = cache->peek(std::string(kPrefix) + "ns1/a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a->json, jsonFor("app=web", a->modRevision));
  EXPECT_EQ(a->attributes->labels.at("app"), "web");
}

TEST_F(WatchCacheTest, StartSkipsObjectsThatDoNotDecode) {
  put("ns1/a", "app=web");
  put("ns1/bad", "!bad");
  makeCache();
  run([&]() -> asio::awaitable<void> { EXPECT_TRUE((co_await cache->start()).ok()); });
  EXPECT_EQ(cache->size(), 1u);
  EXPECT_FALSE(cache->peek(std::string(kPrefix) + "ns1/bad").has_value());
}

TEST_F(WatchCacheTest, AppliesPutsAndDeletesFromTheStoreWatch) {
  put("ns1/a", "app=web");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    put("ns1/b", "app=db");
    put("ns1/a", "app=web2");
    remove("ns1/b");
    co_await caughtUp();
  });
  EXPECT_EQ(cache->size(), 1u);
  auto a = cache->peek(std::string(kPrefix) + "ns1/a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->attributes->labels.at("app"), "web2");
  EXPECT_EQ(a->modRevision, store->getNow(std::string(kPrefix) + "ns1/a")->modRevision);
  EXPECT_FALSE(cache->peek(std::string(kPrefix) + "ns1/b").has_value());
}

TEST_F(WatchCacheTest, ConsistentListIsServedFromMemoryOnceCaughtUp) {
  for (int i = 9; i >= 0; --i) put("ns1/o" + std::to_string(i), "i=" + std::to_string(i));
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    const int decodesBefore = decodes.load();
    auto listed = co_await cache->list(everything());
    EXPECT_TRUE(listed.ok());
    if (!listed) co_return;
    EXPECT_EQ(decodes.load(), decodesBefore);  // nothing decoded: not read from the store
    EXPECT_EQ(listed->items.size(), 10u);
    EXPECT_TRUE(std::is_sorted(listed->items.begin(), listed->items.end(),
                               [](const auto& x, const auto& y) { return x.key < y.key; }));
    EXPECT_EQ(listed->revision, store->currentRevisionNow());
    EXPECT_TRUE(listed->continueAfter.empty());
    EXPECT_FALSE(listed->remainingItemCount.has_value());
  });
}

// The events of a write the store already handed over are still being applied:
// a consistent read waits for them (on a timer) instead of reading the store.
TEST_F(WatchCacheTest, ConsistentListWaitsForEventsInFlight) {
  put("ns1/a", "app=web");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    const int decodesBefore = decodes.load();
    put("ns1/b", "app=db");
    // Block this (the only) io thread: the store's thread hands the event over,
    // but the cache cannot apply it until the list below suspends.
    std::this_thread::sleep_for(100ms);
    EXPECT_LT(cache->revision(), store->currentRevisionNow());
    auto listed = co_await cache->list(everything());
    EXPECT_TRUE(listed.ok());
    if (!listed) co_return;
    EXPECT_EQ(keysOf(listed->items),
              (std::vector<std::string>{"/registry/pods/ns1/a", "/registry/pods/ns1/b"}));
    EXPECT_EQ(listed->revision, store->currentRevisionNow());
    EXPECT_EQ(decodes.load(), decodesBefore + 1);  // the event's decode only
  });
}

// Writes to other resources move the store's revision but bring no event: the
// cache cannot prove it is fresh and reads the store, reusing what it decoded.
TEST_F(WatchCacheTest, ConsistentListFallsBackToTheStoreWhenItCannotCatchUp) {
  put("ns1/a", "app=web");
  put("ns1/b", "app=db");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    writeElsewhere();
    const int decodesBefore = decodes.load();
    const auto started = std::chrono::steady_clock::now();
    auto listed = co_await cache->list(everything());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);  // no stall
    EXPECT_TRUE(listed.ok());
    if (!listed) co_return;
    EXPECT_EQ(listed->items.size(), 2u);
    EXPECT_EQ(listed->revision, store->currentRevisionNow());
    EXPECT_EQ(decodes.load(), decodesBefore);  // unchanged objects are not decoded again
  });
}

TEST_F(WatchCacheTest, ReadsYourWritesRightAfterAWrite) {
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    for (int i = 0; i < 50; ++i) {
      const std::string name = "ns1/o" + std::to_string(i);
      KeyValue written = put(name, "i=" + std::to_string(i));
      auto listed = co_await cache->list(everything());
      EXPECT_TRUE(listed.ok());
      if (!listed) co_return;
      EXPECT_EQ(listed->items.size(), static_cast<std::size_t>(i + 1));
      EXPECT_GE(listed->revision, written.modRevision);
      auto got = co_await cache->get(std::string(kPrefix) + name);
      EXPECT_TRUE(got.ok());
      if (got) {
        EXPECT_EQ(got->modRevision, written.modRevision);
      }
    }
  });
}

TEST_F(WatchCacheTest, ResourceVersionZeroServesWhateverTheCacheHas) {
  put("ns1/a", "app=web");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    const Revision cached = cache->revision();
    put("ns1/b", "app=db");
    std::this_thread::sleep_for(50ms);  // the event is handed over, not applied
    ListOptions any;
    any.match = RevisionMatch::NotOlderThan;
    auto listed = co_await cache->list(any);
    EXPECT_TRUE(listed.ok());
    if (!listed) co_return;
    EXPECT_EQ(listed->revision, cached);
    EXPECT_EQ(keysOf(listed->items), std::vector<std::string>{"/registry/pods/ns1/a"});
  });
}

TEST_F(WatchCacheTest, NotOlderThanWaitsForTheRevision) {
  put("ns1/a", "app=web");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    const Revision next = store->currentRevisionNow() + 1;
    // Write it 200 ms from now, from another coroutine.
    auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, [&]() -> asio::awaitable<void> {
      asio::steady_timer timer(co_await asio::this_coro::executor, 200ms);
      co_await timer.async_wait(asio::use_awaitable);
      put("ns1/b", "app=db");
    }, asio::detached);
    ListOptions options;
    options.match = RevisionMatch::NotOlderThan;
    options.revision = next;
    auto listed = co_await cache->list(options);
    EXPECT_TRUE(listed.ok());
    if (!listed) co_return;
    EXPECT_GE(listed->revision, next);
    EXPECT_EQ(listed->items.size(), 2u);
  });
}

TEST_F(WatchCacheTest, NotOlderThanAFutureRevisionTimesOutAsUpstream) {
  put("ns1/a", "app=web");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    const Revision current = cache->revision();
    ListOptions options;
    options.match = RevisionMatch::NotOlderThan;
    options.revision = current + 100;
    const auto started = std::chrono::steady_clock::now();
    auto listed = co_await cache->list(options);
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_GE(waited, 2900ms);
    EXPECT_LT(waited, 5s);
    EXPECT_FALSE(listed.ok());
    if (listed) co_return;
    const Error& error = listed.error();
    EXPECT_EQ(error.reason, Reason::Timeout);
    EXPECT_EQ(error.code(), 504);
    EXPECT_EQ(error.message, "Timeout: Too large resource version: " + std::to_string(current + 100) +
                                 ", current: " + std::to_string(current));
    EXPECT_EQ(error.retryAfterSeconds, 1);
    EXPECT_EQ(error.causes.size(), 1u);
    if (!error.causes.empty()) {
      EXPECT_EQ(error.causes[0].type, "ResourceVersionTooLarge");
    }
  });
}

TEST_F(WatchCacheTest, ExactReadsTheStoreAtThatRevision) {
  put("ns1/a", "v=1");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    const Revision before = store->currentRevisionNow();
    put("ns1/a", "v=2");
    put("ns1/b", "v=1");
    co_await caughtUp();
    ListOptions exact;
    exact.match = RevisionMatch::Exact;
    exact.revision = before;
    auto listed = co_await cache->list(exact);
    EXPECT_TRUE(listed.ok());
    if (!listed) co_return;
    EXPECT_EQ(listed->revision, before);
    EXPECT_EQ(keysOf(listed->items), std::vector<std::string>{"/registry/pods/ns1/a"});
    if (!listed->items.empty()) {
      EXPECT_EQ(*listed->items[0].json, jsonFor("v=1", before));
    }

    // Legacy: resourceVersion with a limit and no match means Exact...
    ListOptions legacy;
    legacy.revision = before;
    legacy.limit = 10;
    auto legacyListed = co_await cache->list(legacy);
    EXPECT_TRUE(legacyListed.ok());
    if (legacyListed) {
      EXPECT_EQ(legacyListed->items.size(), 1u);
    }
    // ...and without a limit, not older than.
    legacy.limit = 0;
    legacyListed = co_await cache->list(legacy);
    EXPECT_TRUE(legacyListed.ok());
    if (legacyListed) {
      EXPECT_EQ(legacyListed->items.size(), 2u);
    }
  });
}

TEST_F(WatchCacheTest, ExactOfACompactedOrFutureRevisionFails) {
  put("ns1/a", "v=1");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    const Revision old = store->currentRevisionNow();
    put("ns1/a", "v=2");
    put("ns1/a", "v=3");
    EXPECT_TRUE(store->compactNow(store->currentRevisionNow()).ok());
    ListOptions exact;
    exact.match = RevisionMatch::Exact;
    exact.revision = old;
    auto listed = co_await cache->list(exact);
    EXPECT_FALSE(listed.ok());
    if (!listed) {
      EXPECT_EQ(listed.error().reason, Reason::Expired);
      EXPECT_EQ(listed.error().code(), 410);
      EXPECT_EQ(listed.error().message, "The resourceVersion for the provided list is too old.");
    }
    exact.revision = store->currentRevisionNow() + 5;
    listed = co_await cache->list(exact);
    EXPECT_FALSE(listed.ok());
    if (!listed) {
      EXPECT_EQ(listed.error().reason, Reason::Timeout);
    }
  });
}

TEST_F(WatchCacheTest, PagesFromMemoryThenFromTheStoreAtTheSameRevision) {
  for (int i = 0; i < 10; ++i) put("ns1/o" + std::to_string(i), "v=1");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    ListOptions first;
    first.limit = 4;
    const int decodesBefore = decodes.load();
    auto page = co_await cache->list(first);
    EXPECT_TRUE(page.ok());
    if (!page) co_return;
    EXPECT_EQ(decodes.load(), decodesBefore);  // the first page came from memory
    EXPECT_EQ(keysOf(page->items), (std::vector<std::string>{"/registry/pods/ns1/o0", "/registry/pods/ns1/o1",
                                                             "/registry/pods/ns1/o2", "/registry/pods/ns1/o3"}));
    EXPECT_EQ(page->continueAfter, "/registry/pods/ns1/o3");
    EXPECT_EQ(page->remainingItemCount, 6);
    const Revision listRevision = page->revision;

    // Changes after the first page do not show in the next ones.
    put("ns1/o5", "v=2");
    remove("ns1/o6");
    put("ns1/o7a", "v=1");
    std::vector<std::string> rest;
    std::string continueAfter = page->continueAfter;
    while (!continueAfter.empty()) {
      ListOptions next;
      next.limit = 4;
      next.revision = listRevision;
      next.continueAfter = continueAfter;
      auto more = co_await cache->list(next);
      EXPECT_TRUE(more.ok());
      if (!more) co_return;
      EXPECT_EQ(more->revision, listRevision);
      for (const auto& item : more->items) {
        rest.push_back(item.key);
        EXPECT_EQ(item.attributes->labels.at("v"), "1");
      }
      continueAfter = more->continueAfter;
    }
    EXPECT_EQ(rest, (std::vector<std::string>{"/registry/pods/ns1/o4", "/registry/pods/ns1/o5",
                                              "/registry/pods/ns1/o6", "/registry/pods/ns1/o7",
                                              "/registry/pods/ns1/o8", "/registry/pods/ns1/o9"}));
  });
}

TEST_F(WatchCacheTest, ContinueAtACompactedRevisionExpiresWithUpstreamsMessage) {
  for (int i = 0; i < 4; ++i) put("ns1/o" + std::to_string(i), "v=1");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    ListOptions first;
    first.limit = 2;
    auto page = co_await cache->list(first);
    EXPECT_TRUE(page.ok());
    if (!page) co_return;
    put("ns1/o0", "v=2");
    EXPECT_TRUE(store->compactNow(store->currentRevisionNow()).ok());
    ListOptions next;
    next.limit = 2;
    next.revision = page->revision;
    next.continueAfter = page->continueAfter;
    auto more = co_await cache->list(next);
    EXPECT_FALSE(more.ok());
    if (more) co_return;
    EXPECT_EQ(more.error().reason, Reason::Expired);
    EXPECT_EQ(more.error().message,
              "The provided continue parameter is too old to display a consistent list result. You "
              "can start a new list without the continue parameter, or use the continue token in "
              "this response to retrieve the remainder of the results. Continuing with the provided "
              "token results in an inconsistent list - objects that were created, modified, or "
              "deleted between the time the first chunk was returned and now may show up in the list.");
  });
}

TEST_F(WatchCacheTest, FiltersByPrefixAndPredicate) {
  for (int i = 0; i < 9; ++i) {
    put("ns1/o" + std::to_string(i), i % 3 == 0 ? "app=web" : "app=db");
    put("ns2/o" + std::to_string(i), "app=web");
  }
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    ListOptions options;
    options.prefix = std::string(kPrefix) + "ns1/";
    options.predicate = labelIs("app", "web");
    auto listed = co_await cache->list(options);
    EXPECT_TRUE(listed.ok());
    if (!listed) co_return;
    EXPECT_EQ(keysOf(listed->items), (std::vector<std::string>{"/registry/pods/ns1/o0", "/registry/pods/ns1/o3",
                                                               "/registry/pods/ns1/o6"}));
    // Paged and filtered: a first page from memory, later ones from the store,
    // which reads on past non-matching keys until the page is full.
    options.limit = 2;
    auto page = co_await cache->list(options);
    EXPECT_TRUE(page.ok());
    if (!page) co_return;
    EXPECT_EQ(page->items.size(), 2u);
    EXPECT_FALSE(page->remainingItemCount.has_value());  // filtered: unknown
    options.continueAfter = page->continueAfter;
    options.revision = page->revision;
    auto last = co_await cache->list(options);
    EXPECT_TRUE(last.ok());
    if (!last) co_return;
    EXPECT_EQ(keysOf(last->items), std::vector<std::string>{"/registry/pods/ns1/o6"});
    EXPECT_TRUE(last->continueAfter.empty());
  });
}

TEST_F(WatchCacheTest, GetIsConsistentAndReportsNotFound) {
  put("ns1/a", "app=web");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    auto missing = co_await cache->get(std::string(kPrefix) + "ns1/zzz");
    EXPECT_FALSE(missing.ok());
    if (!missing) {
      EXPECT_EQ(missing.error().reason, Reason::NotFound);
    }
    // After a write elsewhere the cache cannot prove freshness: read through.
    writeElsewhere();
    auto got = co_await cache->get(std::string(kPrefix) + "ns1/a");
    EXPECT_TRUE(got.ok());
    if (got) {
      EXPECT_EQ(got->attributes->labels.at("app"), "web");
    }
    missing = co_await cache->get(std::string(kPrefix) + "ns1/zzz");
    EXPECT_FALSE(missing.ok());
    if (!missing) {
      EXPECT_EQ(missing.error().reason, Reason::NotFound);
    }
  });
}

TEST_F(WatchCacheTest, ReadsBeforeStartGoToTheStore) {
  put("ns1/a", "app=web");
  makeCache();
  run([&]() -> asio::awaitable<void> {
    auto listed = co_await cache->list(everything());
    EXPECT_TRUE(listed.ok());
    if (listed) {
      EXPECT_EQ(listed->items.size(), 1u);
    }
    ListOptions any;
    any.match = RevisionMatch::NotOlderThan;
    listed = co_await cache->list(any);
    EXPECT_TRUE(listed.ok());
    if (listed) {
      EXPECT_EQ(listed->items.size(), 1u);
    }
    auto watched = cache->watch("", nullptr, 0, false);
    EXPECT_FALSE(watched.ok());
    if (!watched) {
      EXPECT_EQ(watched.error().reason, Reason::ServiceUnavailable);
    }
  });
}

TEST_F(WatchCacheTest, RelistsWhenTheStoreWatchCannotStart) {
  put("ns1/a", "app=web");
  // The store is compacted past the list's revision before the cache watches
  // from it, so that watch fails at once with Expired: the cache must relist.
  bool compactedOnce = false;
  cache = std::make_unique<WatchCache>(*store, kPrefix, [&](const KeyValue& kv) {
    if (!compactedOnce) {
      compactedOnce = true;
      put("ns1/b", "app=db");
      EXPECT_TRUE(store->compactNow(store->currentRevisionNow()).ok());
    }
    return decodeTestObject(kv);
  });
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    // The relist runs on this executor; give it a moment.
    for (int i = 0; i < 100 && cache->size() < 2; ++i) {
      asio::steady_timer timer(co_await asio::this_coro::executor, 10ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
    EXPECT_EQ(cache->size(), 2u);
    EXPECT_TRUE(cache->ready());
    put("ns1/c", "app=db");
    co_await caughtUp();
    EXPECT_EQ(cache->size(), 3u);
  });
}

}  // namespace
}  // namespace kcpp::storage::cachertest
