#include "apiserver/server/in_flight_limiter.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace kcpp::apiserver {

namespace asio = boost::asio;

bool InFlightLimiter::tryTake() {
  if (used_ >= limit_ || !line_.empty()) return false;
  ++used_;
  return true;
}

asio::awaitable<bool> InFlightLimiter::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (tryTake()) co_return true;
  }
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_after(maxWait_);
  {
    std::lock_guard lock(mutex_);
    if (tryTake()) co_return true;
    line_.push_back(waiter);
  }
  boost::system::error_code ec;
  co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  std::lock_guard lock(mutex_);
  // Granted (woken by release, or granted just as the wait ran out): the slot
  // was handed over without being counted free.
  if (waiter->granted) co_return true;
  line_.erase(std::find(line_.begin(), line_.end(), waiter));
  co_return false;
}

void InFlightLimiter::release() {
  std::shared_ptr<Waiter> next;
  {
    std::lock_guard lock(mutex_);
    if (line_.empty()) {
      --used_;
      return;
    }
    next = std::move(line_.front());
    line_.pop_front();
    next->granted = true;
  }
  // The timer belongs to the waiter's strand: cancel it there. The waiter owns
  // the timer, so it outlives a wait that already ended.
  asio::post(next->timer.get_executor(), [next] { next->timer.cancel(); });
}

std::size_t InFlightLimiter::inFlight() const {
  std::lock_guard lock(mutex_);
  return used_;
}

}  // namespace kcpp::apiserver
