#pragma once
// followCache: keeps an in-memory index (RBAC's subject index, the Node
// authorizer's graph) current from a WatchCache: it applies every event after
// `from`, and when the watch cannot continue (history expired, watcher
// dropped) loads the whole state again and resumes from there. It runs until
// `stopping` is set.

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <functional>

#include "storage/cacher/watch_cache.h"
#include "util/error.h"

namespace kcpp::storage {

// Replaces the index with the cache's current state; the revision it reflects.
using CacheLoader = std::function<boost::asio::awaitable<Result<Revision>>()>;
using CacheEventSink = std::function<void(const WatchEvent&)>;

boost::asio::awaitable<void> followCache(WatchCache& cache, CacheLoader load, CacheEventSink apply,
                                         Revision from, const std::atomic<bool>& stopping);

}  // namespace kcpp::storage
