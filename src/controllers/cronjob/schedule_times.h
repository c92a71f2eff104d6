#pragma once
// When a CronJob runs (upstream pkg/controller/cronjob utils.go on robfig/cron):
// a schedule's next activation in a time zone, the most recent missed one,
// how many were missed, and when to look again.

#include <chrono>
#include <optional>

#include "api/validation/cron_schedule.h"
#include "controllers/cronjob/time_zone.h"

namespace kcpp::controllers {

using TimePoint = std::chrono::system_clock::time_point;

// A parsed schedule in its time zone (robfig's cron.Schedule).
class Schedule {
 public:
  Schedule(api::validation::CronSchedule spec, TimeZone zone) : spec_(std::move(spec)), zone_(std::move(zone)) {}
  // The first activation strictly after `t`; nullopt if none within five years.
  std::optional<TimePoint> next(TimePoint t) const;

 private:
  api::validation::CronSchedule spec_;
  TimeZone zone_;
};

enum class Missed { None, Few, Many };  // Many: more than 100 starts missed

struct MostRecent {
  TimePoint earliest;                // where the search began
  std::optional<TimePoint> mostRecent;  // the latest activation not after now
  Missed missed = Missed::None;
  bool invalid = false;  // two activations less than a second apart (e.g. "0 0 31 2 *")
};

// Upstream's mostRecentScheduleTime: from the last schedule time (or creation),
// moved up to now - startingDeadlineSeconds when asked.
MostRecent mostRecentScheduleTime(const Schedule& schedule, TimePoint created,
                                  std::optional<TimePoint> lastScheduled,
                                  std::optional<std::int64_t> startingDeadlineSeconds, TimePoint now);

// Upstream's nextScheduleTimeDuration: how long until the activation after the
// most recent one (plus 100 ms), for the work queue.
std::optional<std::chrono::milliseconds> nextScheduleDelay(const Schedule& schedule, TimePoint created,
                                                           std::optional<TimePoint> lastScheduled,
                                                           TimePoint now);

}  // namespace kcpp::controllers
