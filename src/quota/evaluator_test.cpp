#include "quota/evaluator.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"

namespace kcpp::quota {
namespace {

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

const Clock::time_point kNow = Clock::now();

ResourceList list(std::string_view text) {
  json::value v = json::parse(text);
  return parseResourceList(&v);
}

std::string usageOf(const Evaluator& e, std::string_view obj) {
  return prettyPrint(e.usage(parse(obj), kNow));
}

TEST(ResourceList, ArithmeticAsUpstreamHelpers) {
  ResourceList a = list(R"({"cpu":"500m","memory":"1Gi"})");
  ResourceList b = list(R"({"cpu":"1","pods":"2"})");
  EXPECT_EQ(prettyPrint(add(a, b)), "cpu=1500m,memory=1Gi,pods=2");
  EXPECT_EQ(prettyPrint(subtractWithNonNegativeResult(a, b)), "cpu=0,memory=1Gi,pods=0");
  EXPECT_EQ(prettyPrint(mask(add(a, b), {"pods", "cpu"})), "cpu=1500m,pods=2");
  EXPECT_EQ(prettyPrint(removeZeros(list(R"({"a":"0","b":"1"})"))), "b=1");
  EXPECT_TRUE(equals(list(R"({"cpu":"1"})"), list(R"({"cpu":"1000m"})")));
  EXPECT_FALSE(equals(list(R"({"cpu":"1"})"), list(R"({"cpu":"1","pods":"0"})")));
  EXPECT_EQ(prettyPrintNames(exceeded(list(R"({"pods":"3","cpu":"1"})"),
                                      list(R"({"pods":"2","cpu":"2","memory":"1"})"))),
            "pods");
  EXPECT_EQ(prettyPrintNames(negatives(list(R"({"a":"-1","b":"1"})"))), "a");
  EXPECT_EQ(json::serialize(toJson(list(R"({"memory":"1024Mi","cpu":0.5})"))),
            R"({"cpu":"500m","memory":"1Gi"})");
}

TEST(ResourceList, SkipsValuesThatAreNotQuantities) {
  EXPECT_EQ(prettyPrint(list(R"({"cpu":"lots","pods":"1"})")), "pods=1");
  json::value notAnObject = json::parse("[1]");
  EXPECT_TRUE(parseResourceList(&notAnObject).empty());
  EXPECT_TRUE(parseResourceList(nullptr).empty());
}

TEST(ObjectCount, NamesAndAliases) {
  EXPECT_EQ(objectCountName("apps", "deployments"), "count/deployments.apps");
  EXPECT_EQ(objectCountName("", "pods"), "count/pods");
  EvaluatorRegistry registry;
  const Evaluator& cms = registry.get("", "configmaps");
  EXPECT_EQ(usageOf(cms, "{}"), "configmaps=1,count/configmaps=1");
  EXPECT_EQ(prettyPrintNames(cms.matchingResources({"configmaps", "pods", "count/configmaps"})),
            "configmaps,count/configmaps");
  const Evaluator& deployments = registry.get("apps", "deployments");
  EXPECT_EQ(usageOf(deployments, "{}"), "count/deployments.apps=1");
  EXPECT_EQ(&deployments, &registry.get("apps", "deployments"));
  EXPECT_TRUE(deployments.handles(Operation::Create));
  EXPECT_FALSE(deployments.handles(Operation::Update));
  EXPECT_TRUE(EvaluatorRegistry::ignored("", "events"));
  EXPECT_FALSE(EvaluatorRegistry::ignored("", "pods"));
}

class Pods : public ::testing::Test {
 protected:
  EvaluatorRegistry registry;
  const Evaluator& pods = registry.get("", "pods");
};

TEST_F(Pods, MinimalPodCountsOnlyAsAPod) {
  EXPECT_EQ(usageOf(pods, R"({"spec":{"containers":[{"name":"c","image":"busybox"}]}})"),
            "count/pods=1,pods=1");
}

TEST_F(Pods, SumsContainersRequestsAndLimits) {
  EXPECT_EQ(usageOf(pods, R"({"spec":{"containers":[
      {"name":"a","resources":{"requests":{"cpu":"100m","memory":"1Gi"},"limits":{"cpu":"1"}}},
      {"name":"b","resources":{"requests":{"cpu":"400m","memory":"512Mi","ephemeral-storage":"1G"}}}]}})"),
            "count/pods=1,cpu=500m,ephemeral-storage=1G,limits.cpu=1,memory=1536Mi,pods=1,"
            "requests.cpu=500m,requests.ephemeral-storage=1G,requests.memory=1536Mi");
}

