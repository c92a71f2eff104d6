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

TEST(Job, BackoffLimitPerIndexAndMaxFailedIndexes) {
  EXPECT_THAT(check(kJobs, job(R"("completionMode":"Indexed","completions":3,"backoffLimitPerIndex":1,"maxFailedIndexes":1,)")),
              IsEmpty());
  EXPECT_THAT(check(kJobs, job(R"("backoffLimitPerIndex":1,)")),
              ElementsAre("spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"));
  EXPECT_THAT(check(kJobs, job(R"("completionMode":"Indexed","completions":3,"backoffLimitPerIndex":1,"maxFailedIndexes":4,)")),
              ElementsAre("spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions"));
  EXPECT_THAT(check(kJobs, job(R"("completionMode":"Indexed","completions":3,"maxFailedIndexes":1,)")),
              ElementsAre("spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified"));
  EXPECT_THAT(check(kJobs, job(R"("completionMode":"Indexed","completions":3,"podFailurePolicy":{"rules":[
      {"action":"FailIndex","onExitCodes":{"operator":"In","values":[42]}}]},)")),
              ElementsAre("spec.podFailurePolicy.rules[0].action: Invalid value: \"FailIndex\": requires the backoffLimitPerIndex to be set"));
}

TEST(Job, SuccessPolicy) {
  EXPECT_THAT(check(kJobs, job(R"("completionMode":"Indexed","completions":5,"successPolicy":{"rules":[
      {"succeededIndexes":"0,2-4","succeededCount":2}]},)")), IsEmpty());
  auto nonIndexed = check(kJobs, job(R"("completions":5,"successPolicy":{"rules":[]},)"));
  ASSERT_EQ(nonIndexed.size(), 1u);
  EXPECT_THAT(nonIndexed[0], ::testing::StartsWith("spec.successPolicy: Invalid value: "));
  EXPECT_THAT(nonIndexed[0], ::testing::EndsWith(": requires indexed completion mode"));
  EXPECT_THAT(check(kJobs, job(R"("completionMode":"Indexed","completions":5,"successPolicy":{"rules":[]},)")),
              ElementsAre("spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified"));
  EXPECT_THAT(check(kJobs, job(R"("completionMode":"Indexed","completions":5,"successPolicy":{"rules":[{}]},)")),
              ElementsAre("spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified"));
  EXPECT_THAT(check(kJobs, job(R"("completionMode":"Indexed","completions":5,"successPolicy":{"rules":[
      {"succeededIndexes":"3-1"},{"succeededIndexes":"7"},{"succeededIndexes":"1,a"},{"succeededIndexes":"2,1"}]},)")),
              ElementsAre("spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"3-1\": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1",
                          "spec.successPolicy.rules[1].succeededIndexes: Invalid value: \"7\": error parsing succeededIndexes: too large index: \"7\"",
                          "spec.successPolicy.rules[2].succeededIndexes: Invalid value: \"1,a\": error parsing succeededIndexes: cannot convert string to integer for index: \"a\"",
                          "spec.successPolicy.rules[3].succeededIndexes: Invalid value: \"2,1\": error parsing succeededIndexes: non-increasing order, previous: 2, current: 1"));
  EXPECT_THAT(check(kJobs, job(R"("completionMode":"Indexed","completions":5,"successPolicy":{"rules":[
      {"succeededIndexes":"0-1","succeededCount":3},{"succeededCount":6}]},)")),
              ElementsAre("spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)",
                          "spec.successPolicy.rules[1].succeededCount: Invalid value: 6: must be less than or equal to 5 (the number of specified completions)"));
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
