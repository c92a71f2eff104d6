#pragma once
// WorkQueue: the queue controllers reconcile from, as upstream's client-go
// rate-limiting work queue. A key added several times before a worker takes it
// is queued once; a key being worked on is not handed to a second worker, and if
// added meanwhile it is queued again when the first worker calls done(). Failed
// keys come back after a per-key backoff (addRateLimited); forget() resets it.
//
// Not thread-safe: every call, and the coroutines awaiting get(), run on the one
// executor given at construction (a strand when the io_context has threads).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "client/workqueue/rate_limiter.h"

namespace kcpp::client {

class WorkQueue {
 public:
  explicit WorkQueue(boost::asio::any_io_executor executor,
                     RateLimiterPtr limiter = defaultControllerRateLimiter());
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  // Adds `key` once `delay` has passed (a shorter pending delay wins).
  void addAfter(const std::string& key, Clock::duration delay);
  void addRateLimited(const std::string& key);
  void forget(const std::string& key) { limiter_->forget(key); }
  int numRequeues(const std::string& key) const { return limiter_->numRequeues(key); }

  // The next key to work on, waiting for one; nullopt once shut down and empty.
  // The caller must call done(key) when finished with it.
  boost::asio::awaitable<std::optional<std::string>> get();
  void done(const std::string& key);

  // Wakes every waiter; keys already queued are still handed out, new ones are dropped.
  void shutDown();
  bool shuttingDown() const { return shuttingDown_; }
  std::size_t length() const { return queue_.size(); }

 private:
  void armDelayTimer();
  void addReady();

  RateLimiterPtr limiter_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued or to be queued again after done()
  std::set<std::string> processing_;  // handed to a worker
  std::map<std::string, Clock::time_point> waiting_;  // addAfter, by key
  boost::asio::steady_timer wake_;        // get() waits on it; add() cancels one wait
  boost::asio::steady_timer delayTimer_;  // fires at the earliest waiting_ time
  bool shuttingDown_ = false;
};

}  // namespace kcpp::client
