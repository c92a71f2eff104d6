#pragma once
// sleepFor: suspends the calling coroutine for a while (not cancellable; for
// loops that poll a stop flag between naps). Inline, not in kcpp_util's
// library: the fuzz build compiles that library with clang 14, which cannot
// compile this coroutine with its sanitizers ("Cannot represent a difference
// across sections"), and no fuzzer needs it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace kcpp {

inline boost::asio::awaitable<void> sleepFor(std::chrono::steady_clock::duration d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  boost::system::error_code ec;
  co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace kcpp
