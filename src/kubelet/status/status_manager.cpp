#include "kubelet/status/status_manager.h"

#include "api/meta/object.h"

namespace kcpp::kubelet::status {

namespace {

std::string str(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

client::ResourcePath podPath(const json::object& pod, std::string subresource = "") {
  client::ResourcePath path;
  path.version = "v1";
  path.resource = "pods";
  path.ns = str(pod, "metadata.namespace");
  path.name = str(pod, "metadata.name");
  path.subresource = std::move(subresource);
  return path;
}

// Fields the kubelet clears when it no longer reports them.
constexpr const char* kClearable[] = {"reason", "message"};

}  // namespace

bool statusDiffers(const json::object& current, const json::object& next) {
  for (const auto& [key, value] : next) {
    const json::value* old = current.if_contains(key);
    if (!old || *old != value) return true;
  }
  for (const char* key : kClearable) {
    if (current.contains(key) && !next.contains(key)) return true;
  }
  return false;
}

json::object statusPatch(const json::object& pod, const json::object& next) {
  json::object status = next;
  const json::object* current = api::findObject(pod, "status");
  for (const char* key : kClearable) {
    if (current && current->contains(key) && !next.contains(key)) status[key] = nullptr;
  }
  return json::object{{"metadata", json::object{{"uid", str(pod, "metadata.uid")}}}, {"status", std::move(status)}};
}

boost::asio::awaitable<Result<bool>> StatusManager::setPodStatus(const json::object& pod, const json::object& status) {
  std::string uid = str(pod, "metadata.uid");
  const json::object* current = api::findObject(pod, "status");
  json::object empty;
  bool apiDiffers = statusDiffers(current ? *current : empty, status);
  auto last = written_.find(uid);
  bool alreadyWritten = last != written_.end() && !statusDiffers(last->second, status);
  if (!apiDiffers || alreadyWritten) co_return false;
  std::string body = json::serialize(statusPatch(pod, status));
  client::ResourcePath path = podPath(pod, "status");
  const std::string contentType = "application/merge-patch+json";  // named: GCC 12 co_await temporaries
  auto written = co_await client_.patch(path, contentType, body);
  if (!written) {
    Reason reason = written.error().reason;
    if (reason == Reason::NotFound || reason == Reason::Conflict) co_return false;
    co_return std::move(written).error();
  }
  written_[uid] = status;
  ++writes_;
  co_return true;
}

boost::asio::awaitable<Result<void>> StatusManager::deletePod(const json::object& pod) {
  json::object options{{"kind", "DeleteOptions"},
                       {"apiVersion", "v1"},
                       {"gracePeriodSeconds", 0},
                       {"preconditions", json::object{{"uid", str(pod, "metadata.uid")}}}};
  client::ResourcePath path = podPath(pod);
  auto removed = co_await client_.remove(path, options);
  written_.erase(str(pod, "metadata.uid"));
  if (!removed && removed.error().reason != Reason::NotFound && removed.error().reason != Reason::Conflict) {
    co_return std::move(removed).error();
  }
  co_return Result<void>{};
}

}  // namespace kcpp::kubelet::status
