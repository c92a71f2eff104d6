#include "apiserver/admission/limitranger/limit_ranger.h"

#include "apiserver/admission/limitranger/limit_rules.h"
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using admission::Chain;
using admission::LimitRanger;
namespace limits = admission::limits;

json::object pod(std::string_view containers) {
  json::object obj = parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}})");
  obj["spec"].as_object()["containers"] = json::parse(containers);
  return obj;
}

json::object limitRange(std::string_view limits) {
  json::object obj = parse(R"({"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"lr"},"spec":{}})");
  obj["spec"].as_object()["limits"] = json::parse(limits);
  return obj;
}

// ---- the rules, without a server ----

TEST(LimitRules, DefaultsFillWhatContainersLackAndAreAnnotated) {
  json::object range = limitRange(R"([{"type":"Container",
      "default":{"memory":"512Mi","cpu":"1"},"defaultRequest":{"cpu":"500m","memory":"256Mi"}}])");
  json::object p = pod(R"([{"name":"a","image":"x"},
                           {"name":"b","image":"x","resources":{"limits":{"cpu":"2"}}}])");
  p["spec"].as_object()["initContainers"] = json::parse(R"([{"name":"i","image":"x"}])");
  limits::applyContainerDefaults(range, p);
  EXPECT_EQ(at(p, "spec").at("containers").at(0).at("resources"),
            json::parse(R"({"limits":{"cpu":"1","memory":"512Mi"},
                            "requests":{"cpu":"500m","memory":"256Mi"}})"));
  EXPECT_EQ(at(p, "spec").at("containers").at(1).at("resources"),
            json::parse(R"({"limits":{"cpu":"2","memory":"512Mi"},
                            "requests":{"cpu":"500m","memory":"256Mi"}})"));
  EXPECT_EQ(at(p, "spec").at("initContainers").at(0).at("resources").at("requests").at("cpu"), "500m");
  EXPECT_EQ(p["metadata"].at("annotations").at("kubernetes.io/limit-ranger"),
            "LimitRanger plugin set: cpu, memory request for container a; "
            "cpu, memory limit for container a; cpu, memory request for container b; "
            "memory limit for container b; cpu, memory request for init container i; "
            "cpu, memory limit for init container i");
}

TEST(LimitRules, NothingToDefaultLeavesThePodAlone) {
  json::object range = limitRange(R"([{"type":"Container","default":{"cpu":"1"}},
                                       {"type":"Pod","max":{"cpu":"4"}}])");
  json::object p = pod(R"([{"name":"a","image":"x","resources":{"limits":{"cpu":"2"}}}])");
  json::object before = p;
  limits::applyContainerDefaults(range, p);
  EXPECT_EQ(p, before);
  json::object onlyPod = limitRange(R"([{"type":"Pod","max":{"cpu":"4"}}])");
  json::object bare = pod(R"([{"name":"a","image":"x"}])");
  json::object bareBefore = bare;
  limits::applyContainerDefaults(onlyPod, bare);
  EXPECT_EQ(bare, bareBefore);
}

TEST(LimitRules, ContainerMinMaxAndRatioMessages) {
  json::object range = limitRange(R"([{"type":"Container","max":{"cpu":"1"},"min":{"memory":"100Mi"},
                                       "maxLimitRequestRatio":{"cpu":"2"}}])");
  auto v = limits::podViolations(range, pod(R"([{"name":"a","image":"x","resources":{
      "limits":{"cpu":"2","memory":"1Gi"},"requests":{"cpu":"500m","memory":"50Mi"}}}])"));
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], "minimum memory usage per Container is 100Mi, but request is 50Mi");
  EXPECT_EQ(v[1], "maximum cpu usage per Container is 1, but limit is 2");
  EXPECT_EQ(v[2], "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000");
  EXPECT_EQ(limits::aggregate(v),
            "[minimum memory usage per Container is 100Mi, but request is 50Mi, "
            "maximum cpu usage per Container is 1, but limit is 2, "
            "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000]");
}

