#pragma once
// Feeds a NodeGraph from the pods, PVC and PV watch caches: a list (so the graph
// is complete before the server answers), then a watch from the list's revision;
// a relist when the watch is dropped or expires.

#include <boost/asio/awaitable.hpp>

#include <atomic>

#include "apiserver/authz/node/node_graph.h"
#include "storage/cacher/watch_cache.h"
#include "util/error.h"

namespace kcpp::apiserver::node {

boost::asio::awaitable<Result<storage::Revision>> loadGraph(storage::WatchCache& cache,
                                                            NodeGraph::Source source,
                                                            NodeGraph& graph);

boost::asio::awaitable<void> followGraph(storage::WatchCache& cache, NodeGraph::Source source,
                                         NodeGraph& graph, storage::Revision from,
                                         const std::atomic<bool>& stopping);

}  // namespace kcpp::apiserver::node