TEST_F(Pods, InitContainersPeakAndSidecarsAdd) {
  // Init "big" (2 cpu) runs alone: peak 2 > containers' 1. Sidecar adds 100m to
  // the running total, and to every init container after it.
  EXPECT_EQ(usageOf(pods, R"({"spec":{
      "containers":[{"name":"c","resources":{"requests":{"cpu":"1"}}}],
      "initContainers":[{"name":"big","resources":{"requests":{"cpu":"2"}}}]}})"),
            "count/pods=1,cpu=2,pods=1,requests.cpu=2");
  EXPECT_EQ(usageOf(pods, R"({"spec":{
      "containers":[{"name":"c","resources":{"requests":{"cpu":"1"}}}],
      "initContainers":[{"name":"side","restartPolicy":"Always","resources":{"requests":{"cpu":"100m"}}},
                        {"name":"init","resources":{"requests":{"cpu":"500m"}}}]}})"),
            "count/pods=1,cpu=1100m,pods=1,requests.cpu=1100m");
}

TEST_F(Pods, OverheadAddsToRequestsAndToSetLimits) {
  EXPECT_EQ(usageOf(pods, R"({"spec":{"overhead":{"cpu":"250m","memory":"64Mi"},
      "containers":[{"name":"c","resources":{"requests":{"cpu":"1"},"limits":{"cpu":"2"}}}]}})"),
            "count/pods=1,cpu=1250m,limits.cpu=2250m,memory=64Mi,pods=1,requests.cpu=1250m,"
            "requests.memory=64Mi");
}

TEST_F(Pods, HugePagesAndExtendedResources) {
  EXPECT_EQ(usageOf(pods, R"({"spec":{"containers":[{"name":"c","resources":{
      "requests":{"hugepages-2Mi":"4Mi","example.com/gpu":"1"},
      "limits":{"hugepages-2Mi":"4Mi","example.com/gpu":"1"}}}]}})"),
            "count/pods=1,hugepages-2Mi=4Mi,pods=1,requests.example.com/gpu=1,"
            "requests.hugepages-2Mi=4Mi");
  EXPECT_EQ(prettyPrintNames(pods.matchingResources(
                {"requests.example.com/gpu", "hugepages-2Mi", "services", "example.com/gpu",
                 "requests.nvidia.com/gpu", "cpu"})),
            "cpu,hugepages-2Mi,requests.example.com/gpu,requests.nvidia.com/gpu");
}

TEST_F(Pods, FinishedOrExpiredPodsCountOnlyAsObjects) {
  const char* spec = R"("spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"1"}}}]})";
  EXPECT_EQ(usageOf(pods, std::string("{") + spec + R"(,"status":{"phase":"Succeeded"}})"),
            "count/pods=1");
  EXPECT_EQ(usageOf(pods, std::string("{") + spec + R"(,"status":{"phase":"Failed"}})"),
            "count/pods=1");
  std::string past = api::formatTime(kNow - std::chrono::seconds(60));
  std::string future = api::formatTime(kNow + std::chrono::seconds(60));
  EXPECT_EQ(usageOf(pods, std::string("{") + spec + R"(,"metadata":{"deletionTimestamp":")" + past +
                              R"(","deletionGracePeriodSeconds":30}})"),
            "count/pods=1");
  EXPECT_EQ(usageOf(pods, std::string("{") + spec + R"(,"metadata":{"deletionTimestamp":")" +
                              future + R"(","deletionGracePeriodSeconds":30}})"),
            "count/pods=1,cpu=1,pods=1,requests.cpu=1");
}

