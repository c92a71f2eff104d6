#include "apiserver/admission/listing/listing.h"

#include "api/meta/object.h"

namespace kcpp::apiserver::admission {

boost::asio::awaitable<Result<std::vector<boost::json::object>>> listObjects(Registry& registry,
                                                                             const std::string& ns) {
  storage::ListOptions options;
  auto listed = co_await registry.list(ns, std::move(options));
  if (!listed) co_return std::move(listed).error();
  std::vector<boost::json::object> out;
  out.reserve(listed->items.size());
  for (const storage::CachedObject& item : listed->items) {
    auto parsed = api::parseJson(*item.json);
    if (parsed && parsed->is_object()) out.push_back(std::move(parsed->get_object()));
  }
  co_return out;
}

std::string_view annotation(const boost::json::object& obj, std::string_view key) {
  const boost::json::object* meta = api::findObject(obj, "metadata");
  const boost::json::object* annotations = meta ? api::findObject(*meta, "annotations") : nullptr;
  return annotations ? api::getString(*annotations, key) : std::string_view();
}

namespace {

std::chrono::system_clock::time_point createdAt(const boost::json::object& obj) {
  const boost::json::object* meta = api::findObject(obj, "metadata");
  auto t = meta ? api::parseTime(api::getString(*meta, "creationTimestamp")) : std::nullopt;
  return t.value_or(std::chrono::system_clock::time_point{});
}

}  // namespace

std::optional<boost::json::object> newestMarkedDefault(std::vector<boost::json::object> objects,
                                                       std::initializer_list<std::string_view> keys) {
  std::optional<boost::json::object> best;
  for (boost::json::object& obj : objects) {
    bool marked = false;
    for (std::string_view key : keys) marked = marked || annotation(obj, key) == "true";
    if (!marked) continue;
    bool better = !best || createdAt(obj) > createdAt(*best) ||
                  (createdAt(obj) == createdAt(*best) && api::metaName(obj) < api::metaName(*best));
    if (better) best = std::move(obj);
  }
  return best;
}

}  // namespace kcpp::apiserver::admission
