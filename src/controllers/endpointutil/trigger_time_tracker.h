#pragma once
// TriggerTimeTracker (upstream pkg/controller/util/endpoint): the value of the
// endpoints.kubernetes.io/last-change-trigger-time annotation, the earliest
// time of the changes (a pod's Ready transition, the Service's creation) that
// a sync is about to publish and that the previous sync had not seen.

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kcpp::controllers::endpointutil {

class TriggerTimeTracker {
 public:
  using Time = std::chrono::system_clock::time_point;
  using PodPtr = std::shared_ptr<const boost::json::object>;

  // The earliest trigger time new since the last call for this Service, if any;
  // remembers the current ones either way (even when the sync writes nothing).
  std::optional<Time> compute(const std::string& serviceKey, const boost::json::object& service,
                              const std::vector<PodPtr>& pods);
  void forget(const std::string& serviceKey) { services_.erase(serviceKey); }

 private:
  struct ServiceState {
    std::map<std::string, Time> podTimes;
    std::optional<Time> serviceTime;
  };
  std::map<std::string, ServiceState> services_;
};

}  // namespace kcpp::controllers::endpointutil
