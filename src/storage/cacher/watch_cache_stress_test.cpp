// WatchCache under load: writers, listers and watchers at once on a
// multi-threaded executor, and the figures that matter (LIST of 10k objects,
// events per second to many watchers).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include "storage/cacher/watch_cache_test_support.h"

namespace kcpp::storage::cachertest {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Type = WatchEvent::Type;

// An io_context run by `threads` threads until destroyed.
class Pool {
 public:
  explicit Pool(int threads) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~Pool() {
    guard_.reset();
    for (auto& t : threads_) t.join();
  }
  asio::io_context& io() { return io_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
  std::vector<std::thread> threads_;
};

// What one watcher saw: the state its events build, and any rule they broke.
struct Seen {
  std::map<std::string, std::string> state;  // key -> json
  Revision lastEvent = 0;
  Revision lastBookmark = 0;
  std::size_t events = 0;
  std::string problem;
};

// `light`: check order and count only, as a client that forwards events does.
void record(Seen& seen, const WatchEvent& event, bool light) {
  if (event.type == Type::Bookmark) {
    if (event.revision < seen.lastEvent) seen.problem = "a bookmark went back before an event";
    seen.lastBookmark = std::max(seen.lastBookmark, event.revision);
    return;
  }
  if (event.revision <= seen.lastEvent && seen.lastEvent > 0) seen.problem = "events out of order";
  if (event.revision <= seen.lastBookmark) seen.problem = "an event at or below a bookmark";
  seen.lastEvent = event.revision;
  ++seen.events;
  if (light) return;
  if (event.type == Type::Deleted) {
    if (!seen.state.erase(event.object.key)) seen.problem = "Deleted of an unknown object";
  } else {
    const bool known = seen.state.count(event.object.key) > 0;
    if (known != (event.type == Type::Modified)) seen.problem = "Added/Modified mismatch";
    seen.state[event.object.key] = *event.object.json;
  }
}

// Consumes until the watcher has seen `final` (event or bookmark); returns
// false on an error or after 60 s.
asio::awaitable<bool> consume(CacheWatcher& watcher, Seen& seen, const std::atomic<Revision>& final,
                              bool light = false) {
  const auto deadline = Clock::now() + 60s;
  while (Clock::now() < deadline) {
    const Revision target = final.load();
    if (target > 0 && std::max(seen.lastEvent, seen.lastBookmark) >= target) co_return true;
    auto next = co_await watcher.next(50ms);
    if (!next) {
      seen.problem = "next() failed: " + next.error().message;
      co_return false;
    }
    for (const auto& event : *next) record(seen, event, light);
  }
  seen.problem = "timed out";
  co_return false;
}

void waitFor(const std::atomic<int>& counter, int wanted) {
  const auto deadline = Clock::now() + 90s;
  while (counter.load() < wanted && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
}

TEST_F(WatchCacheTest, WritersListersAndWatchersAgreeOnAMultiThreadedExecutor) {
  constexpr int kWatchers = 40;
  constexpr int kWriters = 2;
  constexpr int kWritesPerWriter = 1500;
  constexpr int kKeys = 60;
  makeCache();
  Pool pool(2);
  {
    auto started = asio::co_spawn(pool.io(), cache->start(), asio::use_future);
    ASSERT_TRUE(started.get().ok());
  }
  std::vector<Seen> seen(kWatchers);
  std::vector<Predicate> predicates(kWatchers);
  std::vector<CacheWatcherPtr> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    if (i % 2) predicates[i] = labelIs("app", "web");
    auto watcher = cache->watch(i % 4 == 3 ? std::string(kPrefix) + "ns1/" : "", predicates[i], 0,
                                /*sendInitialState=*/i % 3 == 0);
    ASSERT_TRUE(watcher.ok());
    watchers.push_back(std::move(*watcher));
  }
  std::atomic<Revision> final{0};
  std::atomic<int> finished{0};
  for (int i = 0; i < kWatchers; ++i) {
    asio::co_spawn(pool.io(), [&, i]() -> asio::awaitable<void> {
      co_await consume(*watchers[i], seen[i], final);
      finished.fetch_add(1);
    }, asio::detached);
  }
  // Listers: every list is in key order, and a later one is never older.
  std::atomic<bool> writing{true};
  std::atomic<int> listers{0};
  std::string listProblem;
  asio::co_spawn(pool.io(), [&]() -> asio::awaitable<void> {
    Revision previous = 0;
    while (writing.load()) {
      ListOptions options;
      options.limit = (previous % 2) ? 7 : 0;
      auto listed = co_await cache->list(std::move(options));
      if (!listed) listProblem = listed.error().message;
      if (!listed) break;
      if (listed->revision < previous) listProblem = "a list went back in time";
      if (!std::is_sorted(listed->items.begin(), listed->items.end(),
                          [](const auto& a, const auto& b) { return a.key < b.key; })) {
        listProblem = "a list out of key order";
      }
      previous = listed->revision;
    }
    listers.fetch_add(1);
  }, asio::detached);

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 random(w);
      for (int i = 0; i < kWritesPerWriter; ++i) {
        const std::string key = std::string(kPrefix) + (random() % 2 ? "ns1/k" : "ns2/k") +
                                std::to_string(random() % kKeys);
        const std::string value = std::string(random() % 2 ? "app=web" : "app=db") + ";w=" +
                                  std::to_string(w) + ";i=" + std::to_string(i);
        if (random() % 5 == 0) {
          (void)store->removeNow(key, 0);
        } else if (!store->updateNow(key, value, 0)) {
          (void)store->createNow(key, value);
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  writing = false;
  final = store->currentRevisionNow();
  waitFor(finished, kWatchers);
  waitFor(listers, 1);
  EXPECT_EQ(finished.load(), kWatchers);
  EXPECT_EQ(listProblem, "");

  auto everythingNow = store->rangeNow(RangeRequest{kPrefix, "", 0, 0});
  ASSERT_TRUE(everythingNow.ok());
  for (int i = 0; i < kWatchers; ++i) {
    std::map<std::string, std::string> expected;
    for (const auto& kv : everythingNow->kvs) {
      auto decoded = decodeTestObject(kv);
      const bool inPrefix = i % 4 != 3 || kv.key.starts_with(std::string(kPrefix) + "ns1/");
      if (inPrefix && (!predicates[i] || predicates[i](*decoded->attributes))) expected[kv.key] = *decoded->json;
    }
    EXPECT_EQ(seen[i].problem, "") << "watcher " << i;
    EXPECT_EQ(seen[i].state, expected) << "watcher " << i;
  }
  EXPECT_EQ(cache->revision(), final.load());
  watchers.clear();
  EXPECT_EQ(cache->watcherCount(), 0u);
}

std::string configMapOfAboutOneKilobyte(int i) {
  return "app=web;f.metadata.name=cm-" + std::to_string(i) + ";data=" + std::string(1000, 'x');
}

TEST_F(WatchCacheTest, ListsTenThousandObjectsFromMemoryQuickly) {
  constexpr int kObjects = 10000;
  for (int i = 0; i < kObjects; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "default/cm-%05d", i);
    put(name, configMapOfAboutOneKilobyte(i));
  }
  makeCache();
  run([&]() -> asio::awaitable<void> {
    EXPECT_TRUE((co_await cache->start()).ok());
    const int decodesBefore = decodes.load();
    std::vector<double> millis;
    for (int run = 0; run < 5; ++run) {
      const auto started = Clock::now();
      auto listed = co_await cache->list(everything());
      millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      EXPECT_TRUE(listed.ok());
      if (listed) {
        EXPECT_EQ(listed->items.size(), static_cast<std::size_t>(kObjects));
      }
    }
    EXPECT_EQ(decodes.load(), decodesBefore);  // served from memory
    std::sort(millis.begin(), millis.end());
    std::printf("[ figures  ] LIST of %d objects from the cache: best %.2f ms, median %.2f ms\n",
                kObjects, millis.front(), millis[millis.size() / 2]);
    EXPECT_LT(millis.front(), 50.0);

    // The store fallback (after a write elsewhere) reuses the decoded objects.
    writeElsewhere();
    const auto started = Clock::now();
    auto listed = co_await cache->list(everything());
    const double fallback = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    EXPECT_TRUE(listed.ok());
    EXPECT_EQ(decodes.load(), decodesBefore);
    std::printf("[ figures  ] LIST of %d objects through the store fallback: %.2f ms\n", kObjects, fallback);
  });
}

// Events through the cache (started on a 2-thread pool, which also runs the
// consumers) to `watcherCount` watchers, written at `ratePerSecond`: every
// watcher must get every event, in order, without falling behind.
void fanOut(MemoryStore& store, WatchCache& cache, int watcherCount, int writes, int ratePerSecond) {
  Pool pool(2);
  {
    auto started = asio::co_spawn(pool.io(), cache.start(), asio::use_future);
    ASSERT_TRUE(started.get().ok());
  }
  std::vector<CacheWatcherPtr> watchers;
  std::vector<Seen> seen(watcherCount);
  for (int i = 0; i < watcherCount; ++i) {
    auto watcher = cache.watch("", nullptr, 0, false);
    ASSERT_TRUE(watcher.ok());
    watchers.push_back(std::move(*watcher));
  }
  std::atomic<Revision> final{0};
  std::atomic<int> finished{0};
  for (int i = 0; i < watcherCount; ++i) {
    asio::co_spawn(pool.io(), [&, i]() -> asio::awaitable<void> {
      co_await consume(*watchers[i], seen[i], final, /*light=*/true);
      finished.fetch_add(1);
    }, asio::detached);
  }
  const auto started = Clock::now();
  constexpr int kChunk = 100;
  for (int i = 0; i < writes; ++i) {
    ASSERT_TRUE(store.createNow(std::string("/registry/pods/default/p") + std::to_string(i), "app=web").ok());
    if ((i + 1) % kChunk == 0) {
      std::this_thread::sleep_until(started + std::chrono::microseconds(1'000'000LL * (i + 1) / ratePerSecond));
    }
  }
  const double writeSeconds = std::chrono::duration<double>(Clock::now() - started).count();
  final = store.currentRevisionNow();
  waitFor(finished, watcherCount);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  ASSERT_EQ(finished.load(), watcherCount);
  for (const Seen& s : seen) {
    EXPECT_EQ(s.problem, "");
    EXPECT_EQ(s.events, static_cast<std::size_t>(writes));
  }
  std::printf("[ figures  ] %d events to %d watchers, written at %d/s: %.0f events/s and %.0f "
              "deliveries/s end to end (all delivered %.0f ms after the first write; writing took %.0f ms)\n",
              writes, watcherCount, ratePerSecond, writes / seconds,
              double(writes) * watcherCount / seconds, seconds * 1000, writeSeconds * 1000);
}

TEST_F(WatchCacheTest, FansTwentyThousandEventsPerSecondOutToWatchers) {
  // Room for a consumer thread descheduled for a second on a loaded machine.
  makeCache(/*history=*/10000, /*queue=*/50000);
  fanOut(*store, *cache, 10, 20000, 20000);
}

TEST_F(WatchCacheTest, FansTenThousandEventsPerSecondOutToAThousandWatchers) {
  makeCache();
  fanOut(*store, *cache, 1000, 10000, 10000);
}

}  // namespace
}  // namespace kcpp::storage::cachertest
