#include "controllers/job/pod_failure_policy.h"

#include <gtest/gtest.h>

namespace kcpp::controllers {
namespace {

namespace json = boost::json;

const json::object kJob = json::parse(R"({"spec":{"podFailurePolicy":{"rules":[
    {"action":"Ignore","onPodConditions":[{"type":"DisruptionTarget"}]},
    {"action":"FailJob","onExitCodes":{"containerName":"main","operator":"In","values":[42]}},
    {"action":"Count","onExitCodes":{"operator":"NotIn","values":[1,2]}}]}}})").as_object();

json::object failedPod(const std::string& container, int exitCode, const std::string& condition = "") {
  json::object pod = json::parse(R"({"metadata":{"name":"p","namespace":"ns"},"status":{"phase":"Failed"}})").as_object();
  pod["status"].as_object()["containerStatuses"] = json::array{json::object{
      {"name", container}, {"state", json::object{{"terminated", json::object{{"exitCode", exitCode}}}}}}};
  if (!condition.empty()) {
    pod["status"].as_object()["conditions"] = json::array{json::object{{"type", condition}, {"status", "True"}}};
  }
  return pod;
}

TEST(PodFailurePolicy, FirstMatchingRuleWins) {
  auto fail = matchPodFailurePolicy(kJob, failedPod("main", 42));
  ASSERT_TRUE(fail.has_value());
  EXPECT_EQ(fail->action, "FailJob");
  EXPECT_EQ(fail->message, "Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1");
  auto ignored = matchPodFailurePolicy(kJob, failedPod("main", 42, "DisruptionTarget"));
  ASSERT_TRUE(ignored.has_value());
  EXPECT_EQ(ignored->action, "Ignore");
  EXPECT_EQ(matchPodFailurePolicy(kJob, failedPod("side", 42))->action, "Count");  // NotIn [1,2]
  EXPECT_FALSE(matchPodFailurePolicy(kJob, failedPod("main", 1)).has_value());
  EXPECT_FALSE(matchPodFailurePolicy(kJob, failedPod("main", 0)).has_value());  // exit 0 never matches
  EXPECT_FALSE(matchPodFailurePolicy(json::object(), failedPod("main", 42)).has_value());
}

}  // namespace
}  // namespace kcpp::controllers
