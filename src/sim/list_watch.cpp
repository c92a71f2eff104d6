#include "sim/list_watch.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/meta/object.h"
#include "client/informer/informer.h"

namespace kcpp::sim {

namespace asio = boost::asio;
using namespace std::chrono_literals;

void ListWatch::stop() {
  stopped_ = true;
  if (stream_) stream_->close();
  if (sleeper_) sleeper_->cancel();
}

asio::awaitable<Result<void>> ListWatch::list() {
  auto listed = co_await client_.get(collection_);
  if (!listed) co_return std::move(listed).error();
  std::set<std::string> keys;
  if (auto* items = listed->if_contains("items"); items && items->is_array()) {
    for (auto& item : items->get_array()) {
      if (!item.is_object()) continue;
      keys.insert(client::objectKey(item.get_object()));
      handlers_.upsert(item.get_object());
    }
  }
  if (handlers_.listed) handlers_.listed(keys);
  const json::value* rv = api::findPath(*listed, "metadata.resourceVersion");
  resourceVersion_ = rv && rv->is_string() ? std::string(rv->get_string()) : "";
  synced_ = true;
  co_return Result<void>{};
}

asio::awaitable<Result<void>> ListWatch::watch() {
  client::ResourcePath path = collection_;
  std::string params = "allowWatchBookmarks=true&timeoutSeconds=600&resourceVersion=" + resourceVersion_;
  path.query = path.query.empty() ? params : path.query + "&" + params;
  auto stream = co_await client_.watch(path);
  if (!stream) co_return std::move(stream).error();
  stream_ = stream->get();
  Result<void> outcome;
  while (!stopped_) {
    auto event = co_await (*stream)->next();
    if (!event) {
      outcome = std::move(event).error();
      break;
    }
    if (!*event) break;  // the server ended the watch: resume from resourceVersion_
    client::WatchEvent& e = **event;
    if (e.type == "ERROR") {
      auto* code = e.object.if_contains("code");
      int status = code && code->is_int64() ? static_cast<int>(code->get_int64()) : 500;
      outcome = client::errorFromResponse(status, json::serialize(e.object));
      break;
    }
    if (e.type == "ADDED" || e.type == "MODIFIED") handlers_.upsert(e.object);
    if (e.type == "DELETED") handlers_.remove(e.object);
    std::string_view rv = api::metaResourceVersion(e.object);
    if (!rv.empty()) resourceVersion_ = std::string(rv);
  }
  stream_ = nullptr;
  co_return outcome;
}

asio::awaitable<void> ListWatch::run() {
  std::chrono::milliseconds backoff = 800ms;
  bool needList = true;
  while (!stopped_) {
    Result<void> step;
    if (needList) {
      step = co_await list();
    } else {
      step = co_await watch();
    }
    if (step) {
      needList = false;
      backoff = 800ms;
      continue;
    }
    if (stopped_) break;
    Reason reason = step.error().reason;
    needList = needList || reason == Reason::Gone || reason == Reason::Expired;
    sleeper_ = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor, backoff);
    boost::system::error_code ec;
    co_await sleeper_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    sleeper_.reset();
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, 30s);
  }
}

}  // namespace kcpp::sim
