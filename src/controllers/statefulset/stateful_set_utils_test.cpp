// Identity, storage and revision helpers of the StatefulSet controller.
#include "controllers/statefulset/stateful_set_utils.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"
#include "controllers/history/controller_history.h"

namespace kcpp::controllers::statefulset {
namespace {

json::object webSet() {
  return json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
    "metadata":{"name":"web","namespace":"ns","uid":"u1"},
    "spec":{"replicas":3,"serviceName":"nginx","selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},
        "spec":{"containers":[{"name":"c","image":"nginx"}],
                "volumes":[{"name":"www","emptyDir":{}},{"name":"cfg","configMap":{"name":"x"}}]}},
      "volumeClaimTemplates":[{"metadata":{"name":"www","labels":{"tier":"data"}},
        "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}]}})").as_object();
}

TEST(StatefulSetUtils, ParentAndOrdinal) {
  EXPECT_EQ(parentAndOrdinal("web-12").parent, "web");
  EXPECT_EQ(parentAndOrdinal("web-12").ordinal, 12);
  EXPECT_EQ(parentAndOrdinal("my-web-0").parent, "my-web");
  EXPECT_EQ(parentAndOrdinal("web").ordinal, -1);
  EXPECT_EQ(parentAndOrdinal("web-x1").ordinal, -1);
  EXPECT_EQ(parentAndOrdinal("web-").ordinal, -1);
}

TEST(StatefulSetUtils, NewPodHasIdentityStorageAndRevision) {
  json::object set = webSet();
  json::object pod = newStatefulSetPod(set, 2, "web-abc");
  EXPECT_EQ(api::metaName(pod), "web-2");
  EXPECT_EQ(api::metaNamespace(pod), "ns");
  auto labels = api::metaLabels(pod);
  EXPECT_EQ(labels.at(kPodNameLabel), "web-2");
  EXPECT_EQ(labels.at(kPodIndexLabel), "2");
  EXPECT_EQ(labels.at("app"), "web");
  EXPECT_EQ(podRevision(pod), "web-abc");
  EXPECT_EQ(str(pod, "spec.hostname"), "web-2");
  EXPECT_EQ(str(pod, "spec.subdomain"), "nginx");
  const json::array& volumes = pod.at("spec").at("volumes").as_array();
  ASSERT_EQ(volumes.size(), 2u);  // the template's "www" is replaced by the claim
  EXPECT_EQ(volumes[0], json::parse(R"({"name":"www","persistentVolumeClaim":{"claimName":"www-web-2"}})"));
  EXPECT_EQ(volumes[1].at("name"), "cfg");
  auto ref = pod.at("metadata").at("ownerReferences").at(0).as_object();
  EXPECT_EQ(ref.at("kind"), "StatefulSet");
  EXPECT_EQ(ref.at("controller"), true);
  EXPECT_TRUE(identityMatches(set, pod));
  EXPECT_TRUE(storageMatches(set, pod));

  json::object stray = pod;
  stray["metadata"].as_object()["labels"].as_object().erase(kPodNameLabel);
  EXPECT_FALSE(identityMatches(set, stray));
  updateIdentity(set, stray);
  EXPECT_TRUE(identityMatches(set, stray));
  stray["spec"].as_object()["volumes"] = json::array();
  EXPECT_FALSE(storageMatches(set, stray));
}

TEST(StatefulSetUtils, ClaimsCarryTheSelectorLabels) {
  auto claims = claimsFor(webSet(), 1);
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(api::metaName(claims[0]), "www-web-1");
  EXPECT_EQ(api::metaNamespace(claims[0]), "ns");
  auto labels = api::metaLabels(claims[0]);
  EXPECT_EQ(labels.at("app"), "web");
  EXPECT_EQ(labels.at("tier"), "data");
  EXPECT_EQ(claims[0].at("kind"), "PersistentVolumeClaim");
}

TEST(StatefulSetUtils, PoliciesAndDefaults) {
  json::object set = webSet();
  EXPECT_FALSE(allowsBurst(set));
  EXPECT_FALSE(isOnDelete(set));
  EXPECT_EQ(partition(set), 0);
  EXPECT_EQ(startOrdinal(set), 0);
  set["spec"].as_object()["podManagementPolicy"] = "Parallel";
  set["spec"].as_object()["ordinals"] = json::object{{"start", 5}};
  EXPECT_TRUE(allowsBurst(set));
  EXPECT_EQ(startOrdinal(set), 5);
}

TEST(StatefulSetUtils, HealthNeedsRunningAndReady) {
  json::object pod = json::parse(R"({"metadata":{"uid":"x"},"status":{"phase":"Pending"}})").as_object();
  EXPECT_TRUE(isCreated(pod));
  EXPECT_FALSE(isHealthy(pod));
  pod["status"] = json::parse(R"({"phase":"Running","conditions":[{"type":"Ready","status":"True",
                                 "lastTransitionTime":"2026-01-01T00:00:00Z"}]})");
  EXPECT_TRUE(isHealthy(pod));
  auto now = std::chrono::system_clock::now();
  EXPECT_TRUE(isRunningAndAvailable(pod, 10, now));
  pod["metadata"].as_object()["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(isHealthy(pod));
}

TEST(StatefulSetUtils, ApplyRevisionRestoresTheTemplate) {
  json::object set = webSet();
  json::object revision{{"data", history::templatePatch(set)}};
  json::object changed = set;
  changed["spec"].as_object()["template"].as_object()["spec"].as_object()["containers"].as_array()[0]
      .as_object()["image"] = "nginx:2";
  json::object restored = applyRevision(changed, revision);
  EXPECT_EQ(history::canonical(restored.at("spec").at("template")), history::canonical(set.at("spec").at("template")));
}

}  // namespace
}  // namespace kcpp::controllers::statefulset
