#include "controllers/common/event_recorder.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <chrono>
#include <cstdio>

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

// Upstream names events "<object>.<nanoseconds in hex>".
std::string eventName(const std::string& objectName) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count();
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(nanos));
  return objectName + "." + hex;
}

}  // namespace

void EventRecorder::record(const json::object& object, const std::string& type,
                           const std::string& reason, const std::string& message) {
  std::string ns = str(object, "metadata.namespace");
  if (ns.empty()) ns = "default";
  std::string now = api::nowTime();
  json::object event{{"apiVersion", "v1"}, {"kind", "Event"}};
  event["metadata"] = json::object{{"name", eventName(str(object, "metadata.name"))}, {"namespace", ns}};
  event["involvedObject"] = json::object{{"apiVersion", str(object, "apiVersion")},
                                         {"kind", str(object, "kind")},
                                         {"namespace", str(object, "metadata.namespace")},
                                         {"name", str(object, "metadata.name")},
                                         {"uid", str(object, "metadata.uid")},
                                         {"resourceVersion", str(object, "metadata.resourceVersion")}};
  event["type"] = type;
  event["reason"] = reason;
  event["message"] = message;
  event["source"] = json::object{{"component", component_}};
  event["reportingComponent"] = component_;
  event["reportingInstance"] = "";
  event["firstTimestamp"] = now;
  event["lastTimestamp"] = now;
  event["count"] = 1;
  client::ResourcePath events{"", "v1", "events", ns, "", "", ""};
  asio::co_spawn(executor_, [this, events, event]() -> asio::awaitable<void> {
    auto written = co_await client_.create(events, event);
    (void)written;  // best effort, as upstream's recorder drops events under pressure
  }, asio::detached);
}

}  // namespace kcpp::controllers