TEST(LimitRules, MissingValuesAreNamed) {
  json::object range = limitRange(R"([{"type":"Container","max":{"cpu":"1"},"min":{"memory":"1Mi"},
                                       "maxLimitRequestRatio":{"memory":"2"}}])");
  auto v = limits::podViolations(range, pod(R"([{"name":"a","image":"x"}])"));
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], "minimum memory usage per Container is 1Mi.  No request is specified");
  EXPECT_EQ(v[1], "maximum cpu usage per Container is 1.  No limit is specified");
  EXPECT_EQ(v[2], "memory max limit to request ratio per Container is 2, but no request is "
                  "specified or request is 0");
  auto limitOnly = limits::podViolations(
      range, pod(R"([{"name":"a","image":"x","resources":{"requests":{"memory":"1Gi","cpu":"1"},
                                                          "limits":{"cpu":"1"}}}])"));
  ASSERT_EQ(limitOnly.size(), 1u);
  EXPECT_EQ(limitOnly[0], "memory max limit to request ratio per Container is 2, but no limit is "
                          "specified or limit is 0");
}

TEST(LimitRules, MaxChecksRequestsTooAndMinChecksLimits) {
  json::object range = limitRange(R"([{"type":"Container","max":{"cpu":"1"},"min":{"cpu":"100m"}}])");
  auto v = limits::podViolations(range, pod(R"([{"name":"a","image":"x","resources":{
      "limits":{"cpu":"50m"},"requests":{"cpu":"200m"}}}])"));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0], "minimum cpu usage per Container is 100m, but limit is 50m");
  auto fine = limits::podViolations(range, pod(R"([{"name":"a","image":"x","resources":{
      "limits":{"cpu":"1000m"},"requests":{"cpu":"0.1"}}}])"));
  EXPECT_TRUE(fine.empty());
}

TEST(LimitRules, PodItemsBoundTheSumWithInitContainersAndSidecars) {
  json::object range = limitRange(R"([{"type":"Pod","max":{"cpu":"2"}}])");
  json::object p = pod(R"([{"name":"a","image":"x","resources":{"limits":{"cpu":"1"},"requests":{"cpu":"1"}}},
                           {"name":"b","image":"x","resources":{"limits":{"cpu":"500m"},"requests":{"cpu":"500m"}}}])");
  EXPECT_TRUE(limits::podViolations(range, p).empty());
  // An init container alone may need more than the app containers together.
  p["spec"].as_object()["initContainers"] = json::parse(
      R"([{"name":"i","image":"x","resources":{"limits":{"cpu":"3"},"requests":{"cpu":"1"}}}])");
  auto v = limits::podViolations(range, p);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0], "maximum cpu usage per Pod is 2, but limit is 3");
  // A sidecar adds to the pod's total.
  p["spec"].as_object()["initContainers"] = json::parse(
      R"([{"name":"s","image":"x","restartPolicy":"Always",
           "resources":{"limits":{"cpu":"1"},"requests":{"cpu":"1"}}}])");
  v = limits::podViolations(range, p);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0], "maximum cpu usage per Pod is 2, but limit is 2500m");
}

TEST(LimitRules, ClaimsBoundTheirStorageRequest) {
  json::object range = limitRange(R"([{"type":"PersistentVolumeClaim","min":{"storage":"1Gi"},
                                       "max":{"storage":"10Gi"}}])");
  auto claim = [](std::string_view requests) {
    json::object c = parse(R"({"metadata":{"name":"c"},"spec":{"resources":{}}})");
    c["spec"].as_object()["resources"].as_object()["requests"] = json::parse(requests);
    return c;
  };
  EXPECT_TRUE(limits::claimViolations(range, claim(R"({"storage":"5Gi"})")).empty());
  auto big = limits::claimViolations(range, claim(R"({"storage":"20Gi"})"));
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0], "maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi");
  auto small = limits::claimViolations(range, claim(R"({"storage":"500Mi"})"));
  ASSERT_EQ(small.size(), 1u);
  EXPECT_EQ(small[0], "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi");
  auto none = limits::claimViolations(range, claim("{}"));
  ASSERT_EQ(none.size(), 2u);
  EXPECT_EQ(none[1], "maximum storage usage per PersistentVolumeClaim is 10Gi.  No request is specified");
  // Container and Pod items do not apply to claims.
  EXPECT_TRUE(limits::claimViolations(limitRange(R"([{"type":"Container","max":{"storage":"1"}}])"),
                                      claim(R"({"storage":"5Gi"})")).empty());
}

TEST(LimitRules, AggregateDropsRepeats) {
  EXPECT_EQ(limits::aggregate({"a"}), "a");
  EXPECT_EQ(limits::aggregate({"a", "a"}), "a");
  EXPECT_EQ(limits::aggregate({"a", "b", "a"}), "[a, b]");
}

// ---- the plugin, run by the Registry ----

