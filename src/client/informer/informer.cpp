#include "client/informer/informer.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <random>

#include "util/percent_encode.h"

namespace kcpp::client {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::string stringAt(const json::object& obj, std::string_view section, std::string_view field) {
  auto* s = obj.if_contains(section);
  if (!s || !s->is_object()) return "";
  auto* v = s->get_object().if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

// Upstream's reflector asks for watches of 5 to 10 minutes.
int watchTimeoutSeconds() {
  static thread_local std::mt19937 random{std::random_device{}()};
  return std::uniform_int_distribution<int>(300, 599)(random);
}

}  // namespace

std::string objectKey(const json::object& obj) {
  std::string ns = stringAt(obj, "metadata", "namespace");
  std::string name = stringAt(obj, "metadata", "name");
  return ns.empty() ? name : ns + "/" + name;
}

IndexFunc namespaceIndex() {
  return [](const json::object& obj) {
    return std::vector<std::string>{stringAt(obj, "metadata", "namespace")};
  };
}

Informer::Informer(RestClient& client, ResourcePath collection)
    : client_(client), collection_(std::move(collection)) {}

void Informer::addIndexer(const std::string& name, IndexFunc index) {
  // A controller joining a running shared informer: what it holds is indexed now.
  indices_.erase(name);
  for (const auto& [key, obj] : items_) indexWith(name, index, key, obj, true);
  indexers_[name] = std::move(index);
}

void Informer::addHandlers(EventHandlers handlers) {
  // As client-go's AddEventHandler on a running informer: what the cache holds
  // already reaches the newcomer as adds, or a controller whose handlers join a
  // shared informer after its first list would never hear of those objects.
  if (handlers.onAdd) {
    for (const auto& [key, obj] : items_) handlers.onAdd(obj);
  }
  handlers_.push_back(std::move(handlers));
}

void Informer::stop() {
  stopped_ = true;
  if (stream_) stream_->close();
  if (sleeper_) sleeper_->cancel();
}

ObjectPtr Informer::get(const std::string& key) const {
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::list() const {
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(obj);
  return out;
}

std::vector<ObjectPtr> Informer::byIndex(const std::string& indexName,
                                         const std::string& value) const {
  std::vector<ObjectPtr> out;
  auto index = indices_.find(indexName);
  if (index == indices_.end()) return out;
  auto objects = index->second.find(value);
  if (objects == index->second.end()) return out;
  out.reserve(objects->second.size());
  for (const auto& [key, obj] : objects->second) out.push_back(obj);
  return out;
}

void Informer::indexWith(const std::string& name, const IndexFunc& func, const std::string& key,
                         const ObjectPtr& obj, bool add) {
  auto& values = indices_[name];
  for (const std::string& value : func(*obj)) {
    if (add) {
      values[value][key] = obj;
      continue;
    }
    auto it = values.find(value);
    if (it == values.end()) continue;
    it->second.erase(key);
    if (it->second.empty()) values.erase(it);
  }
}

void Informer::index(const std::string& key, const ObjectPtr& obj, bool add) {
  for (const auto& [name, func] : indexers_) indexWith(name, func, key, obj, add);
}

void Informer::upsert(json::object obj) {
  if (transform_) transform_(obj);
  std::string key = objectKey(obj);
  ObjectPtr fresh = std::make_shared<const json::object>(std::move(obj));
  if (interner_ && !transform_) fresh = interner_->intern(std::move(fresh));
  auto it = items_.find(key);
  if (it == items_.end()) {
    items_.emplace(key, fresh);
    index(key, fresh, true);
    for (auto& h : handlers_) {
      if (h.onAdd) h.onAdd(fresh);
    }
    return;
  }
  ObjectPtr old = it->second;
  index(key, old, false);
  it->second = fresh;
  index(key, fresh, true);
  for (auto& h : handlers_) {
    if (h.onUpdate) h.onUpdate(old, fresh);
  }
}

void Informer::remove(const std::string& key) {
  auto it = items_.find(key);
  if (it == items_.end()) return;
  ObjectPtr old = it->second;
  index(key, old, false);
  items_.erase(it);
  for (auto& h : handlers_) {
    if (h.onDelete) h.onDelete(old);
  }
}

asio::awaitable<Result<void>> Informer::listAndReplace() {
  ++lists_;
  std::set<std::string> seen;
  std::string continueToken;
  std::string listVersion;
  do {
    // Pages (when asked for) keep the parsed response small: only what the
    // cache keeps of each object outlives its page.
    ResourcePath path = collection_;
    if (pageSize_ > 0) {
      std::string params = "limit=" + std::to_string(pageSize_);
      if (!continueToken.empty()) params += "&continue=" + percentEncode(continueToken);
      path.query = path.query.empty() ? params : path.query + "&" + params;
    }
    auto listed = co_await client_.get(path);
    if (!listed) co_return std::move(listed).error();
    if (auto* items = listed->if_contains("items"); items && items->is_array()) {
      for (auto& item : items->get_array()) {
        if (!item.is_object()) continue;
        seen.insert(objectKey(item.get_object()));
        // An unchanged object (same resourceVersion) is not reported again.
        ObjectPtr held = get(objectKey(item.get_object()));
        if (held && stringAt(*held, "metadata", "resourceVersion") ==
                        stringAt(item.get_object(), "metadata", "resourceVersion")) {
          continue;
        }
        upsert(std::move(item.get_object()));
      }
    }
    if (listVersion.empty()) listVersion = stringAt(*listed, "metadata", "resourceVersion");
    continueToken = pageSize_ > 0 ? stringAt(*listed, "metadata", "continue") : "";
  } while (!continueToken.empty());
  std::vector<std::string> gone;
  for (const auto& [key, obj] : items_) {
    if (!seen.count(key)) gone.push_back(key);
  }
  for (const std::string& key : gone) remove(key);
  resourceVersion_ = listVersion;
  synced_ = true;
  co_return Result<void>{};
}

asio::awaitable<Result<void>> Informer::watchOnce() {
  ResourcePath path = collection_;
  std::string params = "allowWatchBookmarks=true&resourceVersion=" + resourceVersion_ +
                       "&timeoutSeconds=" + std::to_string(watchTimeoutSeconds());
  path.query = path.query.empty() ? params : path.query + "&" + params;
  auto stream = co_await client_.watch(path);
  if (!stream) co_return std::move(stream).error();
  stream_ = stream->get();
  while (!stopped_) {
    auto event = co_await (*stream)->next();
    if (!event) {
      stream_ = nullptr;
      co_return std::move(event).error();
    }
    if (!*event) break;  // the server ended the watch: resume from resourceVersion_
    WatchEvent& e = **event;
    if (e.type == "ERROR") {
      stream_ = nullptr;
      auto* code = e.object.if_contains("code");
      int status = code && code->is_int64() ? static_cast<int>(code->get_int64()) : 500;
      co_return errorFromResponse(status, json::serialize(e.object));
    }
    std::string rv = stringAt(e.object, "metadata", "resourceVersion");
    if (e.type == "ADDED" || e.type == "MODIFIED") upsert(std::move(e.object));
    if (e.type == "DELETED") remove(objectKey(e.object));
    if (!rv.empty()) resourceVersion_ = rv;
  }
  stream_ = nullptr;
  co_return Result<void>{};
}

asio::awaitable<void> Informer::sleepFor(std::chrono::milliseconds delay) {
  sleeper_ = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor, delay);
  boost::system::error_code ec;
  co_await sleeper_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  sleeper_.reset();
}

asio::awaitable<void> Informer::run() {
  std::chrono::milliseconds backoff = 800ms;
  bool needList = true;
  while (!stopped_) {
    Result<void> step = Result<void>{};
    if (needList) {
      step = co_await listAndReplace();
    } else {
      step = co_await watchOnce();
    }
    if (step) {
      needList = false;
      backoff = 800ms;
      continue;
    }
    if (stopped_) break;
    Reason reason = step.error().reason;
    // History compacted past our resourceVersion: only a new list can catch up.
    needList = needList || reason == Reason::Gone || reason == Reason::Expired;
    co_await sleepFor(backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, 30s);
  }
}

}  // namespace kcpp::client
