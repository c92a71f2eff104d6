#pragma once
// The cron schedules CronJobs accept: robfig/cron's ParseStandard (five fields
// or an @descriptor), with its error messages.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace kcpp::api::validation {

// A parsed schedule, as robfig/cron's SpecSchedule: one bit per allowed value
// of each field (bit n = value n); `domStar` / `dowStar` mark a day field
// given as "*" or "?" (then both day fields must match, else either may).
// An "@every <duration>" schedule is a ConstantDelaySchedule instead.
struct CronFields {
  std::uint64_t minutes = 0, hours = 0, daysOfMonth = 0, months = 0, daysOfWeek = 0;
  bool domStar = false, dowStar = false;
};
struct CronEvery {
  std::chrono::seconds delay;  // whole seconds, at least one
};
struct CronSchedule {
  std::variant<CronFields, CronEvery> spec;
  std::string timeZone;  // from a TZ= / CRON_TZ= prefix, if any
};

// The schedule, or the parser's error message (robfig/cron's ParseStandard).
std::variant<CronSchedule, std::string> parseCronSchedule(std::string_view schedule);

// nullopt when the schedule parses; otherwise the parser's error message.
std::optional<std::string> cronScheduleError(std::string_view schedule);

// A Go time.ParseDuration check ("1h30m"); false when malformed.
bool isGoDuration(std::string_view text);
// Go's time.ParseDuration; nullopt when malformed.
std::optional<std::chrono::nanoseconds> parseGoDuration(std::string_view text);

}  // namespace kcpp::api::validation
