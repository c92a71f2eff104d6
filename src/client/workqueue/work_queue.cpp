#include "client/workqueue/work_queue.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace kcpp::client {

namespace asio = boost::asio;

WorkQueue::WorkQueue(asio::any_io_executor executor, RateLimiterPtr limiter)
    : limiter_(std::move(limiter)), wake_(executor), delayTimer_(executor) {
  // Waiters are woken only by cancellation; the expiry is never reset, because
  // resetting it would cancel the other waiters too.
  wake_.expires_at(Clock::time_point::max());
}

void WorkQueue::add(const std::string& key) {
  if (shuttingDown_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // queued again by done()
  queue_.push_back(key);
  wake_.cancel_one();
}

void WorkQueue::addAfter(const std::string& key, Clock::duration delay) {
  if (shuttingDown_) return;
  if (delay <= Clock::duration::zero()) {
    add(key);
    return;
  }
  Clock::time_point at = Clock::now() + delay;
  auto [it, inserted] = waiting_.emplace(key, at);
  if (!inserted) it->second = std::min(it->second, at);
  armDelayTimer();
}

void WorkQueue::addRateLimited(const std::string& key) { addAfter(key, limiter_->when(key)); }

void WorkQueue::armDelayTimer() {
  if (waiting_.empty()) return;
  Clock::time_point earliest = Clock::time_point::max();
  for (const auto& [key, at] : waiting_) earliest = std::min(earliest, at);
  if (delayTimer_.expiry() == earliest) return;
  delayTimer_.expires_at(earliest);  // cancels the previous wait
  delayTimer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) addReady();
  });
}

void WorkQueue::addReady() {
  Clock::time_point now = Clock::now();
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second <= now) {
      add(it->first);
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  armDelayTimer();
}

asio::awaitable<std::optional<std::string>> WorkQueue::get() {
  while (queue_.empty() && !shuttingDown_) {
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (queue_.empty()) co_return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  co_return key;
}

void WorkQueue::done(const std::string& key) {
  processing_.erase(key);
  if (dirty_.count(key)) {
    queue_.push_back(key);
    wake_.cancel_one();
  }
}

void WorkQueue::shutDown() {
  shuttingDown_ = true;
  waiting_.clear();
  delayTimer_.cancel();
  wake_.cancel();
}

}  // namespace kcpp::client
