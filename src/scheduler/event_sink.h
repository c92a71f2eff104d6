#pragma once
// EventSink: the scheduler's Events (Scheduled, FailedScheduling), written by a
// few workers from a bounded backlog through the shared event writer
// (client/record). Under a burst the oldest pending events are dropped rather
// than flooding the API server (upstream's broadcaster also drops when full).
//
// Upstream's scheduler records through the events.k8s.io/v1 recorder: no spam
// filter and no aggregation of similar events, but an event repeating an
// earlier one (same pod, reason, message) becomes an EventSeries on that event
// instead of a new one. kcpp writes core/v1 Events (the same objects, seen by
// `kubectl get events` alike) with the same effect: a repeat patches the
// existing event's count and lastTimestamp (the correlator's logger alone).
// Upstream's series are flushed every 30 minutes (isomorphic events within 6
// minutes); here every repeat is one patch.

#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>

#include <string>

#include "client/record/event_writer.h"
#include "client/rest/rest_client.h"

namespace kcpp::scheduler {

class EventSink {
 public:
  EventSink(client::RestClient& client, boost::asio::any_io_executor executor, int workers = 8,
            std::size_t backlog = 1000);
  // `ref`: apiVersion, kind, metadata (name, namespace, uid, resourceVersion) of the pod.
  void record(const boost::json::object& ref, const std::string& component, const std::string& type,
              const std::string& reason, const std::string& message);
  void start() {}  // the writer starts workers as events arrive
  void stop() { writer_.stop(); }
  std::size_t dropped() const { return writer_.dropped(); }

 private:
  client::record::EventWriter writer_;
};

}  // namespace kcpp::scheduler
