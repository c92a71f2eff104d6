// WATCH: a chunked stream of {"type":..., "object":...} lines, one per event, as
// upstream's watch server writes them.
#include <boost/json.hpp>

#include <random>

#include "api/meta/object.h"
#include "api/meta/status.h"
#include "apiserver/handlers/api_handler.h"
#include "apiserver/handlers/codec.h"
#include "apiserver/handlers/list_query.h"
#include "apiserver/handlers/table.h"

namespace kcpp::apiserver {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

const char* typeName(storage::WatchEvent::Type t) {
  switch (t) {
    case storage::WatchEvent::Type::Added: return "ADDED";
    case storage::WatchEvent::Type::Modified: return "MODIFIED";
    case storage::WatchEvent::Type::Deleted: return "DELETED";
    case storage::WatchEvent::Type::Bookmark: return "BOOKMARK";
  }
  return "ERROR";
}

std::string eventLine(const char* type, const std::string& objectJson) {
  std::string line;
  line.reserve(objectJson.size() + 32);
  line += "{\"type\":\"";
  line += type;
  line += "\",\"object\":";
  line += objectJson;
  line += "}\n";
  return line;
}

std::string bookmarkObject(const api::ResourceType& type, storage::Revision revision) {
  json::object meta;
  meta["resourceVersion"] = std::to_string(revision);
  meta["creationTimestamp"] = nullptr;
  json::object obj;
  obj["kind"] = type.kind;
  obj["apiVersion"] = type.apiVersion();
  obj["metadata"] = std::move(meta);
  return json::serialize(obj);
}

std::chrono::seconds watchTimeout(const QueryParams& query, std::chrono::seconds minTimeout) {
  std::string t = queryParam(query, "timeoutSeconds");
  if (!t.empty()) return std::chrono::seconds(std::max(0LL, std::atoll(t.c_str())));
  // Upstream spreads watch lifetimes over [min, 2*min) so reconnects don't align.
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<long long> pick(minTimeout.count(), 2 * minTimeout.count() - 1);
  return std::chrono::seconds(minTimeout.count() > 0 ? pick(rng) : 0);
}

}  // namespace

boost::asio::awaitable<void> ApiHandler::handleWatch(ApiRequest& request, const RequestInfo& info,
                                                     Registry& registry, ResponseSink& sink) {
  const api::ResourceType& type = registry.type();
  const std::string ns = type.namespaced ? info.namespace_ : "";
  auto predicate = selectorPredicate(type, request.query, info.name);
  if (!predicate) co_return co_await sink.respond(errorResponse(predicate.error()));
  std::string rv = queryParam(request.query, "resourceVersion");
  storage::Revision after = 0;
  if (!rv.empty() && rv != "0") {
    after = std::atoll(rv.c_str());
    if (after <= 0) {
      co_return co_await sink.respond(
          errorResponse(api::badRequest("invalid resource version: " + rv)));
    }
  }
  bool tables = negotiate(request.accept).form == ResponseForm::Table;
  IncludeObject include = parseIncludeObject(queryParam(request.query, "includeObject"));
  bool bookmarks = queryParam(request.query, "allowWatchBookmarks") == "true";
  auto deadline = Clock::now() + watchTimeout(request.query, options_.minRequestTimeout);

  auto watcher = registry.watch(ns, std::move(*predicate), after, after == 0);
  if (!co_await sink.startStream(200, "application/json")) co_return;
  if (!watcher) {
    // Upstream answers 200 and then an ERROR event carrying the 410 Status.
    co_await sink.writeChunk(eventLine("ERROR", json::serialize(api::statusObject(watcher.error()))));
    co_return co_await sink.endStream();
  }
  auto lastBookmark = Clock::now();
  // As upstream's watch cache: a last BOOKMARK shortly before the deadline, so
  // the client can resume from an up-to-date resourceVersion.
  auto finalBookmarkAt = deadline - std::chrono::seconds(2);
  bool finalBookmarkSent = false;
  while (!stopping_) {
    auto now = Clock::now();
    if (now >= deadline) break;
    if (bookmarks && !finalBookmarkSent && now >= finalBookmarkAt) {
      finalBookmarkSent = true;
      lastBookmark = now - options_.bookmarkInterval;  // let the next Bookmark through
    }
    auto wait = std::min<Clock::duration>(deadline - now, std::chrono::seconds(1));
    if (bookmarks && !finalBookmarkSent && finalBookmarkAt > now) {
      wait = std::min<Clock::duration>(wait, finalBookmarkAt - now);
    }
    auto events = co_await (*watcher)->next(
        std::chrono::duration_cast<std::chrono::milliseconds>(wait));
    if (!events) {
      co_await sink.writeChunk(eventLine("ERROR", json::serialize(api::statusObject(events.error()))));
      break;
    }
    std::string batch;
    for (const storage::WatchEvent& ev : *events) {
      if (ev.type == storage::WatchEvent::Type::Bookmark) {
        if (!bookmarks || Clock::now() - lastBookmark < options_.bookmarkInterval) continue;
        lastBookmark = Clock::now();
        batch += eventLine("BOOKMARK", bookmarkObject(type, ev.revision));
        continue;
      }
      if (tables) {
        auto parsed = api::parseJson(*ev.object.json);
        if (!parsed || !parsed->is_object()) continue;
        auto table = makeTable(type, {parsed->get_object()}, include, "", "");
        batch += eventLine(typeName(ev.type), json::serialize(table));
      } else {
        batch += eventLine(typeName(ev.type), *ev.object.json);
      }
    }
    if (!batch.empty() && !co_await sink.writeChunk(std::move(batch))) co_return;
  }
  co_await sink.endStream();
}

}  // namespace kcpp::apiserver
