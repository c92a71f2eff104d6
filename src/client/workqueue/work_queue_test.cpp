#include "client/workqueue/work_queue.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

#include "util/run_to_completion.h"

namespace kcpp::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class WorkQueueTest : public ::testing::Test {
 protected:
  std::optional<std::string> next() { return runToCompletion(io, queue.get()); }
  asio::io_context io;
  WorkQueue queue{io.get_executor()};
};

TEST_F(WorkQueueTest, AKeyAddedTwiceIsQueuedOnce) {
  queue.add("a");
  queue.add("b");
  queue.add("a");
  EXPECT_EQ(queue.length(), 2u);
  EXPECT_EQ(next(), "a");
  EXPECT_EQ(next(), "b");
  EXPECT_EQ(queue.length(), 0u);
}

TEST_F(WorkQueueTest, AKeyAddedWhileProcessingComesBackAfterDone) {
  queue.add("a");
  ASSERT_EQ(next(), "a");
  queue.add("a");
  EXPECT_EQ(queue.length(), 0u);  // not handed to a second worker meanwhile
  queue.done("a");
  EXPECT_EQ(queue.length(), 1u);
  EXPECT_EQ(next(), "a");
  queue.done("a");
  EXPECT_EQ(queue.length(), 0u);
}

TEST_F(WorkQueueTest, WaitingWorkersAreWokenByAdd) {
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      while (auto key = co_await queue.get()) {
        got.push_back(*key);
        queue.done(*key);
      }
    }, asio::detached);
  }
  io.poll();
  queue.add("x");
  queue.add("y");
  io.poll();
  EXPECT_EQ(got, (std::vector<std::string>{"x", "y"}));
  queue.shutDown();
  io.run();  // every worker ends
  EXPECT_EQ(got.size(), 2u);
}

TEST_F(WorkQueueTest, ShutDownStillHandsOutQueuedKeysThenEnds) {
  queue.add("a");
  queue.shutDown();
  queue.add("b");  // dropped
  EXPECT_EQ(next(), "a");
  EXPECT_EQ(next(), std::nullopt);
}

TEST_F(WorkQueueTest, AddAfterWaitsAndKeepsTheEarliest) {
  auto start = Clock::now();
  queue.addAfter("a", 200ms);
  queue.addAfter("a", 30ms);
  queue.addAfter("b", 60ms);
  EXPECT_EQ(queue.length(), 0u);
  EXPECT_EQ(next(), "a");
  EXPECT_GE(Clock::now() - start, 30ms);
  EXPECT_EQ(next(), "b");
  EXPECT_GE(Clock::now() - start, 60ms);
  EXPECT_EQ(queue.length(), 0u);
}

TEST_F(WorkQueueTest, RateLimitedKeysBackOffUntilForgotten) {
  for (int i = 0; i < 3; ++i) {
    queue.addRateLimited("a");
    ASSERT_EQ(next(), "a");
    queue.done("a");
  }
  EXPECT_EQ(queue.numRequeues("a"), 3);
  queue.forget("a");
  EXPECT_EQ(queue.numRequeues("a"), 0);
}

TEST(RateLimiterTest, ItemExponentialDoublesPerItemUpToTheCap) {
  ItemExponentialRateLimiter limiter(5ms, 1000s);
  EXPECT_EQ(limiter.when("a"), Clock::duration(5ms));
  EXPECT_EQ(limiter.when("a"), Clock::duration(10ms));
  EXPECT_EQ(limiter.when("a"), Clock::duration(20ms));
  EXPECT_EQ(limiter.when("b"), Clock::duration(5ms));
  for (int i = 0; i < 100; ++i) limiter.when("a");
  EXPECT_EQ(limiter.when("a"), Clock::duration(1000s));
  limiter.forget("a");
  EXPECT_EQ(limiter.when("a"), Clock::duration(5ms));
}

TEST(RateLimiterTest, BucketAllowsBurstThenPaces) {
  Clock::time_point t0 = Clock::now();
  BucketRateLimiter limiter(10.0, 2, t0);
  limiter.setNow(t0);
  EXPECT_EQ(limiter.when("x"), Clock::duration::zero());
  EXPECT_EQ(limiter.when("y"), Clock::duration::zero());
  auto third = limiter.when("z");
  EXPECT_NEAR(std::chrono::duration<double>(third).count(), 0.1, 1e-6);
  limiter.setNow(t0 + 1s);  // refilled to the burst
  EXPECT_EQ(limiter.when("x"), Clock::duration::zero());
}

}  // namespace
}  // namespace kcpp::client
