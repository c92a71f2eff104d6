#include "scheduler/event_sink.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>

#include "api/meta/object.h"

namespace kcpp::scheduler {

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

EventSink::EventSink(client::RestClient& client, asio::any_io_executor executor, int workers, std::size_t backlog)
    : client_(client), executor_(std::move(executor)), workers_(workers), backlog_(backlog) {}

void EventSink::record(const json::object& ref, const std::string& component, const std::string& type,
                       const std::string& reason, const std::string& message) {
  std::string now = api::nowTime();
  std::string ns = str(ref, "metadata.namespace");
  json::object event{{"apiVersion", "v1"}, {"kind", "Event"}};
  event["metadata"] = json::object{{"name", eventName(str(ref, "metadata.name"))}, {"namespace", ns}};
  event["involvedObject"] = json::object{{"apiVersion", "v1"},
                                         {"kind", "Pod"},
                                         {"namespace", ns},
                                         {"name", str(ref, "metadata.name")},
                                         {"uid", str(ref, "metadata.uid")},
                                         {"resourceVersion", str(ref, "metadata.resourceVersion")}};
  event["type"] = type;
  event["reason"] = reason;
  event["message"] = message;
  event["source"] = json::object{{"component", component}};
  event["reportingComponent"] = component;
  event["reportingInstance"] = "";
  event["firstTimestamp"] = now;
  event["lastTimestamp"] = now;
  event["count"] = 1;
  if (pending_.size() >= backlog_) {
    pending_.pop_front();
    ++dropped_;
  }
  pending_.push_back(std::move(event));
  if (wakeup_) wakeup_->cancel();
}

void EventSink::start() {
  for (int i = 0; i < workers_; ++i) asio::co_spawn(executor_, worker(), asio::detached);
}

void EventSink::stop() {
  stopped_ = true;
  if (wakeup_) wakeup_->cancel();
}

asio::awaitable<void> EventSink::worker() {
  while (!stopped_) {
    if (pending_.empty()) {
      // One shared timer: a record() wakes every idle worker.
      if (!wakeup_) wakeup_ = std::make_unique<asio::steady_timer>(executor_, std::chrono::steady_clock::time_point::max());
      boost::system::error_code ec;
      co_await wakeup_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      wakeup_.reset();
      continue;
    }
    json::object event = std::move(pending_.front());
    pending_.pop_front();
    std::string ns = str(event, "metadata.namespace");
    client::ResourcePath path{"", "v1", "events", ns, "", "", ""};
    auto written = co_await client_.create(path, event);
    (void)written;  // best effort: a lost event never fails scheduling
  }
}

}  // namespace kcpp::scheduler
