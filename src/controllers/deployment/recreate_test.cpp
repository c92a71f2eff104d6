// recreate.cpp: old ReplicaSets go to zero, and the new one is created only
// once their pods are gone.
#include "controllers/deployment/deployment_test_fixture.h"

namespace kcpp::controllers::testing {
namespace {

using RecreateTest = DeploymentControllerTest;

TEST_F(RecreateTest, ScalesOldToZeroAndWaitsForTheirPodsBeforeTheNew) {
  create(makeDeployment("web", R"({"replicas":2,"strategy":{"type":"Recreate"}})"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  setImage("nginx:2");
  // Until the old RS reports no replicas, no new RS may exist.
  server.runFor(2s, [&] { return rsSizes() == std::vector<std::int64_t>{0}; });
  ASSERT_EQ(rsSizes(), (std::vector<std::int64_t>{0}));
  server.runFor(300ms);
  EXPECT_EQ(replicaSets().size(), 1u);
  // The old RS' pods are gone (its status says so): the new RS comes up whole.
  ASSERT_TRUE(waitFor([&] {
    auto rss = replicaSets();
    return rss.size() == 2 && image(rss[1]) == "nginx:2" && rsSizes() == std::vector<std::int64_t>{0, 2} &&
           conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable;
  }));
  EXPECT_EQ(annotation(replicaSets()[1], kMaxReplicasAnnotation), "2");  // no surge
}

TEST_F(RecreateTest, WaitsForOldPodsStillRunning) {
  create(makeDeployment("web", R"({"replicas":1,"strategy":{"type":"Recreate"}})"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  json::object rs = replicaSets()[0];
  // A running pod of the old RS (as its controller left it).
  json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"old-pod"},
      "spec":{"containers":[{"name":"c","image":"nginx"}]},"status":{"phase":"Running"}})").as_object();
  pod["metadata"].as_object()["labels"] = *api::findPath(rs, "spec.template.metadata.labels");
  pod["metadata"].as_object()["ownerReferences"] = json::array{makeControllerRef(rs, "apps/v1", "ReplicaSet")};
  client::ResourcePath pods{"", "v1", "pods", "default", "", "", ""};
  ASSERT_TRUE(server.await(restClient->create(pods, pod)).ok());
  setImage("nginx:2");
  waitFor([] { return false; }, 1s);
  EXPECT_EQ(replicaSets().size(), 1u);  // the old pod still exists
  client::ResourcePath podPath{"", "v1", "pods", "default", "old-pod", "", ""};
  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(podPath, noOptions)).ok());
  ASSERT_TRUE(waitFor([&] { return replicaSets().size() == 2 && rsSizes()[1] == 1; }));
}

}  // namespace
}  // namespace kcpp::controllers::testing