TEST_F(Pods, ConstraintsNameMissingResourcesAndContainers) {
  json::object pod = parse(R"({"spec":{
      "containers":[{"name":"b","resources":{"requests":{"cpu":"1"}}},{"name":"a"}],
      "initContainers":[{"name":"i"}]}})");
  EXPECT_EQ(pods.constraints({"requests.cpu", "requests.memory", "pods"}, pod),
            "must specify requests.cpu for: a,i; requests.memory for: a,b,i");
  EXPECT_EQ(pods.constraints({"pods", "requests.storage", "count/pods"}, pod), "");
  EXPECT_EQ(pods.constraints({"limits.cpu"}, pod), "must specify limits.cpu for: a,b,i");
  json::object full = parse(R"({"spec":{"containers":[
      {"name":"a","resources":{"requests":{"cpu":"1","memory":"1Gi"}}}]}})");
  EXPECT_EQ(pods.constraints({"cpu", "memory", "requests.cpu", "requests.memory"}, full), "");
}

TEST_F(Pods, Scopes) {
  json::object bestEffort = parse(R"({"spec":{"containers":[{"name":"c"}]}})");
  json::object burstable = parse(R"({"spec":{"activeDeadlineSeconds":10,"priorityClassName":"high",
      "containers":[{"name":"c","resources":{"requests":{"memory":"1Gi"}}}]}})");
  auto scope = [](std::string name, std::string op = "Exists", std::vector<std::string> values = {}) {
    return ScopeSelector{std::move(name), std::move(op), std::move(values)};
  };
  EXPECT_TRUE(pods.matchesScope(scope("BestEffort"), bestEffort));
  EXPECT_FALSE(pods.matchesScope(scope("NotBestEffort"), bestEffort));
  EXPECT_TRUE(pods.matchesScope(scope("NotBestEffort"), burstable));
  EXPECT_TRUE(pods.matchesScope(scope("Terminating"), burstable));
  EXPECT_TRUE(pods.matchesScope(scope("NotTerminating"), bestEffort));
  EXPECT_TRUE(pods.matchesScope(scope("PriorityClass"), burstable));
  EXPECT_FALSE(pods.matchesScope(scope("PriorityClass"), bestEffort));
  EXPECT_TRUE(pods.matchesScope(scope("PriorityClass", "In", {"high", "low"}), burstable));
  EXPECT_FALSE(pods.matchesScope(scope("PriorityClass", "NotIn", {"high"}), burstable));
  EXPECT_TRUE(pods.matchesScope(scope("PriorityClass", "NotIn", {"high"}), bestEffort));
  EXPECT_TRUE(pods.matchesScope(scope("PriorityClass", "DoesNotExist"), bestEffort));
  EXPECT_FALSE(pods.matchesScope(scope("CrossNamespacePodAffinity"), bestEffort));
  json::object crossNs = parse(R"({"spec":{"containers":[{"name":"c"}],"affinity":{"podAffinity":{
      "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,
        "podAffinityTerm":{"topologyKey":"k","namespaceSelector":{}}}]}}}})");
  EXPECT_TRUE(pods.matchesScope(scope("CrossNamespacePodAffinity"), crossNs));
  // The QoS class recorded on create wins.
  json::object recorded = parse(R"({"spec":{"containers":[{"name":"c"}]},"status":{"qosClass":"Burstable"}})");
  EXPECT_FALSE(pods.matchesScope(scope("BestEffort"), recorded));
}

