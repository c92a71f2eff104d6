// rolling.cpp: a RollingUpdate stays within maxSurge and maxUnavailable, and
// stops where new replicas do not become available.
#include "controllers/deployment/deployment_test_fixture.h"

namespace kcpp::controllers::testing {
namespace {

using RollingTest = DeploymentControllerTest;

TEST_F(RollingTest, RollsWithinSurgeAndUnavailable) {
  // 4 replicas, surge 25% (1, rounded up), unavailable 25% (1, rounded down).
  create(makeDeployment("web", R"({"replicas":4,"strategy":{"type":"RollingUpdate",
      "rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}})"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  setImage("nginx:2");
  std::int64_t mostReplicas = 0, fewestAvailable = 4;
  bool done = waitFor([&] {
    auto rss = replicaSets();
    std::int64_t total = 0, available = 0;
    for (const auto& rs : rss) {
      total += specReplicas(rs);
      available += intAt(rs, "status.availableReplicas");
    }
    mostReplicas = std::max(mostReplicas, total);
    fewestAvailable = std::min(fewestAvailable, available);
    return rss.size() == 2 && rsSizes() == std::vector<std::int64_t>{0, 4} &&
           intAt(deployment(), "status.availableReplicas") == 4 &&
           conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable;
  }, 10s);
  ASSERT_TRUE(done) << "sizes " << rsSizes().size();
  EXPECT_LE(mostReplicas, 5);
  EXPECT_GE(fewestAvailable, 3);
  EXPECT_EQ(annotation(deployment(), kRevisionAnnotation), "2");
  EXPECT_EQ(annotation(replicaSets()[1], kRevisionAnnotation), "2");
}

TEST_F(RollingTest, WaitsForNewReplicasToBecomeAvailable) {
  create(makeDeployment("web", "{}"));  // 3 replicas, surge 1, unavailable 0
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  setImage("nginx:2");
  auto oldOnly = [](const json::object& rs) -> std::int64_t {
    return DeploymentControllerTest::image(rs) == "nginx" ? 3 : 0;
  };
  ASSERT_TRUE(waitFor([&] { return rsSizes() == std::vector<std::int64_t>{3, 1}; }, 5s, oldOnly));
  waitFor([] { return false; }, 500ms, oldOnly);
  EXPECT_EQ(rsSizes(), (std::vector<std::int64_t>{3, 1}));  // no pod given up while none is new
  json::object d = deployment();
  EXPECT_EQ(intAt(d, "status.updatedReplicas"), 1);
  EXPECT_EQ(intAt(d, "status.replicas"), 4);
  EXPECT_EQ(intAt(d, "status.unavailableReplicas"), 1);
  EXPECT_EQ(conditionReason(d, kProgressing), kReplicaSetUpdated);
  // The first new replica becomes available: one old one goes.
  auto oneNew = [](const json::object& rs) -> std::int64_t {
    return DeploymentControllerTest::image(rs) == "nginx" ? 3 : 1;
  };
  ASSERT_TRUE(waitFor([&] { return rsSizes() == std::vector<std::int64_t>{2, 2}; }, 5s, oneNew));
}

TEST_F(RollingTest, ScalingMidRolloutIsProportional) {
  create(makeDeployment("web", R"({"replicas":4,"strategy":{"type":"RollingUpdate",
      "rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}}})"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  setImage("nginx:2");
  auto oldOnly = [](const json::object& rs) -> std::int64_t {
    return DeploymentControllerTest::image(rs) == "nginx" ? 100 : 0;
  };
  ASSERT_TRUE(waitFor([&] { return rsSizes() == std::vector<std::int64_t>{4, 1}; }, 5s, oldOnly));
  patchDeployment(R"({"spec":{"replicas":8}})");
  // 8 + 2 surge = 10, shared 4:1.
  ASSERT_TRUE(waitFor([&] { return rsSizes() == std::vector<std::int64_t>{8, 2}; }, 5s, oldOnly));
  for (const auto& rs : replicaSets()) {
    EXPECT_EQ(annotation(rs, kDesiredReplicasAnnotation), "8");
    EXPECT_EQ(annotation(rs, kMaxReplicasAnnotation), "10");
  }
  patchDeployment(R"({"spec":{"replicas":2}})");
  // 2 + 1 surge = 3: the old one shrinks most.
  ASSERT_TRUE(waitFor([&] {
    auto sizes = rsSizes();
    return sizes.size() == 2 && sizes[0] + sizes[1] == 3 && sizes[1] >= 1;
  }, 5s, oldOnly));
}

}  // namespace
}  // namespace kcpp::controllers::testing
