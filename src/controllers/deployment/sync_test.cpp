// sync.cpp: the new ReplicaSet (name, hash label, annotations, adoption),
// revisions, scaling while paused, cleanup of old revisions, and status.
#include "controllers/deployment/deployment_test_fixture.h"

namespace kcpp::controllers::testing {
namespace {

using SyncTest = DeploymentControllerTest;

TEST_F(SyncTest, CreatesTheNewReplicaSetNamedByItsTemplateHash) {
  json::object created = create(makeDeployment("web", "{}"));
  ASSERT_TRUE(waitFor([&] { return replicaSets().size() == 1; }));
  json::object rs = replicaSets()[0];
  std::string hash = computeHash(api::findPath(created, "spec.template")->as_object(), std::nullopt);
  EXPECT_EQ(api::metaName(rs), "web-" + hash);
  EXPECT_EQ(api::metaLabels(rs).at("pod-template-hash"), hash);
  EXPECT_EQ(api::findPath(rs, "spec.selector.matchLabels")->as_object().at("pod-template-hash").as_string(), hash);
  EXPECT_EQ(api::findPath(rs, "spec.template.metadata.labels")->as_object().at("pod-template-hash").as_string(), hash);
  auto ref = controllerRef(rs);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->kind, "Deployment");
  EXPECT_EQ(ref->uid, stringAt(created, "metadata.uid"));
  EXPECT_EQ(annotation(rs, kRevisionAnnotation), "1");
  EXPECT_EQ(annotation(rs, kDesiredReplicasAnnotation), "3");
  EXPECT_EQ(annotation(rs, kMaxReplicasAnnotation), "4");

  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  json::object d = deployment();
  EXPECT_EQ(annotation(d, kRevisionAnnotation), "1");
  EXPECT_EQ(intAt(d, "status.observedGeneration"), 1);
  EXPECT_EQ(intAt(d, "status.replicas"), 3);
  EXPECT_EQ(intAt(d, "status.updatedReplicas"), 3);
  EXPECT_EQ(intAt(d, "status.readyReplicas"), 3);
  EXPECT_EQ(intAt(d, "status.availableReplicas"), 3);
  EXPECT_EQ(api::findPath(d, "status.unavailableReplicas"), nullptr);
  EXPECT_EQ(conditionReason(d, kAvailable), kMinimumReplicasAvailable);
  const json::object* cond = findCondition(d.at("status").as_object(), kProgressing);
  EXPECT_EQ(api::getString(*cond, "message"),
            "ReplicaSet \"web-" + hash + "\" has successfully progressed.");
}

TEST_F(SyncTest, AdoptsAMatchingOrphanReplicaSetInsteadOfCreatingOne) {
  json::object d = makeDeployment("web", "{}");
  json::object orphan{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}};
  orphan["metadata"] = json::object{{"name", "orphan"}, {"labels", json::object{{"app", "web"}}}};
  orphan["spec"] = json::object{{"replicas", 3},
                                {"selector", d["spec"].as_object()["selector"]},
                                {"template", d["spec"].as_object()["template"]}};
  ASSERT_TRUE(server.await(restClient->create(replicaSetPath("default"), orphan)).ok());
  create(d);
  ASSERT_TRUE(waitFor([&] {
    auto rss = replicaSets();
    return rss.size() == 1 && controllerRef(rss[0]).has_value() && annotation(rss[0], kRevisionAnnotation) == "1";
  }));
  server.runFor(300ms);
  EXPECT_EQ(replicaSets().size(), 1u);
  EXPECT_EQ(api::metaName(replicaSets()[0]), "orphan");
}

TEST_F(SyncTest, KeepsRevisionHistoryLimitOldReplicaSets) {
  create(makeDeployment("web", R"({"revisionHistoryLimit":1})"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  for (const std::string image : {"nginx:2", "nginx:3", "nginx:4"}) {
    setImage(image);
    ASSERT_TRUE(waitFor([&] {
      auto rss = replicaSets();
      return !rss.empty() && image == DeploymentControllerTest::image(rss.back()) &&
             rsSizes().back() == 3 && conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable;
    })) << image;
  }
  ASSERT_TRUE(waitFor([&] { return replicaSets().size() == 2; }));
  auto rss = replicaSets();
  EXPECT_EQ(annotation(rss[0], kRevisionAnnotation), "3");
  EXPECT_EQ(annotation(rss[1], kRevisionAnnotation), "4");
  EXPECT_EQ(annotation(deployment(), kRevisionAnnotation), "4");
}

TEST_F(SyncTest, ScalesButDoesNotRollOutWhilePaused) {
  create(makeDeployment("web", "{}"));
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kNewReplicaSetAvailable; }));
  patchDeployment(R"({"spec":{"paused":true}})");
  ASSERT_TRUE(waitFor([&] { return conditionReason(deployment(), kProgressing) == kDeploymentPaused; }));
  setImage("nginx:2");
  patchDeployment(R"({"spec":{"replicas":5}})");
  ASSERT_TRUE(waitFor([&] { return rsSizes() == std::vector<std::int64_t>{5}; }));
  server.runFor(300ms);
  EXPECT_EQ(replicaSets().size(), 1u);
  json::object d = deployment();
  EXPECT_EQ(intAt(d, "status.observedGeneration"), intAt(d, "metadata.generation"));

  patchDeployment(R"({"spec":{"paused":false}})");
  ASSERT_TRUE(waitFor([&] {
    auto rss = replicaSets();
    return rss.size() == 2 && image(rss[1]) == "nginx:2" && rsSizes() == std::vector<std::int64_t>{0, 5};
  }));
}

}  // namespace
}  // namespace kcpp::controllers::testing