class LimitRangerTest : public RegistryTest {
 protected:
  void SetUp() override {
    ranges = &add("", "limitranges");
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<LimitRanger>(*ranges));
    chain = std::make_unique<Chain>(std::move(plugins));
    pods = &add("", "pods");
    pods->setAdmission(*chain);
    claims = &add("", "persistentvolumeclaims");
    claims->setAdmission(*chain);
    asUser.requester.user = &user;
  }

  Registry* ranges = nullptr;
  Registry* pods = nullptr;
  Registry* claims = nullptr;
  std::unique_ptr<Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
};

TEST_F(LimitRangerTest, NoLimitRangesChangeNothing) {
  json::object body = pod(R"([{"name":"c","image":"x"}])");
  auto created = await(pods->create(ns, body, asUser));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(at(*created, "spec").at("containers").at(0).as_object().count("resources"), 0u);
  EXPECT_EQ(api::findPath(*created, "metadata.annotations"), nullptr);
}

TEST_F(LimitRangerTest, PodsGetDefaultsAndAreHeldToMax) {
  create(*ranges, ns, limitRange(R"([{"type":"Container","max":{"cpu":"1"},
      "default":{"cpu":"500m","memory":"128Mi"},"defaultRequest":{"cpu":"250m","memory":"64Mi"}}])"));
  auto created = await(pods->create(ns, pod(R"([{"name":"c","image":"x"}])"), asUser));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(at(*created, "spec").at("containers").at(0).at("resources"),
            json::parse(R"({"limits":{"cpu":"500m","memory":"128Mi"},
                            "requests":{"cpu":"250m","memory":"64Mi"}})"));
  EXPECT_EQ(created->at("metadata").at("annotations").at("kubernetes.io/limit-ranger"),
            "LimitRanger plugin set: cpu, memory request for container c; "
            "cpu, memory limit for container c");

  json::object big = pod(R"([{"name":"c","image":"x","resources":{"limits":{"cpu":"2"}}}])");
  big["metadata"].as_object()["name"] = "big";
  auto rejected = await(pods->create(ns, big, asUser));
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code(), 403);
  EXPECT_EQ(rejected.error().message,
            "pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
  EXPECT_EQ(count(*pods, ns), 1u);
}

TEST_F(LimitRangerTest, OtherNamespacesAndServerWritesAreNotLimited) {
  create(*ranges, ns, limitRange(R"([{"type":"Container","max":{"cpu":"1"}}])"));
  json::object big = pod(R"([{"name":"c","image":"x","resources":{"limits":{"cpu":"2"}}}])");
  const std::string other = "other";
  EXPECT_TRUE(await(pods->create(other, big, asUser)).ok());
  EXPECT_TRUE(await(pods->create(ns, big, noOptions)).ok());
}

TEST_F(LimitRangerTest, PodUpdatesAreNotChecked) {
  json::object body = pod(R"([{"name":"c","image":"x","resources":{"limits":{"cpu":"2"}}}])");
  create(*pods, ns, body);
  create(*ranges, ns, limitRange(R"([{"type":"Container","max":{"cpu":"1"}}])"));
  json::object labelled = parse(R"({"metadata":{"labels":{"a":"b"}}})");
  auto patched = await(pods->patch(ns, "p", PatchType::Merge, json::serialize(labelled),
                                    Subresource::None, asUser));
  EXPECT_TRUE(patched.ok()) << patched.error().message;
}

TEST_F(LimitRangerTest, ClaimsAreCheckedOnCreateAndUpdate) {
  create(*ranges, ns, limitRange(R"([{"type":"PersistentVolumeClaim","max":{"storage":"1Gi"}}])"));
  json::object claim = parse(R"({"apiVersion":"v1","kind":"PersistentVolumeClaim",
      "metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
      "resources":{"requests":{"storage":"2Gi"}}}})");
  auto rejected = await(claims->create(ns, claim, asUser));
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().message,
            "persistentvolumeclaims \"data\" is forbidden: maximum storage usage per "
            "PersistentVolumeClaim is 1Gi, but request is 2Gi");
  claim["spec"].as_object()["resources"].as_object()["requests"].as_object()["storage"] = "1Gi";
  ASSERT_TRUE(await(claims->create(ns, claim, asUser)).ok());
  std::string grow = R"({"spec":{"resources":{"requests":{"storage":"3Gi"}}}})";
  auto grown = await(claims->patch(ns, "data", PatchType::Merge, grow, Subresource::None, asUser));
  ASSERT_FALSE(grown.ok());
  EXPECT_EQ(grown.error().message,
            "persistentvolumeclaims \"data\" is forbidden: maximum storage usage per "
            "PersistentVolumeClaim is 1Gi, but request is 3Gi");
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
