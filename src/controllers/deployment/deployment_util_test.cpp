// The Deployment controller's pure helpers: hashes, fenceposts, proportions,
// revisions and conditions.
#include "controllers/deployment/deployment_util.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"

namespace kcpp::controllers::deployment {
namespace {

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

json::object deploymentWith(std::int64_t replicas, const std::string& strategy) {
  json::object d = parse(R"({"metadata":{"name":"web","generation":1},"spec":{}})");
  d["spec"].as_object()["replicas"] = replicas;
  d["spec"].as_object()["strategy"] = json::parse(strategy);
  return d;
}

RsPtr rs(const std::string& name, std::int64_t replicas, const std::string& created,
         const std::string& annotations = "{}") {
  json::object obj = parse(R"({"metadata":{},"spec":{},"status":{}})");
  obj["metadata"].as_object()["name"] = name;
  obj["metadata"].as_object()["creationTimestamp"] = created;
  obj["metadata"].as_object()["annotations"] = json::parse(annotations);
  obj["spec"].as_object()["replicas"] = replicas;
  return std::make_shared<const json::object>(std::move(obj));
}

TEST(DeploymentUtil, SafeEncodeStringUsesUpstreamsAlphabet) {
  // Each byte maps to alphabet[byte % 27]: '0' (48) -> 48 % 27 = 21 -> '4'.
  EXPECT_EQ(safeEncodeString("0"), "4");
  EXPECT_EQ(safeEncodeString("123"), safeEncodeString("123"));
  for (char c : safeEncodeString("4294967295")) {
    EXPECT_NE(std::string("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos);
  }
}

TEST(DeploymentUtil, ComputeHashIsStableOrderIndependentAndChangesWithCollisions) {
  json::object a = parse(R"({"metadata":{"labels":{"app":"web","tier":"x"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}})");
  json::object b = parse(R"({"spec":{"containers":[{"image":"nginx","name":"c"}]},"metadata":{"labels":{"tier":"x","app":"web"}}})");
  std::string hash = computeHash(a, std::nullopt);
  EXPECT_EQ(hash, computeHash(b, std::nullopt));
  EXPECT_GE(hash.size(), 1u);
  EXPECT_LE(hash.size(), 10u);  // the decimal uint32, encoded byte by byte
  EXPECT_NE(hash, computeHash(a, std::int64_t{1}));
  EXPECT_NE(computeHash(a, std::int64_t{1}), computeHash(a, std::int64_t{2}));
  json::object c = a;
  c["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "nginx:2";
  EXPECT_NE(hash, computeHash(c, std::nullopt));
}

TEST(DeploymentUtil, EqualIgnoreHashIgnoresOnlyTheHashLabel) {
  json::object templ = parse(R"({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[]}})");
  json::object hashed = templateWithHash(templ, "abc");
  EXPECT_EQ(api::findPath(hashed, "metadata.labels")->as_object().at("pod-template-hash"), "abc");
  EXPECT_TRUE(equalIgnoreHash(templ, hashed));
  hashed["metadata"].as_object()["labels"].as_object()["app"] = "other";
  EXPECT_FALSE(equalIgnoreHash(templ, hashed));
  json::object selector = selectorWithHash(json::parse(R"({"matchLabels":{"app":"web"}})"), "abc");
  EXPECT_EQ(selector.at("matchLabels").as_object().size(), 2u);
}

TEST(DeploymentUtil, FencepostsRoundSurgeUpAndUnavailableDown) {
  json::value surge = "25%", unavailable = "25%";
  Fenceposts f = resolveFenceposts(&surge, &unavailable, 3);
  EXPECT_EQ(f.maxSurge, 1);        // ceil(0.75)
  EXPECT_EQ(f.maxUnavailable, 0);  // floor(0.75)
  f = resolveFenceposts(&surge, &unavailable, 10);
  EXPECT_EQ(f.maxSurge, 3);
  EXPECT_EQ(f.maxUnavailable, 2);
  json::value zero = 0;
  f = resolveFenceposts(&zero, &zero, 5);
  EXPECT_EQ(f.maxSurge, 0);
  EXPECT_EQ(f.maxUnavailable, 1);  // both zero would never progress
  json::value two = 2;
  EXPECT_EQ(scaledValue(&two, 100, true), 2);
}

TEST(DeploymentUtil, MaxUnavailableIsCappedAndZeroForRecreate) {
  json::object d = deploymentWith(2, R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":5}})");
  EXPECT_EQ(maxUnavailable(d), 2);
  EXPECT_EQ(maxSurge(d), 0);
  json::object recreate = deploymentWith(2, R"({"type":"Recreate"})");
  EXPECT_EQ(maxUnavailable(recreate), 0);
  EXPECT_EQ(maxSurge(recreate), 0);
  EXPECT_FALSE(isRollingUpdate(recreate));
}

TEST(DeploymentUtil, NewReplicasStayWithinSurge) {
  json::object d = deploymentWith(3, R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}})");
  RsPtr old = rs("old", 3, "2026-01-01T00:00:00Z");
  RsPtr fresh = rs("new", 0, "2026-01-02T00:00:00Z");
  EXPECT_EQ(newRSNewReplicas(d, {old, fresh}, *fresh), 1);
  RsPtr grown = rs("new", 1, "2026-01-02T00:00:00Z");
  EXPECT_EQ(newRSNewReplicas(d, {old, grown}, *grown), 1);  // at 4 already
  RsPtr shrunk = rs("old", 1, "2026-01-01T00:00:00Z");
  EXPECT_EQ(newRSNewReplicas(d, {shrunk, grown}, *grown), 3);
  json::object recreate = deploymentWith(3, R"({"type":"Recreate"})");
  EXPECT_EQ(newRSNewReplicas(recreate, {old, fresh}, *fresh), 3);
}

TEST(DeploymentUtil, ProportionFollowsTheMaxReplicasAnnotation) {
  json::object d = deploymentWith(8, R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}})");
  RsPtr old = rs("old", 4, "2026-01-01T00:00:00Z", R"({"deployment.kubernetes.io/max-replicas":"5"})");
  RsPtr fresh = rs("new", 1, "2026-01-02T00:00:00Z", R"({"deployment.kubernetes.io/max-replicas":"5"})");
  // 8 + 2 = 10 replicas allowed; the 4:1 split becomes 8:2.
  EXPECT_EQ(proportion(*old, d, 5, 0), 4);
  EXPECT_EQ(proportion(*fresh, d, 5, 4), 1);
  EXPECT_EQ(proportion(*fresh, d, 5, 5), 0);  // nothing left to hand out
  json::object zero = deploymentWith(0, R"({"type":"RollingUpdate"})");
  EXPECT_EQ(proportion(*old, zero, -5, 0), -4);
}

TEST(DeploymentUtil, SortsAndFindsTheActiveOrLatest) {
  RsPtr a = rs("a", 2, "2026-01-01T00:00:00Z");
  RsPtr b = rs("b", 2, "2026-01-02T00:00:00Z");
  RsPtr c = rs("c", 0, "2026-01-03T00:00:00Z");
  RsList list{c, a, b};
  sortBySizeNewer(list);
  EXPECT_EQ(api::metaName(*list[0]), "b");
  sortBySizeOlder(list);
  EXPECT_EQ(api::metaName(*list[0]), "a");
  EXPECT_EQ(findActiveOrLatest(c, {a, b}), nullptr);  // two active
  EXPECT_EQ(findActiveOrLatest(c, {a}), a);
  RsPtr zeroA = rs("a", 0, "2026-01-01T00:00:00Z");
  EXPECT_EQ(findActiveOrLatest(nullptr, {zeroA, c}), c);  // none active: the newest
  EXPECT_EQ(specReplicaCount({a, b, c}), 4);
}

TEST(DeploymentUtil, RevisionAnnotationsAndHistory) {
  json::object d = parse(R"({"metadata":{"annotations":{"team":"a","kubectl.kubernetes.io/last-applied-configuration":"{}",
      "deployment.kubernetes.io/revision":"9"}},"spec":{"replicas":3,"strategy":{"type":"Recreate"}}})");
  json::object fresh = parse(R"({"metadata":{"name":"web-1"}})");
  EXPECT_TRUE(setNewReplicaSetAnnotations(d, fresh, "1", false));
  EXPECT_EQ(annotation(fresh, kRevisionAnnotation), "1");
  EXPECT_EQ(annotation(fresh, "team"), "a");
  EXPECT_EQ(annotation(fresh, kLastAppliedAnnotation), "");
  EXPECT_EQ(annotation(fresh, kDesiredReplicasAnnotation), "3");
  EXPECT_EQ(annotation(fresh, kMaxReplicasAnnotation), "3");
  EXPECT_FALSE(setNewReplicaSetAnnotations(d, fresh, "1", true));
  // Reused at revision 3, then 5: the old revisions are remembered.
  EXPECT_TRUE(setNewReplicaSetAnnotations(d, fresh, "3", true));
  EXPECT_EQ(annotation(fresh, kRevisionHistoryAnnotation), "1");
  EXPECT_TRUE(setNewReplicaSetAnnotations(d, fresh, "5", true));
  EXPECT_EQ(annotation(fresh, kRevisionHistoryAnnotation), "1,3");
  EXPECT_EQ(revisionOf(fresh), 5);
  EXPECT_TRUE(setDeploymentRevision(d, "5"));
  EXPECT_FALSE(setDeploymentRevision(d, "5"));
}

