#pragma once
// Wakeup: one coroutine waits, with a timeout, until any thread says "look again".
//
// It is the condition variable of the watch cache's coroutines: a watcher's next()
// waits on one for new events, a read waits on one for the cache to reach a
// revision. notify() may come from any thread, before or during the wait; the
// waiting coroutine always resumes on its own executor (the completion is
// posted there, never run on the notifier's thread). Parking the coroutine's
// completion handler under a mutex, rather than cancelling a shared timer from
// another thread, keeps it correct on multi-threaded executors too.
//
// Create with std::make_shared: the timeout's handler holds a weak reference.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

namespace kcpp::storage::cacher {

class Wakeup : public std::enable_shared_from_this<Wakeup> {
 public:
  // True when notified (now, or since the previous wait returned); false on
  // timeout or when the wait's Asio cancellation slot is triggered. One waiter at a
  // time; the Wakeup must outlive the wait.
  boost::asio::awaitable<bool> wait(std::chrono::steady_clock::duration timeout);

  // Thread-safe and cheap when nobody waits (it only leaves a note).
  void notify();

 private:
  using Handler = boost::asio::any_completion_handler<void(bool)>;
  using Executor = boost::asio::any_io_executor;

  bool consumeNotification();
  void park(Handler handler, Executor executor, std::uint64_t generation);
  void expire(std::uint64_t generation);
  static void complete(Handler handler, const Executor& executor, bool notified);

  std::mutex mutex_;
  Handler parked_;                   // the waiting coroutine's continuation, if any
  // Where it resumes. Kept as the coroutine's own executor type: posting through
  // it guarantees the completion never runs inline on the notifier's thread.
  Executor parkedExecutor_;
  std::uint64_t parkedGeneration_ = 0;
  std::uint64_t generation_ = 0;     // of the newest wait
  std::uint64_t expiredGeneration_ = 0;  // a wait that timed out before it parked
  bool notified_ = false;            // a notify() no wait has consumed yet
};

using WakeupPtr = std::shared_ptr<Wakeup>;

}  // namespace kcpp::storage::cacher
