#include "storage/compactor/compactor.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/memory/memory_store.h"

namespace kcpp::storage {
namespace {

TEST(Compactor, CompactsToTheRevisionSeenOneRoundEarlier) {
  auto store = makeMemoryStore();
  boost::asio::io_context io;
  Compactor compactor(*store, io.get_executor());
  auto tick = [&] {
    std::optional<Result<void>> out;
    boost::asio::co_spawn(
        io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await compactor.tick()); },
        boost::asio::detached);
    io.restart();
    io.run();
    ASSERT_TRUE(out && out->ok());
  };

  ASSERT_TRUE(store->createNow("/c/a", "1").ok());
  tick();
  EXPECT_EQ(store->compactedRevisionNow(), 0) << "the first round only observes";
  Revision seen = store->currentRevisionNow();
  ASSERT_TRUE(store->updateNow("/c/a", "2", 0).ok());
  tick();
  EXPECT_EQ(store->compactedRevisionNow(), seen);
  Revision seenNext = store->currentRevisionNow();
  ASSERT_TRUE(store->updateNow("/c/a", "3", 0).ok());
  tick();
  EXPECT_EQ(store->compactedRevisionNow(), seenNext);
  EXPECT_EQ(store->getNow("/c/a")->value, "3");
}

TEST(Compactor, RunsEveryIntervalUntilStopped) {
  auto store = makeMemoryStore();
  boost::asio::io_context io;
  auto compactor = std::make_unique<Compactor>(*store, io.get_executor(), std::chrono::milliseconds(10));
  compactor->start();
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer timer(io);
        for (int i = 0; i < 20; ++i) {
          (void)store->createNow("/c/" + std::to_string(i), "v");
          timer.expires_after(std::chrono::milliseconds(5));
          co_await timer.async_wait(boost::asio::use_awaitable);
        }
        compactor.reset();  // stops the loop; io.run() then returns
      },
      boost::asio::detached);
  io.run();
  Revision compacted = store->compactedRevisionNow();
  EXPECT_GT(compacted, 1) << "the loop compacted on its own";
  EXPECT_LT(compacted, store->currentRevisionNow()) << "but never to the newest revision";
}

}  // namespace
}  // namespace kcpp::storage
