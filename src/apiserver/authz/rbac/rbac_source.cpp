#include "apiserver/authz/rbac/rbac_source.h"
#include "storage/cacher/cache_follower.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>


namespace kcpp::apiserver::rbac {

namespace asio = boost::asio;

namespace {

void apply(RbacAuthorizer& authorizer, Kind kind, const storage::WatchEvent& event) {
  if (event.type == storage::WatchEvent::Type::Bookmark) return;
  auto obj = event.object.parsedObject();
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
    if (auto obj = item.parsedObject()) authorizer.upsert(kind, *obj);
  }
  co_return listed->revision;
}

asio::awaitable<void> followCache(storage::WatchCache& cache, Kind kind,
                                  RbacAuthorizer& authorizer, storage::Revision from,
                                  const std::atomic<bool>& stopping) {
  storage::CacheLoader load = [&]() { return loadFromCache(cache, kind, authorizer); };
  storage::CacheEventSink sink = [&](const storage::WatchEvent& e) { apply(authorizer, kind, e); };
  co_await storage::followCache(cache, std::move(load), std::move(sink), from, stopping);
}

}  // namespace kcpp::apiserver::rbac
