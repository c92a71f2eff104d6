#pragma once
// Internal to the CronJob controller: reading its fields and editing
// status.active (ObjectReferences to the Jobs it runs).

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "controllers/cronjob/schedule_times.h"

namespace kcpp::controllers::cronjobutil {

namespace json = boost::json;

std::string str(const json::object& obj, std::string_view path);
bool boolAt(const json::object& obj, std::string_view path);
std::optional<std::int64_t> numAt(const json::object& obj, std::string_view path);
std::optional<TimePoint> timeAt(const json::object& obj, std::string_view path);

json::array activeRefs(const json::object& cronJob);
bool activeHasUid(const json::object& cronJob, const std::string& uid);
bool activeHasName(const json::object& cronJob, const std::string& name);
void removeActive(json::object& cronJob, const std::string& uid);
void addActive(json::object& cronJob, const json::object& job);
void setStatusField(json::object& cronJob, const char* field, json::value value);

// Go's time.RFC1123Z in UTC: "Sun, 22 Nov 2026 05:00:00 +0000".
std::string formatRfc1123z(TimePoint t);
// RFC 3339 in the zone's local time: "2026-11-22T06:00:00+01:00" ("Z" at UTC).
std::string formatRfc3339In(TimePoint t, const TimeZone& zone);

}  // namespace kcpp::controllers::cronjobutil
