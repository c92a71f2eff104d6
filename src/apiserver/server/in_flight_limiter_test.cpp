#include "apiserver/server/in_flight_limiter.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <string>
#include <vector>

namespace kcpp::apiserver {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Spawns a request that asks for a slot and records when it got one (or
// "refused"); the test releases slots by hand.
void request(asio::io_context& io, InFlightLimiter& limiter, std::string name,
             std::vector<std::string>& log) {
  asio::co_spawn(io, [&limiter, &log, name]() -> asio::awaitable<void> {
    bool admitted = co_await limiter.acquire();
    log.push_back(admitted ? name : name + " refused");
  }, asio::detached);
}

TEST(InFlightLimiter, AdmitsUpToTheLimitAtOnce) {
  asio::io_context io;
  InFlightLimiter limiter(2, 1000ms);
  std::vector<std::string> log;
  request(io, limiter, "a", log);
  request(io, limiter, "b", log);
  io.run_for(50ms);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(limiter.inFlight(), 2u);
}

TEST(InFlightLimiter, OverTheLimitWaitsInLineForAReleasedSlot) {
  asio::io_context io;
  InFlightLimiter limiter(1, 5000ms);
  std::vector<std::string> log;
  request(io, limiter, "a", log);
  request(io, limiter, "b", log);
  request(io, limiter, "c", log);
  io.run_for(50ms);
  EXPECT_EQ(log, (std::vector<std::string>{"a"}));
  limiter.release();  // a is done: b (first in line) gets its slot
  io.run_for(50ms);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
  limiter.release();
  io.run_for(50ms);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(limiter.inFlight(), 1u);  // c holds it
}

TEST(InFlightLimiter, AWaitPastTheBoundIsRefused) {
  asio::io_context io;
  InFlightLimiter limiter(1, 100ms);
  std::vector<std::string> log;
  request(io, limiter, "a", log);
  request(io, limiter, "b", log);
  io.run_for(400ms);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b refused"}));
  limiter.release();
  EXPECT_EQ(limiter.inFlight(), 0u);
  request(io, limiter, "c", log);
  io.restart();  // it ran out of work when b's wait ended
  io.run_for(50ms);
  EXPECT_EQ(log.back(), "c");
}

}  // namespace
}  // namespace kcpp::apiserver
