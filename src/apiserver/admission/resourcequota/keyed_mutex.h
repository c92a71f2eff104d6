#pragma once
// KeyedMutex: an asynchronous mutex per key (here: per namespace), so that the
// quota checks of one namespace run one at a time on this server, as upstream's
// quota evaluator queues them by namespace. Coroutines wait without blocking a
// thread; the lock is handed to waiters in the order they asked.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace kcpp::apiserver::admission {

class KeyedMutex {
  using Slot = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

 public:
  // Holds the lock of one key until destroyed.
  class Guard {
   public:
    explicit Guard(std::shared_ptr<Slot> slot) : slot_(std::move(slot)) {}
    Guard(Guard&&) = default;
    Guard& operator=(Guard&&) = delete;
    ~Guard();

   private:
    std::shared_ptr<Slot> slot_;
  };

  boost::asio::awaitable<Guard> lock(const std::string& key);

 private:
  std::mutex mu_;
  // One single-place channel per key: holding the lock is having a message in it.
  std::map<std::string, std::shared_ptr<Slot>> slots_;
};

}  // namespace kcpp::apiserver::admission
