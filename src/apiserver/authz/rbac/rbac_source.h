#pragma once
// Feeds an RbacAuthorizer from the watch caches of the four RBAC resources: a
// list (so the index is complete before the server answers), then a watch from
// the list's revision; a relist when the watch expires.

#include <boost/asio/awaitable.hpp>

#include <atomic>

#include "apiserver/authz/rbac/rbac_authorizer.h"
#include "storage/cacher/watch_cache.h"
#include "util/error.h"

namespace kcpp::apiserver::rbac {

// Replaces the index's objects of `kind` with the cache's; returns its revision.
boost::asio::awaitable<Result<storage::Revision>> loadFromCache(storage::WatchCache& cache,
                                                                Kind kind,
                                                                RbacAuthorizer& authorizer);

// Applies the cache's changes after `from` until `stopping` is set.
boost::asio::awaitable<void> followCache(storage::WatchCache& cache, Kind kind,
                                         RbacAuthorizer& authorizer, storage::Revision from,
                                         const std::atomic<bool>& stopping);

}  // namespace kcpp::apiserver::rbac
