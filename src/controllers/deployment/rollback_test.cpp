// rollback.cpp: the legacy deprecated.deployment.rollback.to annotation.
#include "controllers/deployment/deployment_test_fixture.h"

namespace kcpp::controllers::testing {
namespace {

using RollbackTest = DeploymentControllerTest;

TEST_F(RollbackTest, RollsBackToThePreviousRevisionAndClearsTheAnnotation) {
  create(makeDeployment("web", "{}"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  setImage("nginx:2");
  ASSERT_TRUE(waitFor([&] { return rsSizes() == std::vector<std::int64_t>{0, 3}; }));
  patchDeployment(R"({"metadata":{"annotations":{"deprecated.deployment.rollback.to":"0"}}})");
  ASSERT_TRUE(waitFor([&] {
    json::object d = deployment();
    auto rss = replicaSets();
    return annotation(d, kRollbackToAnnotation).empty() && rss.size() == 2 && image(rss[1]) == "nginx" &&
           annotation(d, kRevisionAnnotation) == "3";
  }));
  EXPECT_EQ(annotation(replicaSets()[1], kRevisionHistoryAnnotation), "1");
  ASSERT_TRUE(waitFor([&] { return rsSizes() == std::vector<std::int64_t>{0, 3}; }));
}

}  // namespace
}  // namespace kcpp::controllers::testing
