#include "api/validation/cron_schedule.h"

#include <gtest/gtest.h>

namespace kcpp::api::validation {

namespace {
CronFields fields(std::string_view schedule) {
  auto parsed = parseCronSchedule(schedule);
  EXPECT_TRUE(std::holds_alternative<CronSchedule>(parsed)) << schedule;
  if (!std::holds_alternative<CronSchedule>(parsed)) return {};
  return std::get<CronFields>(std::get<CronSchedule>(parsed).spec);
}
}  // namespace

TEST(ParseCronSchedule, FieldsBecomeBits) {
  CronFields f = fields("*/15 9-17 1,15 * mon-fri");
  EXPECT_EQ(f.minutes, (1ull << 0) | (1ull << 15) | (1ull << 30) | (1ull << 45));
  EXPECT_EQ(f.hours, 0x3FE00ull);
  EXPECT_EQ(f.daysOfMonth, (1ull << 1) | (1ull << 15));
  EXPECT_EQ(f.months, 0x1FFEull);
  EXPECT_EQ(f.daysOfWeek, 0x3Eull);
  EXPECT_FALSE(f.domStar);
  EXPECT_FALSE(f.dowStar);
  EXPECT_TRUE(fields("0 0 * * *").domStar);
  EXPECT_FALSE(fields("0 0 */2 * *").domStar);  // a step above 1 is not a star
  EXPECT_EQ(fields("5/20 * * * *").minutes, (1ull << 5) | (1ull << 25) | (1ull << 45));
}

TEST(ParseCronSchedule, Descriptors) {
  CronFields weekly = fields("@weekly");
  EXPECT_EQ(weekly.minutes, 1u);
  EXPECT_EQ(weekly.hours, 1u);
  EXPECT_EQ(weekly.daysOfWeek, 1u);
  EXPECT_TRUE(weekly.domStar);
  EXPECT_FALSE(weekly.dowStar);
  EXPECT_EQ(fields("@yearly").months, 2u);
  EXPECT_EQ(fields("@hourly").hours, 0xFFFFFFu);
  auto every = parseCronSchedule("@every 1h30m");
  ASSERT_TRUE(std::holds_alternative<CronSchedule>(every));
  EXPECT_EQ(std::get<CronEvery>(std::get<CronSchedule>(every).spec).delay, std::chrono::seconds(5400));
  auto tz = parseCronSchedule("CRON_TZ=Europe/Berlin 0 * * * *");
  ASSERT_TRUE(std::holds_alternative<CronSchedule>(tz));
  EXPECT_EQ(std::get<CronSchedule>(tz).timeZone, "Europe/Berlin");
}

TEST(ParseGoDuration, AsGo) {
  EXPECT_EQ(parseGoDuration("1h30m"), std::chrono::nanoseconds(5400'000'000'000));
  EXPECT_EQ(parseGoDuration("1.5s"), std::chrono::nanoseconds(1'500'000'000));
  EXPECT_EQ(parseGoDuration("300ms"), std::chrono::nanoseconds(300'000'000));
  EXPECT_FALSE(parseGoDuration("1").has_value());
  EXPECT_FALSE(parseGoDuration(".s").has_value());
  EXPECT_FALSE(parseGoDuration("5x").has_value());
}

}  // namespace kcpp::api::validation
