#pragma once
// EventRecorder: the core/v1 Events a controller writes about the objects it
// manages (upstream's record.EventRecorder), e.g. "SuccessfulCreate: Created
// pod: web-abcde". Writes are fire-and-forget: a failed event never fails a sync.

#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>

#include <string>

#include "client/rest/rest_client.h"

namespace kcpp::controllers {

class EventRecorder {
 public:
  EventRecorder(client::RestClient& client, boost::asio::any_io_executor executor,
                std::string component)
      : client_(client), executor_(std::move(executor)), component_(std::move(component)) {}

  // type: "Normal" or "Warning". `object` is the regarding object (its kind and
  // apiVersion must be set).
  void record(const boost::json::object& object, const std::string& type, const std::string& reason,
              const std::string& message);

 private:
  client::RestClient& client_;
  boost::asio::any_io_executor executor_;
  std::string component_;
};

}  // namespace kcpp::controllers
