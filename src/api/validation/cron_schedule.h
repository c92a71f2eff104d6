#pragma once
// The cron schedules CronJobs accept: robfig/cron's ParseStandard (five fields
// or an @descriptor), with its error messages.

#include <optional>
#include <string>
#include <string_view>

namespace kcpp::api::validation {

// nullopt when the schedule parses; otherwise the parser's error message.
std::optional<std::string> cronScheduleError(std::string_view schedule);

// A Go time.ParseDuration check ("1h30m"); false when malformed.
bool isGoDuration(std::string_view text);

}  // namespace kcpp::api::validation
