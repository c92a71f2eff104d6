#pragma once
// TimeZone: an IANA time zone read from the system's tz database
// (/usr/share/zoneinfo, TZif files), as Go's time.LoadLocation, for CronJob
// schedules in spec.timeZone. GCC 12's libstdc++ has no std::chrono::tzdb.
// Past the last transition in the file, the POSIX TZ rule of its footer
// gives the offsets.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controllers/cronjob/posix_tz_rule.h"
#include "util/error.h"

namespace kcpp::controllers {

class TimeZone {
 public:
  static TimeZone utc() { return TimeZone(); }
  // "" and "UTC" are UTC, as Go's LoadLocation; "Local" is /etc/localtime.
  static Result<TimeZone> load(std::string_view name, const std::string& zoneinfoDir = "/usr/share/zoneinfo");
  static Result<TimeZone> fromTzif(std::string_view data);

  // Seconds east of UTC at the instant `utcSeconds` (since the epoch).
  std::int64_t offsetAt(std::int64_t utcSeconds) const;
  // The instant of a local wall-clock time (seconds since the epoch as if UTC).
  // An ambiguous time (clocks going back) is its first occurrence; a time
  // skipped by clocks going forward is read with the offset before the
  // change, as Go's time.Date.
  std::int64_t toUtc(std::int64_t localSeconds) const;

 private:
  std::vector<std::int64_t> transitions_;  // sorted, UTC seconds
  std::vector<std::int32_t> offsetAfter_;  // the offset from each transition on
  std::int32_t initialOffset_ = 0;
  std::optional<PosixTzRule> footer_;  // after the last transition
};

}  // namespace kcpp::controllers
