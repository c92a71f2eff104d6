#include "client/record/event_writer.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <deque>
#include <mutex>

#include "api/meta/object.h"

namespace kcpp::client::record {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

constexpr const char* kStrategicMergePatch = "application/strategic-merge-patch+json";

}  // namespace

json::object makeEvent(const json::object& regarding, const std::string& component,
                       const std::string& type, const std::string& reason,
                       const std::string& message, std::chrono::system_clock::time_point now) {
  std::string ns = str(regarding, "metadata.namespace");
  std::string stamp = api::formatTime(now);
  json::object event{{"apiVersion", "v1"}, {"kind", "Event"}};
  event["metadata"] = json::object{{"name", eventName(str(regarding, "metadata.name"), now)},
                                   {"namespace", ns.empty() ? "default" : ns}};
  event["involvedObject"] = json::object{{"apiVersion", str(regarding, "apiVersion")},
                                         {"kind", str(regarding, "kind")},
                                         {"namespace", ns},
                                         {"name", str(regarding, "metadata.name")},
                                         {"uid", str(regarding, "metadata.uid")},
                                         {"resourceVersion", str(regarding, "metadata.resourceVersion")}};
  event["type"] = type;
  event["reason"] = reason;
  event["message"] = message;
  event["source"] = json::object{{"component", component}};
  event["reportingComponent"] = component;
  event["reportingInstance"] = "";
  event["firstTimestamp"] = stamp;
  event["lastTimestamp"] = stamp;
  event["count"] = 1;
  return event;
}

struct EventWriter::State {
  State(RestClient& c, asio::any_io_executor ex, EventWriterOptions o)
      : client(c), executor(std::move(ex)), options(withClock(std::move(o))),
        correlator(options.correlator) {}
  static EventWriterOptions withClock(EventWriterOptions o) {
    if (!o.correlator.clock) o.correlator.clock = [] { return std::chrono::system_clock::now(); };
    return o;
  }
  struct Pending {
    json::object event;
    std::optional<std::string> patch;
  };
  RestClient& client;
  asio::any_io_executor executor;
  EventWriterOptions options;
  std::mutex mutex;  // guards everything below
  EventCorrelator correlator;
  std::deque<Pending> pending;
  int activeWorkers = 0;
  bool stopped = false;
  std::size_t dropped = 0;
  std::size_t skipped = 0;
};

namespace {

// recordEvent: patch an existing event (a create when it has gone), or create.
asio::awaitable<Result<json::object>> writeOne(RestClient& client, json::object event,
                                               std::optional<std::string> patch) {
  std::string ns = str(event, "metadata.namespace");
  if (patch) {
    ResourcePath named{"", "v1", "events", ns, str(event, "metadata.name"), "", ""};
    std::string contentType = kStrategicMergePatch;
    auto patched = co_await client.patch(named, contentType, *patch);
    if (patched || patched.error().reason != Reason::NotFound) co_return patched;
  }
  if (auto* meta = event.if_contains("metadata"); meta && meta->is_object()) {
    meta->as_object().erase("resourceVersion");
  }
  ResourcePath collection{"", "v1", "events", ns, "", "", ""};
  co_return co_await client.create(collection, event);
}

asio::awaitable<void> drain(std::shared_ptr<EventWriter::State> state) {
  while (true) {
    std::optional<std::string> patch;
    json::object event;
    {
      std::lock_guard lock(state->mutex);
      if (state->stopped || state->pending.empty()) {
        --state->activeWorkers;
        co_return;
      }
      event = std::move(state->pending.front().event);
      patch = std::move(state->pending.front().patch);
      state->pending.pop_front();
    }
    auto written = co_await writeOne(state->client, std::move(event), std::move(patch));
    if (written) {
      std::lock_guard lock(state->mutex);
      state->correlator.updateState(*written);
    }
  }
}

}  // namespace

EventWriter::EventWriter(RestClient& client, asio::any_io_executor executor,
                         EventWriterOptions options)
    : state_(std::make_shared<State>(client, std::move(executor), std::move(options))) {}

EventWriter::~EventWriter() { stop(); }

void EventWriter::write(json::object event) {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) return;
    auto result = state_->correlator.correlate(std::move(event));
    if (result.skip) {
      ++state_->skipped;
      return;
    }
    if (state_->pending.size() >= state_->options.backlog) {
      state_->pending.pop_front();
      ++state_->dropped;
    }
    state_->pending.push_back({std::move(result.event), std::move(result.patch)});
    if (state_->activeWorkers >= std::max(state_->options.workers, 1)) return;
    ++state_->activeWorkers;
  }
  // Unlocked: co_spawn may start the worker inline when called on the executor,
  // and the worker takes the lock.
  asio::co_spawn(state_->executor, drain(state_), asio::detached);
}

void EventWriter::stop() {
  std::lock_guard lock(state_->mutex);
  state_->stopped = true;
  state_->pending.clear();
}

std::size_t EventWriter::dropped() const {
  std::lock_guard lock(state_->mutex);
  return state_->dropped;
}

std::size_t EventWriter::skipped() const {
  std::lock_guard lock(state_->mutex);
  return state_->skipped;
}

Clock EventWriter::clock() const { return state_->options.correlator.clock; }

}  // namespace kcpp::client::record
