#include <gtest/gtest.h>

#include "api/validation/cron_schedule.h"
#include "api/validation/test_support.h"

namespace kcpp::api::validation {
namespace {

using namespace testing;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const ResourceType kJobs = type("batch", "jobs", "Job");
const ResourceType kCronJobs = type("batch", "cronjobs", "CronJob");

std::string job(std::string_view specExtra, std::string_view restart = "Never") {
  return R"({"metadata":{"name":"j"},"spec":{)" + std::string(specExtra) + R"("template":{"spec":{"restartPolicy":")" +
         std::string(restart) + R"(","containers":[{"name":"c","image":"busybox"}]}}}})";
}

TEST(Job, RestartPolicyAndCounts) {
  EXPECT_THAT(check(kJobs, job("")), IsEmpty());
  EXPECT_THAT(check(kJobs, job("", "Always")),
              ElementsAre("spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""));
  EXPECT_THAT(check(kJobs, job(R"("parallelism":-1,"completions":-2,)")),
              ElementsAre("spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
                          "spec.completions: Invalid value: -2: must be greater than or equal to 0"));
}

TEST(Job, ManualSelectorMustMatch) {
  EXPECT_THAT(check(kJobs, job(R"("manualSelector":true,"selector":{"matchLabels":{"a":"b"}},)")),
              ElementsAre("spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`"));
  EXPECT_THAT(check(kJobs, job(R"("manualSelector":true,)")), ElementsAre("spec.selector: Required value"));
}

TEST(Job, TemplateIsImmutable) {
  auto causes = check(kJobs, job("", "OnFailure"), job(""));
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_THAT(causes[0], ::testing::StartsWith("spec.template: Invalid value: "));
  EXPECT_THAT(causes[0], ::testing::EndsWith(": field is immutable"));
}

std::string cronJob(std::string_view schedule, std::string_view extra = "") {
  return R"({"metadata":{"name":"cj"},"spec":{)" + std::string(extra) + R"("schedule":")" + std::string(schedule) +
         R"(","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"x"}]}}}}}})";
}

TEST(CronJob, Schedule) {
  EXPECT_THAT(check(kCronJobs, cronJob("*/5 * * * *")), IsEmpty());
  EXPECT_THAT(check(kCronJobs, cronJob("@hourly")), IsEmpty());
  EXPECT_THAT(check(kCronJobs, cronJob("bad")),
              ElementsAre("spec.schedule: Invalid value: \"bad\": expected exactly 5 fields, found 1: [bad]"));
  EXPECT_THAT(check(kCronJobs, cronJob("61 * * * *")),
              ElementsAre("spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"));
  EXPECT_THAT(check(kCronJobs, cronJob("TZ=UTC 0 * * * *")),
              ElementsAre("spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
}

TEST(CronJob, TimeZoneAndConcurrency) {
  EXPECT_THAT(check(kCronJobs, cronJob("0 * * * *", R"("timeZone":"Etc/UTC",)")), IsEmpty());
  EXPECT_THAT(check(kCronJobs, cronJob("0 * * * *", R"("timeZone":"Mars/Olympus",)")),
              ElementsAre("spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"));
  EXPECT_THAT(check(kCronJobs, cronJob("0 * * * *", R"("concurrencyPolicy":"Sometimes",)")),
              ElementsAre("spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""));
}

TEST(CronParser, Errors) {
  EXPECT_EQ(cronScheduleError("* * * * * *"), "expected exactly 5 fields, found 6: [* * * * * *]");
  EXPECT_EQ(cronScheduleError("x * * * *"), "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(cronScheduleError("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1");
  EXPECT_EQ(cronScheduleError("* * 0 * *"), "beginning of range (0) below minimum (1): 0");
  EXPECT_EQ(cronScheduleError("@every 1h30m"), std::nullopt);
  EXPECT_EQ(cronScheduleError("@sometimes"), "unrecognized descriptor: @sometimes");
  EXPECT_EQ(cronScheduleError("0 0 * JAN-mar MON"), std::nullopt);
}

}  // namespace
}  // namespace kcpp::api::validation
