// progress.cpp: Progressing moves through NewReplicaSetCreated/ReplicaSetUpdated
// to NewReplicaSetAvailable, or to False ProgressDeadlineExceeded; pausing and
// resuming are recorded.
#include "controllers/deployment/deployment_test_fixture.h"

namespace kcpp::controllers::testing {
namespace {

using ProgressTest = DeploymentControllerTest;

TEST_F(ProgressTest, ReportsTheDeadlineExceededWhenNothingBecomesAvailable) {
  create(makeDeployment("web", R"({"progressDeadlineSeconds":1})"));
  auto none = [](const json::object&) -> std::int64_t { return 0; };
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kProgressDeadlineExceeded; },
                      6s, none));
  json::object d = deployment();
  const json::object* cond = findCondition(d.at("status").as_object(), kProgressing);
  EXPECT_EQ(api::getString(*cond, "status"), "False");
  EXPECT_EQ(api::getString(*cond, "message"),
            "ReplicaSet \"" + std::string(api::metaName(replicaSets()[0])) + "\" has timed out progressing.");
  EXPECT_EQ(conditionReason(d, kAvailable), kMinimumReplicasUnavailable);
  const json::object* available = findCondition(d.at("status").as_object(), kAvailable);
  EXPECT_EQ(api::getString(*available, "message"), "Deployment does not have minimum availability.");
  // Progress afterwards clears it.
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
}

TEST_F(ProgressTest, RecordsPauseAndResume) {
  create(makeDeployment("web", "{}"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  patchDeployment(R"({"spec":{"paused":true}})");
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kDeploymentPaused; }));
  json::object d = deployment();
  const json::object* cond = findCondition(d.at("status").as_object(), kProgressing);
  EXPECT_EQ(api::getString(*cond, "status"), "Unknown");
  EXPECT_EQ(api::getString(*cond, "message"), "Deployment is paused");
  patchDeployment(R"({"spec":{"paused":false}})");
  // Resumed, then (everything being available) complete again.
  ASSERT_TRUE(waitFor([&] {
    std::string reason = conditionReason(deployment(), kProgressing);
    return reason == kDeploymentResumed || reason == kNewReplicaSetAvailable;
  }));
}

TEST_F(ProgressTest, NoProgressingConditionWithoutADeadline) {
  create(makeDeployment("web", R"({"progressDeadlineSeconds":2147483647})"));
  ASSERT_TRUE(waitFor([&] { return intAt(deployment(), "status.availableReplicas") == 3; }));
  EXPECT_EQ(conditionReason(deployment(), kProgressing), "");
  EXPECT_EQ(conditionReason(deployment(), kAvailable), kMinimumReplicasAvailable);
}

}  // namespace
}  // namespace kcpp::controllers::testing
