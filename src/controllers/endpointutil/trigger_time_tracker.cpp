#include "controllers/endpointutil/trigger_time_tracker.h"

#include "api/meta/object.h"

namespace kcpp::controllers::endpointutil {

namespace json = boost::json;

namespace {

// A pod's trigger time: its Ready condition's last transition.
std::optional<TriggerTimeTracker::Time> podTriggerTime(const json::object& pod) {
  const json::value* conditions = api::findPath(pod, "status.conditions");
  if (!conditions || !conditions->is_array()) return std::nullopt;
  for (const json::value& c : conditions->get_array()) {
    if (c.is_object() && api::getString(c.get_object(), "type") == "Ready") {
      return api::parseTime(api::getString(c.get_object(), "lastTransitionTime"));
    }
  }
  return std::nullopt;
}

void keepEarliest(std::optional<TriggerTimeTracker::Time>& earliest, TriggerTimeTracker::Time t) {
  if (!earliest || t < *earliest) earliest = t;
}

}  // namespace

std::optional<TriggerTimeTracker::Time> TriggerTimeTracker::compute(const std::string& serviceKey,
                                                                    const json::object& service,
                                                                    const std::vector<PodPtr>& pods) {
  ServiceState& state = services_[serviceKey];
  std::optional<Time> earliest;
  std::map<std::string, Time> podTimes;
  for (const PodPtr& pod : pods) {
    auto t = podTriggerTime(*pod);
    if (!t) continue;
    std::string name(api::metaName(*pod));
    auto before = state.podTimes.find(name);
    if (before == state.podTimes.end() || *t > before->second) keepEarliest(earliest, *t);
    podTimes[name] = *t;
  }
  const json::value* created = api::findPath(service, "metadata.creationTimestamp");
  std::optional<Time> serviceTime;
  if (created && created->is_string()) serviceTime = api::parseTime(created->get_string());
  if (serviceTime && (!state.serviceTime || *serviceTime > *state.serviceTime)) {
    keepEarliest(earliest, *serviceTime);
  }
  state.podTimes = std::move(podTimes);
  state.serviceTime = serviceTime;
  return earliest;
}

}  // namespace kcpp::controllers::endpointutil