TEST(DeploymentUtil, SetConditionKeepsTransitionTimeWhenOnlyTheReasonChanges) {
  json::object status;
  json::object first = newCondition(kProgressing, "True", kNewReplicaSetCreated, "created");
  first["lastTransitionTime"] = "2020-01-01T00:00:00Z";
  setCondition(status, first);
  setCondition(status, newCondition(kProgressing, "True", kReplicaSetUpdated, "progressing"));
  const json::object* cond = findCondition(status, kProgressing);
  ASSERT_NE(cond, nullptr);
  EXPECT_EQ(api::getString(*cond, "reason"), kReplicaSetUpdated);
  EXPECT_EQ(api::getString(*cond, "lastTransitionTime"), "2020-01-01T00:00:00Z");
  setCondition(status, newCondition(kProgressing, "False", kProgressDeadlineExceeded, "late"));
  EXPECT_NE(api::getString(*findCondition(status, kProgressing), "lastTransitionTime"), "2020-01-01T00:00:00Z");
  removeCondition(status, kProgressing);
  EXPECT_EQ(findCondition(status, kProgressing), nullptr);
}

TEST(DeploymentUtil, StatusAvailabilityAndTimeout) {
  json::object d = deploymentWith(4, R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":1}})");
  d["spec"].as_object()["progressDeadlineSeconds"] = 10;
  json::object rsObj = *rs("new", 4, "2026-01-01T00:00:00Z");
  rsObj["status"] = json::parse(R"({"replicas":4,"readyReplicas":3,"availableReplicas":3})");
  RsPtr newRS = std::make_shared<const json::object>(rsObj);
  json::object status = calculateStatus({newRS}, newRS, d);
  EXPECT_EQ(status.at("replicas"), 4);
  EXPECT_EQ(status.at("updatedReplicas"), 4);
  EXPECT_EQ(status.at("availableReplicas"), 3);
  EXPECT_EQ(status.at("unavailableReplicas"), 1);
  EXPECT_EQ(status.at("observedGeneration"), 1);
  const json::object* available = findCondition(status, kAvailable);
  ASSERT_NE(available, nullptr);
  EXPECT_EQ(api::getString(*available, "status"), "True");  // 3 >= 4 - 1
  EXPECT_EQ(api::getString(*available, "message"), "Deployment has minimum availability.");
  EXPECT_FALSE(deploymentComplete(d, status));

  auto now = std::chrono::system_clock::now();
  json::object progressing = newCondition(kProgressing, "True", kReplicaSetUpdated, "x");
  progressing["lastUpdateTime"] = api::formatTime(now - std::chrono::seconds(30));
  setCondition(status, progressing);
  EXPECT_TRUE(deploymentTimedOut(d, status, now));
  d["spec"].as_object()["progressDeadlineSeconds"] = 60;
  EXPECT_FALSE(deploymentTimedOut(d, status, now));
  d["spec"].as_object()["progressDeadlineSeconds"] = 2147483647;  // MaxInt32: no deadline
  EXPECT_FALSE(hasProgressDeadline(d));
}

}  // namespace
}  // namespace kcpp::controllers::deployment
