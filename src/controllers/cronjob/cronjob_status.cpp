#include "controllers/cronjob/cronjob_status.h"

#include <chrono>
#include <cstdio>

#include "api/meta/object.h"

namespace kcpp::controllers::cronjobutil {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

bool boolAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_bool() && v->get_bool();
}

std::optional<std::int64_t> numAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

std::optional<TimePoint> timeAt(const json::object& obj, std::string_view path) {
  std::string text = str(obj, path);
  if (text.empty()) return std::nullopt;
  return api::parseTime(text);
}

json::array activeRefs(const json::object& cronJob) {
  const json::value* v = api::findPath(cronJob, "status.active");
  return v && v->is_array() ? v->get_array() : json::array();
}

namespace {
bool activeHas(const json::object& cronJob, const char* field, const std::string& value) {
  for (const auto& ref : activeRefs(cronJob)) {
    if (ref.is_object() && api::getString(ref.get_object(), field) == value) return true;
  }
  return false;
}
}  // namespace

bool activeHasUid(const json::object& cronJob, const std::string& uid) { return activeHas(cronJob, "uid", uid); }
bool activeHasName(const json::object& cronJob, const std::string& name) { return activeHas(cronJob, "name", name); }

void setStatusField(json::object& cronJob, const char* field, json::value value) {
  api::ensureObject(cronJob, "status")[field] = std::move(value);
}

void removeActive(json::object& cronJob, const std::string& uid) {
  json::array kept;
  for (auto& ref : activeRefs(cronJob)) {
    if (!ref.is_object() || api::getString(ref.get_object(), "uid") != uid) kept.push_back(ref);
  }
  json::object& status = api::ensureObject(cronJob, "status");
  if (kept.empty()) {
    status.erase("active");
  } else {
    status["active"] = std::move(kept);
  }
}

void addActive(json::object& cronJob, const json::object& job) {
  json::array active = activeRefs(cronJob);
  active.push_back(json::object{{"apiVersion", "batch/v1"},
                                {"kind", "Job"},
                                {"name", str(job, "metadata.name")},
                                {"namespace", str(job, "metadata.namespace")},
                                {"resourceVersion", str(job, "metadata.resourceVersion")},
                                {"uid", str(job, "metadata.uid")}});
  setStatusField(cronJob, "active", std::move(active));
}

std::string formatRfc1123z(TimePoint t) {
  namespace chrono = std::chrono;
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto day = chrono::floor<chrono::days>(t);
  chrono::year_month_day ymd{day};
  chrono::hh_mm_ss hms{chrono::floor<chrono::seconds>(t - day)};
  char out[128];
  std::snprintf(out, sizeof out, "%s, %02u %s %d %02ld:%02ld:%02ld +0000",
                kDays[chrono::weekday(day).c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return out;
}

std::string formatRfc3339In(TimePoint t, const TimeZone& zone) {
  namespace chrono = std::chrono;
  std::int64_t utc = chrono::floor<chrono::seconds>(t).time_since_epoch().count();
  std::int64_t offset = zone.offsetAt(utc);
  std::string local = api::formatTime(TimePoint(chrono::seconds(utc + offset)));  // "...Z"
  if (offset == 0) return local;
  local.pop_back();
  std::int64_t minutes = (offset < 0 ? -offset : offset) / 60;
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, "%c%02ld:%02ld", offset < 0 ? '-' : '+', static_cast<long>(minutes / 60),
                static_cast<long>(minutes % 60));
  return local + suffix;
}

}  // namespace kcpp::controllers::cronjobutil
