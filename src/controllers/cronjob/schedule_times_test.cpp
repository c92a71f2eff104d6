#include "controllers/cronjob/schedule_times.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"
#include "controllers/cronjob/posix_tz_rule.h"

namespace kcpp::controllers {
namespace {

using namespace std::chrono_literals;

TimePoint at(const char* rfc3339) { return *api::parseTime(rfc3339); }

Schedule schedule(const char* text, const char* zone = "") {
  auto parsed = api::validation::parseCronSchedule(text);
  EXPECT_TRUE(std::holds_alternative<api::validation::CronSchedule>(parsed)) << text;
  auto tz = TimeZone::load(zone);
  EXPECT_TRUE(tz.ok()) << zone;
  return Schedule(std::get<api::validation::CronSchedule>(parsed), *tz);
}

std::string next(const Schedule& s, const char* from) {
  auto t = s.next(at(from));
  return t ? api::formatTime(*t) : "none";
}

TEST(Schedule, NextActivations) {
  EXPECT_EQ(next(schedule("*/1 * * * *"), "2026-11-22T05:03:20Z"), "2026-11-22T05:04:00Z");
  EXPECT_EQ(next(schedule("*/1 * * * *"), "2026-11-22T05:04:00Z"), "2026-11-22T05:05:00Z");
  EXPECT_EQ(next(schedule("30 6 * * *"), "2026-11-22T07:00:00Z"), "2026-11-23T06:30:00Z");
  EXPECT_EQ(next(schedule("0 0 1 * *"), "2026-12-15T00:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next(schedule("@weekly"), "2026-11-22T05:00:00Z"), "2026-11-29T00:00:00Z");  // a Sunday
  EXPECT_EQ(next(schedule("0 12 * * mon-fri"), "2026-11-21T13:00:00Z"), "2026-11-23T12:00:00Z");
  // Both day fields restricted: either matches (the 13th, or a Friday).
  EXPECT_EQ(next(schedule("0 0 13 * 5"), "2026-11-22T00:00:00Z"), "2026-11-27T00:00:00Z");
  EXPECT_EQ(next(schedule("0 0 29 2 *"), "2026-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(next(schedule("0 0 31 2 *"), "2026-03-01T00:00:00Z"), "none");
  EXPECT_EQ(next(schedule("@every 90s"), "2026-11-22T05:00:00.700Z"), "2026-11-22T05:01:30Z");
}

TEST(Schedule, InATimeZone) {
  // Berlin is UTC+1 in winter, UTC+2 in summer.
  EXPECT_EQ(next(schedule("0 9 * * *", "Europe/Berlin"), "2026-11-22T00:00:00Z"), "2026-11-22T08:00:00Z");
  EXPECT_EQ(next(schedule("0 9 * * *", "Europe/Berlin"), "2026-07-01T00:00:00Z"), "2026-07-01T07:00:00Z");
  EXPECT_EQ(next(schedule("0 9 * * *", "America/New_York"), "2026-11-22T00:00:00Z"), "2026-11-22T14:00:00Z");
  // 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day.
  EXPECT_EQ(next(schedule("30 2 * * *", "Europe/Berlin"), "2026-03-29T00:00:00Z"), "2026-03-29T01:30:00Z");
  // 2026-10-25: 02:30 happens twice; the first (CEST) one counts.
  EXPECT_EQ(next(schedule("30 2 * * *", "Europe/Berlin"), "2026-10-24T23:00:00Z"), "2026-10-25T00:30:00Z");
}

TEST(TimeZone, RejectsUnknownAndEscapingNames) {
  EXPECT_FALSE(TimeZone::load("Mars/Olympus").ok());
  EXPECT_FALSE(TimeZone::load("../../etc/passwd").ok());
  EXPECT_FALSE(TimeZone::load("/etc/localtime").ok());
  EXPECT_FALSE(TimeZone::fromTzif("not a zone").ok());
  EXPECT_TRUE(TimeZone::load("Etc/UTC").ok());
}

TEST(MostRecentScheduleTime, FindsTheLatestMissedStart) {
  Schedule hourly = schedule("0 * * * *");
  TimePoint created = at("2026-11-22T00:30:00Z");
  auto none = mostRecentScheduleTime(hourly, created, std::nullopt, std::nullopt, at("2026-11-22T00:59:00Z"));
  EXPECT_FALSE(none.mostRecent.has_value());
  auto one = mostRecentScheduleTime(hourly, created, std::nullopt, std::nullopt, at("2026-11-22T01:10:00Z"));
  EXPECT_EQ(one.mostRecent, at("2026-11-22T01:00:00Z"));
  EXPECT_EQ(one.missed, Missed::None);
  auto few = mostRecentScheduleTime(hourly, created, at("2026-11-22T01:00:00Z"), std::nullopt, at("2026-11-22T05:10:00Z"));
  EXPECT_EQ(few.mostRecent, at("2026-11-22T05:00:00Z"));
  EXPECT_EQ(few.missed, Missed::Few);
  auto many = mostRecentScheduleTime(hourly, created, std::nullopt, std::nullopt, at("2026-12-22T05:10:00Z"));
  EXPECT_EQ(many.mostRecent, at("2026-12-22T05:00:00Z"));
  EXPECT_EQ(many.missed, Missed::Many);
  // startingDeadlineSeconds moves the search up: only recent misses count.
  auto deadline = mostRecentScheduleTime(hourly, created, std::nullopt, 600, at("2026-12-22T05:30:00Z"));
  EXPECT_FALSE(deadline.mostRecent.has_value());
  auto delay = nextScheduleDelay(hourly, created, at("2026-11-22T05:00:00Z"), at("2026-11-22T05:10:00Z"));
  EXPECT_EQ(delay, std::chrono::milliseconds(50 * 60 * 1000 + 100));
}

}  // namespace
}  // namespace kcpp::controllers

namespace kcpp::controllers {
namespace {

std::int64_t unix(const char* rfc3339) {
  return std::chrono::duration_cast<std::chrono::seconds>(api::parseTime(rfc3339)->time_since_epoch()).count();
}

TEST(PosixTzRule, NorthernAndSouthernRules) {
  auto cet = PosixTzRule::parse("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(cet.has_value());
  EXPECT_EQ(cet->offsetAt(unix("2040-01-15T12:00:00Z")), 3600);
  EXPECT_EQ(cet->offsetAt(unix("2040-07-15T12:00:00Z")), 7200);
  // 2040-03-25 is the last Sunday of March: 01:00 UTC is the change.
  EXPECT_EQ(cet->offsetAt(unix("2040-03-25T00:59:59Z")), 3600);
  EXPECT_EQ(cet->offsetAt(unix("2040-03-25T01:00:00Z")), 7200);
  auto sydney = PosixTzRule::parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(sydney.has_value());
  EXPECT_EQ(sydney->offsetAt(unix("2040-01-15T00:00:00Z")), 11 * 3600);
  EXPECT_EQ(sydney->offsetAt(unix("2040-07-15T00:00:00Z")), 10 * 3600);
  auto tokyo = PosixTzRule::parse("<+09>-9");
  ASSERT_TRUE(tokyo.has_value());
  EXPECT_EQ(tokyo->offsetAt(unix("2040-07-15T00:00:00Z")), 9 * 3600);
  EXPECT_EQ(PosixTzRule::parse("<-03>3")->offsetAt(0), -3 * 3600);
  EXPECT_FALSE(PosixTzRule::parse("X").has_value());
  EXPECT_FALSE(PosixTzRule::parse("CET-1CEST,M13.5.0,M10.5.0").has_value());
}

TEST(TimeZone, UsesTheFooterAfterTheLastTransition) {
  auto berlin = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok());
  EXPECT_EQ(berlin->offsetAt(unix("2050-07-01T00:00:00Z")), 7200);
  EXPECT_EQ(berlin->offsetAt(unix("2050-12-01T00:00:00Z")), 3600);
  EXPECT_EQ(berlin->offsetAt(unix("2026-07-01T00:00:00Z")), 7200);
  EXPECT_EQ(berlin->offsetAt(unix("1880-07-01T00:00:00Z")), 3208);  // local mean time, before 1893
}

}  // namespace
}  // namespace kcpp::controllers
