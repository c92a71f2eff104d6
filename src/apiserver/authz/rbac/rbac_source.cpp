#include "apiserver/authz/rbac/rbac_source.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>


namespace kcpp::apiserver::rbac {

namespace asio = boost::asio;

namespace {

std::optional<json::object> parse(const storage::CachedObject& obj) {
  if (!obj.json) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*obj.json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

void apply(RbacAuthorizer& authorizer, Kind kind, const storage::WatchEvent& event) {
  if (event.type == storage::WatchEvent::Type::Bookmark) return;
  auto obj = parse(event.object);
  if (!obj) return;
  if (event.type == storage::WatchEvent::Type::Deleted) {
    const json::value* meta = obj->if_contains("metadata");
    if (!meta || !meta->is_object()) return;
    auto field = [&](const char* k) {
      const json::value* v = meta->get_object().if_contains(k);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    authorizer.remove(kind, field("namespace"), field("name"));
    return;
  }
  authorizer.upsert(kind, *obj);
}

}  // namespace

asio::awaitable<Result<storage::Revision>> loadFromCache(storage::WatchCache& cache, Kind kind,
                                                         RbacAuthorizer& authorizer) {
  storage::ListOptions options;  // named: GCC 12 and braced temporaries in co_await
  auto listed = co_await cache.list(options);
  if (!listed) co_return std::move(listed).error();
  authorizer.clear(kind);
  for (const auto& item : listed->items) {
    if (auto obj = parse(item)) authorizer.upsert(kind, *obj);
  }
  co_return listed->revision;
}

asio::awaitable<void> followCache(storage::WatchCache& cache, Kind kind,
                                  RbacAuthorizer& authorizer, storage::Revision from,
                                  const std::atomic<bool>& stopping) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  storage::CacheWatcherPtr watcher;
  while (!stopping) {
    if (!watcher) {
      auto w = cache.watch("", {}, from, false);
      if (!w && w.error().reason == Reason::Expired) {
        auto rev = co_await loadFromCache(cache, kind, authorizer);
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
      if (events.error().reason == Reason::ServiceUnavailable && stopping) co_return;
      // Dropped or relisted: start over from a fresh list.
      auto rev = co_await loadFromCache(cache, kind, authorizer);
      if (rev) from = *rev;
      continue;
    }
    for (const auto& e : *events) {
      apply(authorizer, kind, e);
      if (e.type != storage::WatchEvent::Type::Bookmark && e.object.modRevision > from) {
        from = e.object.modRevision;
      }
      if (e.type == storage::WatchEvent::Type::Bookmark && e.revision > from) from = e.revision;
    }
  }
}

}  // namespace kcpp::apiserver::rbac
