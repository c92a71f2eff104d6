#pragma once
// EventSink: the scheduler's core/v1 Events (Scheduled, FailedScheduling),
// written by a few workers from a bounded backlog. Under a burst the oldest
// pending events are dropped rather than flooding the API server with
// unbounded concurrent writes (upstream's broadcaster also drops when full).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <deque>
#include <memory>
#include <string>

#include "client/rest/rest_client.h"

namespace kcpp::scheduler {

class EventSink {
 public:
  EventSink(client::RestClient& client, boost::asio::any_io_executor executor, int workers = 8,
            std::size_t backlog = 1000);
  // `ref`: apiVersion, kind, metadata (name, namespace, uid, resourceVersion) of the pod.
  void record(const boost::json::object& ref, const std::string& component, const std::string& type,
              const std::string& reason, const std::string& message);
  void start();
  void stop();
  std::size_t dropped() const { return dropped_; }

 private:
  boost::asio::awaitable<void> worker();

  client::RestClient& client_;
  boost::asio::any_io_executor executor_;
  int workers_;
  std::size_t backlog_;
  std::deque<boost::json::object> pending_;
  std::size_t dropped_ = 0;
  bool stopped_ = false;
  std::unique_ptr<boost::asio::steady_timer> wakeup_;
};

}  // namespace kcpp::scheduler
