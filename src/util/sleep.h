#pragma once
// sleepFor: suspends the calling coroutine for a while (not cancellable; for
// loops that poll a stop flag between naps).

#include <boost/asio/awaitable.hpp>

#include <chrono>

namespace kcpp {

boost::asio::awaitable<void> sleepFor(std::chrono::steady_clock::duration d);

}  // namespace kcpp
