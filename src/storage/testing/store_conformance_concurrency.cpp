// Store conformance: concurrent writers and where completions resume.
#include <algorithm>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include "storage/testing/store_conformance.h"

namespace kcpp::storage::conformance {
namespace {

constexpr int kWriters = 32;
constexpr int kWritesEach = 25;

}  // namespace

TEST_P(StoreConformance, ConcurrentWritersAreAllAcknowledgedAndVisible) {
  Revision start = mustCurrent();
  EventCollector collector;
  auto watch = store().watch("/cw/", start, collector.sink());

  std::vector<Revision> acknowledged;
  std::vector<std::string> failures;
  for (int w = 0; w < kWriters; ++w) {
    boost::asio::co_spawn(
        io_,
        [this, w, &acknowledged, &failures]() -> boost::asio::awaitable<void> {
          std::string key = "/cw/" + std::to_string(w);
          auto created = co_await store().create(key, "0");
          if (!created) {
            failures.push_back(created.error().message);
            co_return;
          }
          acknowledged.push_back(created->modRevision);
          Revision last = created->modRevision;
          for (int i = 1; i < kWritesEach; ++i) {
            auto updated = co_await store().update(key, std::to_string(i), last);
            if (!updated) {
              failures.push_back(updated.error().message);
              co_return;
            }
            last = updated->modRevision;
            acknowledged.push_back(last);
          }
        },
        boost::asio::detached);
  }
  io_.restart();
  io_.run();
  ASSERT_TRUE(failures.empty()) << failures.front();

  const std::size_t total = kWriters * kWritesEach;
  ASSERT_EQ(acknowledged.size(), total);
  std::sort(acknowledged.begin(), acknowledged.end());
  for (std::size_t i = 0; i < total; ++i) {
    EXPECT_EQ(acknowledged[i], start + 1 + static_cast<Revision>(i)) << "revisions are unique, gap-free";
  }
  EXPECT_EQ(mustCurrent(), start + static_cast<Revision>(total));

  RangeResult all = mustRange(RangeRequest{"/cw/", "", 0, 0});
  ASSERT_EQ(all.kvs.size(), static_cast<std::size_t>(kWriters));
  for (const auto& kv : all.kvs) EXPECT_EQ(kv.value, std::to_string(kWritesEach - 1)) << kv.key;

  auto events = collector.waitForEvents(total);
  ASSERT_EQ(events.size(), total);
  for (std::size_t i = 0; i < total; ++i) {
    EXPECT_EQ(events[i].kv.modRevision, start + 1 + static_cast<Revision>(i));
  }
}

TEST_P(StoreConformance, ConcurrentConflictingUpdatesHaveOneWinner) {
  KeyValue base = mustCreate("/cc/a", "base");
  int won = 0;
  int conflicts = 0;
  for (int w = 0; w < kWriters; ++w) {
    boost::asio::co_spawn(
        io_,
        [this, w, &base, &won, &conflicts]() -> boost::asio::awaitable<void> {
          auto r = co_await store().update("/cc/a", std::to_string(w), base.modRevision);
          if (r) ++won;
          else if (r.error().reason == Reason::Conflict) ++conflicts;
        },
        boost::asio::detached);
  }
  io_.restart();
  io_.run();
  EXPECT_EQ(won, 1);
  EXPECT_EQ(conflicts, kWriters - 1);
  EXPECT_EQ(mustCurrent(), base.modRevision + 1);
}

// A completion must resume the awaiting coroutine on its own executor, never on a
// backend thread: here the coroutine's executor is an io_context run by a thread
// of its own, and every step checks where it runs.
TEST_P(StoreConformance, OperationsResumeOnTheCallersExecutor) {
  boost::asio::io_context callerIo;
  std::atomic<int> wrongThread{0};
  std::atomic<int> steps{0};
  boost::asio::co_spawn(
      callerIo,
      [&]() -> boost::asio::awaitable<void> {
        auto check = [&] {
          ++steps;
          if (!callerIo.get_executor().running_in_this_thread()) ++wrongThread;
        };
        auto created = co_await store().create("/e/a", "1");
        check();
        co_await store().update("/e/a", "2", created ? created->modRevision : 0);
        check();
        co_await store().get("/e/a");
        check();
        // A named request: GCC 12 destroys a braced temporary argument twice
        // inside co_await (GCC PR 101367).
        RangeRequest request{"/e/", "", 0, 0};
        co_await store().range(request);
        check();
        co_await store().remove("/e/a", 0);
        check();
        co_await store().currentRevision();
        check();
        co_await store().compact(1);
        check();
      },
      boost::asio::detached);
  std::thread runner([&] { callerIo.run(); });
  runner.join();
  EXPECT_EQ(steps, 7);
  EXPECT_EQ(wrongThread, 0);
}

}  // namespace kcpp::storage::conformance
