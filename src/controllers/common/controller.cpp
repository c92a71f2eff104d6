#include "controllers/common/controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

namespace kcpp::controllers {

namespace asio = boost::asio;

asio::awaitable<bool> waitForCaches(client::InformerFactory& informers, asio::any_io_executor executor,
                                    const std::string& name) {
  informers.start(executor);
  bool synced = co_await informers.waitForSync(std::chrono::minutes(5));
  if (!synced) spdlog::error("{} controller: informers did not sync", name);
  co_return synced;
}

namespace {

asio::awaitable<void> worker(client::WorkQueue& queue, const SyncFunc& sync, const std::string& name) {
  while (auto key = co_await queue.get()) {
    auto synced = co_await sync(*key);
    if (synced) {
      queue.forget(*key);
    } else {
      // As upstream's HandleError: failures are logged; repeated ones less often.
      int failures = queue.numRequeues(*key);
      if ((failures & (failures - 1)) == 0) {
        spdlog::warn("{} sync {} (failure {}): {}", name, *key, failures + 1, synced.error().message);
      }
      queue.addRateLimited(*key);
    }
    queue.done(*key);
  }
}

}  // namespace

asio::awaitable<void> runWorkers(client::WorkQueue& queue, int workers, SyncFunc sync,
                                 const std::string& name) {
  auto executor = co_await asio::this_coro::executor;
  auto remaining = std::make_shared<int>(workers);
  auto allDone = std::make_shared<asio::steady_timer>(executor, std::chrono::steady_clock::time_point::max());
  auto shared = std::make_shared<SyncFunc>(std::move(sync));
  for (int i = 0; i < workers; ++i) {
    asio::co_spawn(executor, worker(queue, *shared, name), [remaining, allDone, shared](std::exception_ptr) {
      if (--*remaining == 0) allDone->cancel();
    });
  }
  boost::system::error_code ec;
  co_await allDone->async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace kcpp::controllers
