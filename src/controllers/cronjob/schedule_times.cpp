#include "controllers/cronjob/schedule_times.h"

namespace kcpp::controllers {

namespace chrono = std::chrono;
using api::validation::CronEvery;
using api::validation::CronFields;

namespace {

constexpr std::int64_t kDay = 86400;

bool bit(std::uint64_t bits, unsigned v) { return (bits >> v) & 1u; }

// robfig's dayMatches: with a "*" in either day field both must match, else either.
bool dayMatches(const CronFields& f, const chrono::year_month_day& ymd, unsigned weekday) {
  bool dom = bit(f.daysOfMonth, static_cast<unsigned>(ymd.day()));
  bool dow = bit(f.daysOfWeek, weekday);
  return f.domStar || f.dowStar ? dom && dow : dom || dow;
}

std::optional<std::int64_t> nextFields(const CronFields& f, const TimeZone& zone, std::int64_t afterSeconds) {
  std::int64_t local = afterSeconds + zone.offsetAt(afterSeconds);
  std::int64_t firstDay = local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
  for (std::int64_t day = firstDay; day <= firstDay + 5 * 366; ++day) {
    chrono::sys_days date{chrono::days(day)};
    chrono::year_month_day ymd{date};
    if (!bit(f.months, static_cast<unsigned>(ymd.month()))) continue;
    if (!dayMatches(f, ymd, chrono::weekday(date).c_encoding())) continue;
    for (unsigned h = 0; h < 24; ++h) {
      if (!bit(f.hours, h)) continue;
      for (unsigned m = 0; m < 60; ++m) {
        if (!bit(f.minutes, m)) continue;
        std::int64_t utc = zone.toUtc(day * kDay + h * 3600 + m * 60);
        if (utc > afterSeconds) return utc;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<TimePoint> Schedule::next(TimePoint t) const {
  auto seconds = chrono::floor<chrono::seconds>(t);
  if (const auto* every = std::get_if<CronEvery>(&spec_.spec)) return TimePoint(seconds + every->delay);
  // Activations fall on whole minutes, so one after floor(t) is after t; one
  // at exactly `t` does not count.
  std::int64_t after = seconds.time_since_epoch().count();
  auto found = nextFields(std::get<CronFields>(spec_.spec), zone_, after);
  if (!found) return std::nullopt;
  return TimePoint(chrono::seconds(*found));
}

MostRecent mostRecentScheduleTime(const Schedule& schedule, TimePoint created, std::optional<TimePoint> lastScheduled,
                                  std::optional<std::int64_t> startingDeadlineSeconds, TimePoint now) {
  MostRecent out;
  out.earliest = lastScheduled.value_or(created);
  if (startingDeadlineSeconds) {
    TimePoint deadline = now - chrono::seconds(*startingDeadlineSeconds);
    if (deadline > out.earliest) out.earliest = deadline;
  }
  auto t1 = schedule.next(out.earliest);
  if (!t1 || now < *t1) return out;
  auto t2 = schedule.next(*t1);
  if (!t2 || now < *t2) {
    out.mostRecent = t1;
    return out;
  }
  std::int64_t between = chrono::round<chrono::seconds>(*t2 - *t1).count();
  if (between < 1) {
    out.invalid = true;
    return out;
  }
  std::int64_t elapsed = chrono::duration_cast<chrono::seconds>(now - *t1).count();
  std::int64_t missed = elapsed / between + 1;
  // Start a little before the estimate, for schedules with uneven gaps.
  TimePoint from = *t1 + chrono::seconds((missed - 2) * between);
  for (auto t = schedule.next(from); t && *t <= now; t = schedule.next(*t)) out.mostRecent = t;
  out.missed = missed > 100 ? Missed::Many : Missed::Few;
  return out;
}

std::optional<chrono::milliseconds> nextScheduleDelay(const Schedule& schedule, TimePoint created,
                                                      std::optional<TimePoint> lastScheduled, TimePoint now) {
  MostRecent recent = mostRecentScheduleTime(schedule, created, lastScheduled, std::nullopt, now);
  if (recent.invalid) return std::nullopt;
  auto next = schedule.next(recent.mostRecent.value_or(recent.earliest));
  if (!next) return std::nullopt;
  return chrono::duration_cast<chrono::milliseconds>(*next - now) + chrono::milliseconds(100);
}

}  // namespace kcpp::controllers
