// deployment_controller.cpp: claiming ReplicaSets (release when they stop
// matching), hash collisions, and events.
#include "controllers/deployment/deployment_test_fixture.h"

namespace kcpp::controllers::testing {
namespace {

using ControllerTest = DeploymentControllerTest;

TEST_F(ControllerTest, ReleasesAReplicaSetThatStopsMatchingAndCountsTheNameCollision) {
  create(makeDeployment("web", "{}"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  std::string first(api::metaName(replicaSets()[0]));
  auto relabelled = server.await(restClient->patch(replicaSetPath("default", first), "application/merge-patch+json",
                                                   R"({"metadata":{"labels":{"app":"other"}}})"));
  ASSERT_TRUE(relabelled.ok());
  // Released, and replaced by a RS whose name (the template's hash) had to
  // change: the released one holds the old name.
  ASSERT_TRUE(waitFor([&] {
    auto rss = replicaSets();
    if (rss.size() != 2) return false;
    for (const auto& rs : rss) {
      if (api::metaName(rs) == first && controllerRef(rs)) return false;
    }
    return intAt(deployment(), "status.availableReplicas") == 3;
  }));
  json::object d = deployment();
  EXPECT_EQ(intAt(d, "status.collisionCount"), 1);
  std::string hash = computeHash(api::findPath(d, "spec.template")->as_object(), std::int64_t{1});
  bool found = false;
  for (const auto& rs : replicaSets()) found |= api::metaName(rs) == "web-" + hash;
  EXPECT_TRUE(found);
}

TEST_F(ControllerTest, RecordsScalingEvents) {
  create(makeDeployment("web", "{}"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  patchDeployment(R"({"spec":{"replicas":1}})");
  ASSERT_TRUE(waitFor([&] { return rsSizes() == std::vector<std::int64_t>{1}; }));
  std::string name(api::metaName(replicaSets()[0]));
  client::ResourcePath eventsPath{"", "v1", "events", "default", "", "", ""};
  std::vector<std::string> messages;
  server.runFor(3s, [&] {
    messages.clear();
    auto list = server.await(restClient->get(eventsPath));
    if (!list) return false;
    for (const auto& e : list->at("items").as_array()) {
      if (api::getString(e.as_object(), "reason") == "ScalingReplicaSet") {
        messages.emplace_back(api::getString(e.as_object(), "message"));
      }
    }
    return messages.size() >= 2;
  });
  EXPECT_NE(std::find(messages.begin(), messages.end(), "Scaled up replica set " + name + " from 0 to 3"),
            messages.end());
  EXPECT_NE(std::find(messages.begin(), messages.end(), "Scaled down replica set " + name + " from 3 to 1"),
            messages.end());
}

}  // namespace
}  // namespace kcpp::controllers::testing
