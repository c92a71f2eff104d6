#pragma once
// InFlightLimiter: the bound on requests being served at once (upstream's
// --max-requests-inflight + --max-mutating-requests-inflight, 400 + 200). Over
// the bound a request waits in line (first come, first served) for up to
// `maxWait` before it is refused with 429, as upstream's priority-and-fairness
// queues do: refusing at once made a ReplicaSet's burst of creates (up to 500)
// stall for the whole Retry-After second.
//
// Thread-safe; a waiting request's coroutine must run on a strand (or a
// one-thread io_context), as the server's sessions do.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

namespace kcpp::apiserver {

class InFlightLimiter {
 public:
  InFlightLimiter(std::size_t limit, std::chrono::milliseconds maxWait) : limit_(limit), maxWait_(maxWait) {}

  // Takes a slot, waiting in line when none is free; false: none came in time.
  boost::asio::awaitable<bool> acquire();
  // Gives the slot back (to the first in line, if any).
  void release();
  std::size_t inFlight() const;

 private:
  struct Waiter {
    explicit Waiter(boost::asio::any_io_executor executor) : timer(executor) {}
    boost::asio::steady_timer timer;
    bool granted = false;
  };
  bool tryTake();  // with mutex_ held

  const std::size_t limit_;
  const std::chrono::milliseconds maxWait_;
  mutable std::mutex mutex_;
  std::size_t used_ = 0;
  std::deque<std::shared_ptr<Waiter>> line_;
};

// Holds a slot for a scope.
class InFlightSlot {
 public:
  explicit InFlightSlot(InFlightLimiter& limiter) : limiter_(limiter) {}
  ~InFlightSlot() { limiter_.release(); }
  InFlightSlot(const InFlightSlot&) = delete;
  InFlightSlot& operator=(const InFlightSlot&) = delete;

 private:
  InFlightLimiter& limiter_;
};

}  // namespace kcpp::apiserver
