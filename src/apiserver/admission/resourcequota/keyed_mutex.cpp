#include "apiserver/admission/resourcequota/keyed_mutex.h"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kcpp::apiserver::admission {

KeyedMutex::Guard::~Guard() {
  // Frees the place; the first waiting sender (if any) takes it.
  if (slot_) slot_->try_receive([](boost::system::error_code) {});
}

boost::asio::awaitable<KeyedMutex::Guard> KeyedMutex::lock(const std::string& key) {
  auto executor = co_await boost::asio::this_coro::executor;
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard guard(mu_);
    auto& s = slots_[key];
    if (!s) s = std::make_shared<Slot>(executor, 1);
    slot = s;
  }
  boost::system::error_code none;
  co_await slot->async_send(none, boost::asio::use_awaitable);
  co_return Guard(std::move(slot));
}

}  // namespace kcpp::apiserver::admission
