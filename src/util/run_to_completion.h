#pragma once
// Runs one awaitable on an io_context until it finishes and returns its result:
// how tests (and other synchronous callers) drive coroutine APIs without a server.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <optional>
#include <utility>

namespace kcpp {

template <class T>
T runToCompletion(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  std::optional<T> out;
  auto done = boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(work)); },
      boost::asio::use_future);
  io.restart();
  io.run();
  done.get();  // rethrows what the coroutine threw
  return std::move(*out);
}

}  // namespace kcpp
