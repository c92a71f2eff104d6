#pragma once
// WorkQueue: the keys a controller has to reconcile, as client-go's rate-limited
// work queue: a key is queued at most once, is never handed to two workers at
// once (added while in progress: queued again when done), and failed keys come
// back after a per-key exponential backoff (5 ms doubling, up to 1000 s).
//
// Not thread safe: every call, and every worker awaiting get(), runs on the one
// strand the queue was built with.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace kcpp::controllers {

class WorkQueue {
 public:
  explicit WorkQueue(boost::asio::any_io_executor strand);

  // `urgent` keys go to the front (upstream's separate priority queue).
  void add(const std::string& key, bool urgent = false);
  void addAfter(const std::string& key, std::chrono::milliseconds delay);
  void addRateLimited(const std::string& key);
  void forget(const std::string& key) { failures_.erase(key); }
  // The next key to work on; nullopt once shut down.
  boost::asio::awaitable<std::optional<std::string>> get();
  void done(const std::string& key);
  void shutDown();
  std::size_t length() const { return queue_.size(); }

 private:
  boost::asio::any_io_executor strand_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued or waiting to be requeued
  std::set<std::string> processing_;  // handed to a worker
  std::map<std::string, int> failures_;
  boost::asio::steady_timer wake_;
  bool shutDown_ = false;
};

}  // namespace kcpp::controllers
