#include "controllers/resourcequota/work_queue.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <vector>

#include "util/run_to_completion.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;

class WorkQueueTest : public ::testing::Test {
 protected:
  std::optional<std::string> next() { return runToCompletion(io, queue.get()); }

  asio::io_context io;
  asio::strand<asio::io_context::executor_type> strand = asio::make_strand(io);
  WorkQueue queue{strand};
};

TEST_F(WorkQueueTest, KeysAreQueuedOnceAndUrgentOnesFirst) {
  queue.add("a");
  queue.add("b");
  queue.add("a");
  queue.add("c", true);
  EXPECT_EQ(queue.length(), 3u);
  EXPECT_EQ(next(), "c");
  EXPECT_EQ(next(), "a");
  EXPECT_EQ(next(), "b");
}

TEST_F(WorkQueueTest, KeyAddedWhileInProgressComesBackWhenDone) {
  queue.add("a");
  EXPECT_EQ(next(), "a");
  queue.add("a");
  EXPECT_EQ(queue.length(), 0u) << "not handed out twice at once";
  queue.done("a");
  EXPECT_EQ(queue.length(), 1u);
  EXPECT_EQ(next(), "a");
  queue.done("a");
  EXPECT_EQ(queue.length(), 0u);
}

TEST_F(WorkQueueTest, FailedKeysComeBackAfterABackoff) {
  queue.add("a");
  EXPECT_EQ(next(), "a");
  queue.addRateLimited("a");
  queue.done("a");
  EXPECT_EQ(queue.length(), 0u);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(next(), "a");  // waits for the 5 ms backoff
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(4));
}

TEST_F(WorkQueueTest, ShutDownEndsWaitingWorkers) {
  std::vector<std::optional<std::string>> got;
  for (int i = 0; i < 2; ++i) {
    asio::co_spawn(strand, [&]() -> asio::awaitable<void> { got.push_back(co_await queue.get()); },
                   asio::detached);
  }
  io.run_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(got.empty());
  asio::post(strand, [&] { queue.shutDown(); });
  io.restart();
  io.run();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0]);
  EXPECT_FALSE(got[1]);
}

}  // namespace
}  // namespace kcpp::controllers
