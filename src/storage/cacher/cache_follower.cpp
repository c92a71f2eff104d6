#include "storage/cacher/cache_follower.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kcpp::storage {

namespace asio = boost::asio;

asio::awaitable<void> followCache(WatchCache& cache, CacheLoader load, CacheEventSink apply,
                                  Revision from, const std::atomic<bool>& stopping) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  CacheWatcherPtr watcher;
  while (!stopping) {
    if (!watcher) {
      auto w = cache.watch("", {}, from, false);
      if (!w && w.error().reason == Reason::Expired) {
        auto rev = co_await load();
        if (rev) {
          from = *rev;
          continue;
        }
      }
      if (!w) {
        timer.expires_after(std::chrono::milliseconds(500));
        co_await timer.async_wait(asio::use_awaitable);
        continue;
      }
      watcher = std::move(*w);
    }
    auto events = co_await watcher->next(std::chrono::seconds(1));
    if (!events) {
      watcher.reset();
      if (stopping) co_return;
      // Dropped: start over from a fresh load.
      auto rev = co_await load();
      if (rev) from = *rev;
      continue;
    }
    for (const auto& e : *events) {
      apply(e);
      if (e.type != WatchEvent::Type::Bookmark && e.object.modRevision > from) {
        from = e.object.modRevision;
      }
      if (e.type == WatchEvent::Type::Bookmark && e.revision > from) from = e.revision;
    }
  }
}

}  // namespace kcpp::storage
