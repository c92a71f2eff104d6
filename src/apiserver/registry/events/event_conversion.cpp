#include "apiserver/registry/events/event_conversion.h"

#include <array>
#include <utility>

namespace kcpp::apiserver {

namespace {

// {events.k8s.io/v1 name, core/v1 name}
constexpr std::array<std::pair<const char*, const char*>, 7> kRenamed = {{
    {"regarding", "involvedObject"},
    {"note", "message"},
    {"reportingController", "reportingComponent"},
    {"deprecatedSource", "source"},
    {"deprecatedCount", "count"},
    {"deprecatedFirstTimestamp", "firstTimestamp"},
    {"deprecatedLastTimestamp", "lastTimestamp"},
}};

void rename(json::object& obj, const char* from, const char* to) {
  auto it = obj.find(from);
  if (it == obj.end()) return;
  json::value v = std::move(it->value());
  obj.erase(it);
  obj[to] = std::move(v);
}

}  // namespace

json::object EventsV1Conversion::toStorage(json::object served) const {
  for (const auto& [v1Name, coreName] : kRenamed) rename(served, v1Name, coreName);
  served["apiVersion"] = "v1";
  served["kind"] = "Event";
  return served;
}

json::object EventsV1Conversion::fromStorage(json::object stored) const {
  for (const auto& [v1Name, coreName] : kRenamed) rename(stored, coreName, v1Name);
  stored["apiVersion"] = "events.k8s.io/v1";
  stored["kind"] = "Event";
  return stored;
}

}  // namespace kcpp::apiserver