TEST_F(Pods, QuotaMatchesOnStatusHardAndScopes) {
  json::object pod = parse(R"({"spec":{"containers":[{"name":"c"}]}})");
  ResourceQuota quota = parseResourceQuota(parse(R"({"metadata":{"name":"q"},
      "spec":{"hard":{"pods":"2"}}})"));
  EXPECT_FALSE(pods.matches(quota, pod)) << "no status.hard yet: nothing is enforced";
  quota = parseResourceQuota(parse(R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"2"}},
      "status":{"hard":{"pods":"2"},"used":{"pods":"0"}}})"));
  EXPECT_TRUE(pods.matches(quota, pod));
  quota.scopes = {"NotBestEffort"};
  EXPECT_FALSE(pods.matches(quota, pod));
  quota.scopes = {"BestEffort"};
  EXPECT_TRUE(pods.matches(quota, pod));
  quota.hard = list(R"({"services":"1"})");
  EXPECT_FALSE(pods.matches(quota, pod));
}

TEST_F(Pods, UsageStatsSumsMatchingPodsWithZeroDefaults) {
  std::vector<json::object> items = {
      parse(R"({"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"250m"}}}]}})"),
      parse(R"({"spec":{"containers":[{"name":"c"}]}})"),
      parse(R"({"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"1"}}}]},
                "status":{"phase":"Succeeded"}})")};
  EXPECT_EQ(prettyPrint(usageStats(pods, items, {}, {"pods", "requests.cpu", "limits.memory"}, kNow)),
            "count/pods=3,cpu=250m,limits.memory=0,pods=2,requests.cpu=250m");
  std::vector<ScopeSelector> bestEffort = {{"BestEffort", "Exists", {}}};
  EXPECT_EQ(prettyPrint(usageStats(pods, items, bestEffort, {"pods"}, kNow)),
            "count/pods=1,pods=1");
}

TEST(Services, NodePortsAndLoadBalancers) {
  EvaluatorRegistry registry;
  const Evaluator& services = registry.get("", "services");
  EXPECT_TRUE(services.handles(Operation::Update));
  EXPECT_EQ(usageOf(services, R"({"spec":{"ports":[{"port":80}]}})"),
            "count/services=1,services=1,services.loadbalancers=0,services.nodeports=0");
  EXPECT_EQ(usageOf(services, R"({"spec":{"type":"NodePort","ports":[{"port":80},{"port":81}]}})"),
            "count/services=1,services=1,services.loadbalancers=0,services.nodeports=2");
  EXPECT_EQ(usageOf(services, R"({"spec":{"type":"LoadBalancer","ports":[{"port":80}]}})"),
            "count/services=1,services=1,services.loadbalancers=1,services.nodeports=1");
  EXPECT_EQ(usageOf(services, R"({"spec":{"type":"LoadBalancer","allocateLoadBalancerNodePorts":false,
      "ports":[{"port":80},{"port":81,"nodePort":30001}]}})"),
            "count/services=1,services=1,services.loadbalancers=1,services.nodeports=1");
  EXPECT_FALSE(services.matchesScope({"BestEffort", "Exists", {}}, parse("{}")));
}

TEST(PersistentVolumeClaims, StorageAndStorageClasses) {
  EvaluatorRegistry registry;
  const Evaluator& pvcs = registry.get("", "persistentvolumeclaims");
  EXPECT_EQ(usageOf(pvcs, R"({"spec":{"storageClassName":"gold",
      "resources":{"requests":{"storage":"1.5"}}}})"),
            "count/persistentvolumeclaims=1,gold.storageclass.storage.k8s.io/persistentvolumeclaims=1,"
            "gold.storageclass.storage.k8s.io/requests.storage=2,persistentvolumeclaims=1,"
            "requests.storage=2");
  EXPECT_EQ(usageOf(pvcs, R"({"spec":{"resources":{"requests":{"storage":"1Gi"}}},
      "status":{"allocatedResources":{"storage":"2Gi"}}})"),
            "count/persistentvolumeclaims=1,persistentvolumeclaims=1,requests.storage=2Gi");
  EXPECT_EQ(prettyPrintNames(pvcs.matchingResources(
                {"requests.storage", "bronze.storageclass.storage.k8s.io/requests.storage", "pods"})),
            "bronze.storageclass.storage.k8s.io/requests.storage,requests.storage");
}

}  // namespace
}  // namespace kcpp::quota
