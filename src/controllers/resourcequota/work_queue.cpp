#include "controllers/resourcequota/work_queue.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <memory>

namespace kcpp::controllers {

namespace asio = boost::asio;

WorkQueue::WorkQueue(asio::any_io_executor strand)
    : strand_(strand), wake_(strand, asio::steady_timer::time_point::max()) {}

void WorkQueue::add(const std::string& key, bool urgent) {
  if (shutDown_) return;
  if (dirty_.count(key)) {
    if (urgent && !processing_.count(key)) {
      // Already waiting: move it to the front.
      auto it = std::find(queue_.begin(), queue_.end(), key);
      if (it != queue_.end()) {
        queue_.erase(it);
        queue_.push_front(key);
      }
    }
    return;
  }
  dirty_.insert(key);
  if (processing_.count(key)) return;  // done() queues it again
  if (urgent) queue_.push_front(key);
  else queue_.push_back(key);
  wake_.cancel();
}

void WorkQueue::addAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (shutDown_) return;
  if (delay <= std::chrono::milliseconds(0)) return add(key);
  auto timer = std::make_shared<asio::steady_timer>(strand_, delay);
  timer->async_wait([this, timer, key](boost::system::error_code ec) {
    if (!ec) add(key);
  });
}

void WorkQueue::addRateLimited(const std::string& key) {
  int n = failures_[key]++;
  auto delay = std::chrono::milliseconds(5) * (1LL << std::min(n, 20));
  addAfter(key, std::min<std::chrono::milliseconds>(delay, std::chrono::seconds(1000)));
}

asio::awaitable<std::optional<std::string>> WorkQueue::get() {
  while (queue_.empty() && !shutDown_) {
    // The timer never expires: add() and done() cancel it to wake every waiter
    // (re-arming it here would cancel the other waiters).
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (shutDown_) co_return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  co_return key;
}

void WorkQueue::done(const std::string& key) {
  processing_.erase(key);
  if (dirty_.count(key) && !shutDown_) {
    queue_.push_back(key);
    wake_.cancel();
  }
}

void WorkQueue::shutDown() {
  shutDown_ = true;
  wake_.cancel();
}

}  // namespace kcpp::controllers
