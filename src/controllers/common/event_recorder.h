#pragma once
// EventRecorder: the core/v1 Events a controller writes about the objects it
// manages (upstream's record.EventRecorder), e.g. "SuccessfulCreate: Created
// pod: web-abcde". They go through upstream's EventCorrelator (spam filter,
// aggregation of similar events, count patches for identical ones; see
// client/record/event_correlator.h), so a ReplicaSet creating 10,000 pods
// writes about 25 events, not 10,000. Writes are fire-and-forget: a failed
// event never fails a sync.

#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>

#include <string>

#include "client/record/event_writer.h"
#include "client/rest/rest_client.h"

namespace kcpp::controllers {

class EventRecorder {
 public:
  EventRecorder(client::RestClient& client, boost::asio::any_io_executor executor,
                std::string component, client::record::EventWriterOptions options = {})
      : writer_(client, std::move(executor), std::move(options)), component_(std::move(component)) {}

  // type: "Normal" or "Warning". `object` is the regarding object (its kind and
  // apiVersion must be set).
  void record(const boost::json::object& object, const std::string& type, const std::string& reason,
              const std::string& message);

 private:
  client::record::EventWriter writer_;
  std::string component_;
};

}  // namespace kcpp::controllers
