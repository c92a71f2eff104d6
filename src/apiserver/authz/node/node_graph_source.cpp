#include "apiserver/authz/node/node_graph_source.h"
#include "storage/cacher/cache_follower.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kcpp::apiserver::node {

namespace asio = boost::asio;

namespace {

std::string metaField(const json::object& obj, const char* key) {
  const json::value* meta = obj.if_contains("metadata");
  const json::value* v = meta && meta->is_object() ? meta->get_object().if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

void upsert(NodeGraph& graph, NodeGraph::Source source, const json::object& obj) {
  switch (source) {
    case NodeGraph::Source::Pods: return graph.upsertPod(obj);
    case NodeGraph::Source::Pvcs: return graph.upsertPvc(obj);
    case NodeGraph::Source::Pvs: return graph.upsertPv(obj);
  }
}

void remove(NodeGraph& graph, NodeGraph::Source source, const json::object& obj) {
  std::string ns = metaField(obj, "namespace");
  std::string name = metaField(obj, "name");
  switch (source) {
    case NodeGraph::Source::Pods: return graph.removePod(ns, name);
    case NodeGraph::Source::Pvcs: return graph.removePvc(ns, name);
    case NodeGraph::Source::Pvs: return graph.removePv(name);
  }
}

void apply(NodeGraph& graph, NodeGraph::Source source, const storage::WatchEvent& event) {
  if (event.type == storage::WatchEvent::Type::Bookmark) return;
  auto obj = event.object.parsedObject();
  if (!obj) return;
  if (event.type == storage::WatchEvent::Type::Deleted) {
    remove(graph, source, *obj);
  } else {
    upsert(graph, source, *obj);
  }
}

}  // namespace

asio::awaitable<Result<storage::Revision>> loadGraph(storage::WatchCache& cache,
                                                     NodeGraph::Source source, NodeGraph& graph) {
  storage::ListOptions options;  // named: GCC 12 and braced temporaries in co_await
  auto listed = co_await cache.list(options);
  if (!listed) co_return std::move(listed).error();
  graph.clear(source);
  for (const auto& item : listed->items) {
    if (auto obj = item.parsedObject()) upsert(graph, source, *obj);
  }
  co_return listed->revision;
}

asio::awaitable<void> followGraph(storage::WatchCache& cache, NodeGraph::Source source,
                                  NodeGraph& graph, storage::Revision from,
                                  const std::atomic<bool>& stopping) {
  storage::CacheLoader load = [&]() { return loadGraph(cache, source, graph); };
  storage::CacheEventSink sink = [&](const storage::WatchEvent& e) { apply(graph, source, e); };
  co_await storage::followCache(cache, std::move(load), std::move(sink), from, stopping);
}

}  // namespace kcpp::apiserver::node
