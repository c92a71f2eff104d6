#pragma once
// AsyncQueue: an unbounded FIFO between coroutines of one strand (a stream's
// inbound data, a connection's outbound frames). pop() waits for an item or
// for close(); there is one consumer at a time.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>
#include <optional>

namespace kcpp::streaming {

template <class T>
class AsyncQueue {
 public:
  explicit AsyncQueue(const boost::asio::any_io_executor& executor) : wake_(executor) {}

  void push(T item) {
    if (closed_) return;
    items_.push_back(std::move(item));
    wake_.cancel();
  }
  // Consumers get what is queued, then nullopt.
  void close() {
    closed_ = true;
    wake_.cancel();
  }
  bool closed() const { return closed_; }
  std::size_t size() const { return items_.size(); }

  boost::asio::awaitable<std::optional<T>> pop() {
    while (items_.empty() && !closed_) {
      wake_.expires_at(boost::asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await wake_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (items_.empty()) co_return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    co_return std::optional<T>(std::move(item));
  }

 private:
  std::deque<T> items_;
  bool closed_ = false;
  boost::asio::steady_timer wake_;
};

}  // namespace kcpp::streaming
