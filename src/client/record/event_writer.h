#pragma once
// EventWriter: where a component's core/v1 Events go (upstream's broadcaster
// recording to an EventSink). Each event passes the EventCorrelator at once;
// what it lets through is queued and written in the background — created, or
// patched when it repeats one already written (a patch of an event that has
// gone is a create, as upstream's recordEvent) — by `workers` coroutines. The
// backlog is bounded: under a burst the oldest pending writes are dropped
// (upstream's broadcaster drops when its channel is full). Writes are best
// effort: a lost event never fails the caller. Thread-safe.

#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "client/record/event_correlator.h"
#include "client/rest/rest_client.h"

namespace kcpp::client::record {

// A core/v1 Event about `regarding` (its apiVersion, kind and metadata name,
// namespace, uid, resourceVersion), from `component`, as upstream's recorder
// makes it: count 1, first/lastTimestamp now, in the object's namespace
// ("default" for cluster-scoped objects).
boost::json::object makeEvent(const boost::json::object& regarding, const std::string& component,
                              const std::string& type, const std::string& reason,
                              const std::string& message, std::chrono::system_clock::time_point now);

struct EventWriterOptions {
  CorrelatorOptions correlator;
  int workers = 1;
  std::size_t backlog = 1000;
};

class EventWriter {
 public:
  EventWriter(RestClient& client, boost::asio::any_io_executor executor,
              EventWriterOptions options = {});
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  void write(boost::json::object event);
  // Stops writing; what is pending is dropped.
  void stop();
  std::size_t dropped() const;  // over the backlog
  std::size_t skipped() const;  // by the spam filter
  Clock clock() const;

  struct State;  // shared with the writing coroutines, which may outlive a write() call

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kcpp::client::record
