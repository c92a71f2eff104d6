#include "storage/cacher/wakeup.h"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

#include "util/error.h"

namespace kcpp::storage::cacher {

namespace asio = boost::asio;

boost::asio::awaitable<bool> Wakeup::wait(std::chrono::steady_clock::duration timeout) {
  if (consumeNotification()) co_return true;
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    generation = ++generation_;
  }
  // The timer lives in this frame and is only touched from it; its handler may
  // run after the wait ended (then the generation no longer matches).
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, timeout);
  timer.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& error) {
    if (error) return;
    if (auto self = weak.lock()) self->expire(generation);
  });
  const bool notified = co_await asio::async_initiate<const asio::use_awaitable_t<>, void(bool)>(
      [this, generation](auto handler) {
        Executor executor = asio::get_associated_executor(handler);
        park(Handler(std::move(handler)), std::move(executor), generation);
      },
      asio::use_awaitable);
  timer.cancel();
  co_return notified;
}

void Wakeup::notify() {
  std::unique_lock lock(mutex_);
  if (!parked_) {
    notified_ = true;
    return;
  }
  Handler handler = std::move(parked_);  // move construction leaves parked_ empty
  Executor executor = std::move(parkedExecutor_);
  lock.unlock();
  complete(std::move(handler), executor, true);
}

bool Wakeup::consumeNotification() {
  std::lock_guard lock(mutex_);
  return std::exchange(notified_, false);
}

void Wakeup::park(Handler handler, Executor executor, std::uint64_t generation) {
  std::unique_lock lock(mutex_);
  // A notify() or the timeout may have come between the check in wait() and here.
  if (notified_ || expiredGeneration_ == generation) {
    const bool notified = std::exchange(notified_, false);
    lock.unlock();
    complete(std::move(handler), executor, notified);
    return;
  }
  KCPP_CHECK(!parked_, "two coroutines wait on one Wakeup");
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (slot.is_connected()) {
    slot.assign([this, generation](asio::cancellation_type) { expire(generation); });
  }
  // swap, not move-assignment: Boost 1.81's any_completion_handler move-assigns
  // through its wrapping constructor and recurses without end.
  parked_.swap(handler);
  parkedExecutor_ = std::move(executor);
  parkedGeneration_ = generation;
}

void Wakeup::expire(std::uint64_t generation) {
  std::unique_lock lock(mutex_);
  if (!parked_ || parkedGeneration_ != generation) {
    expiredGeneration_ = generation;  // park() will see it, if this wait has not parked yet
    return;
  }
  Handler handler = std::move(parked_);  // move construction leaves parked_ empty
  Executor executor = std::move(parkedExecutor_);
  lock.unlock();
  complete(std::move(handler), executor, false);
}

// Resumes the waiter on its own executor. The cancellation slot is cleared there,
// not here: this may run inside the slot's own handler.
void Wakeup::complete(Handler handler, const Executor& executor, bool notified) {
  asio::post(executor, [handler = std::move(handler), notified]() mutable {
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) slot.clear();
    std::move(handler)(notified);
  });
}

}  // namespace kcpp::storage::cacher
