#include "apiserver/admission/priority/priority.h"

#include "apiserver/registry/pods/pod_strategy.h"
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

class PriorityTest : public RegistryTest {
 protected:
  void SetUp() override {
    classes = &add("scheduling.k8s.io", "priorityclasses");
    pods = &add("", "pods", std::make_unique<PodStrategy>());
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<admission::Priority>(*classes));
    chain = std::make_unique<admission::Chain>(std::move(plugins));
    classes->setAdmission(*chain);
    pods->setAdmission(*chain);
    asUser.requester.user = &user;
    priorityClass("system-cluster-critical", 2000000000, false);
  }

  void priorityClass(const std::string& name, std::int64_t value, bool globalDefault,
                     const std::string& preemption = "PreemptLowerPriority") {
    json::object pc{{"metadata", json::object{{"name", name}}},
                    {"value", value},
                    {"globalDefault", globalDefault},
                    {"preemptionPolicy", preemption}};
    create(*classes, "", pc);
  }

  Result<json::object> createPod(const std::string& name, const std::string& extraSpec = "{}",
                                 const std::string& inNs = "default") {
    json::object pod = parse(R"({"metadata":{},"spec":{"containers":[{"name":"c","image":"x"}]}})");
    pod["metadata"].as_object()["name"] = name;
    for (const auto& [k, v] : parse(extraSpec)) pod["spec"].as_object()[k] = v;
    return await(pods->create(inNs, pod, asUser));
  }

  Registry* classes = nullptr;
  Registry* pods = nullptr;
  std::unique_ptr<admission::Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
};

TEST_F(PriorityTest, ResolvesTheNamedClass) {
  auto pod = createPod("p", R"({"priorityClassName":"system-cluster-critical"})", "kube-system");
  ASSERT_TRUE(pod.ok()) << pod.error().message;
  EXPECT_EQ(at(*pod, "spec.priority").as_int64(), 2000000000);
  EXPECT_EQ(str(*pod, "spec.preemptionPolicy"), "PreemptLowerPriority");
}

TEST_F(PriorityTest, SystemClassesAreUsableInAnyNamespace) {
  EXPECT_TRUE(createPod("p", R"({"priorityClassName":"system-cluster-critical"})").ok());
}

TEST_F(PriorityTest, WithoutAClassOrDefaultPriorityIsZero) {
  auto pod = createPod("p");
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ(at(*pod, "spec.priority").as_int64(), 0);
  EXPECT_EQ(str(*pod, "spec.preemptionPolicy"), "PreemptLowerPriority");
  EXPECT_TRUE(at(*pod, "spec.priorityClassName").is_null());
}

TEST_F(PriorityTest, TheGlobalDefaultAppliesWhenNoneIsNamed) {
  priorityClass("low", 10, true, "Never");
  auto pod = createPod("p");
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ(str(*pod, "spec.priorityClassName"), "low");
  EXPECT_EQ(at(*pod, "spec.priority").as_int64(), 10);
  EXPECT_EQ(str(*pod, "spec.preemptionPolicy"), "Never");
}

TEST_F(PriorityTest, MissingClassIsForbidden) {
  auto pod = createPod("p", R"({"priorityClassName":"nope"})");
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.error().code(), 403);
  EXPECT_EQ(pod.error().message,
            R"(pods "p" is forbidden: no PriorityClass with name nope was found)");
}

TEST_F(PriorityTest, APriorityTheClassDoesNotGiveIsForbidden) {
  auto pod = createPod("p", R"({"priority":5})");
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.error().message,
            R"(pods "p" is forbidden: the integer value of priority (5) must not be provided in )"
            R"(pod spec; priority admission controller computed 0 from the given PriorityClass name)");
  EXPECT_TRUE(createPod("same", R"({"priority":0})").ok());
  auto policy = createPod("q", R"({"priorityClassName":"system-cluster-critical",
                                   "preemptionPolicy":"Never"})");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message,
            R"(pods "q" is forbidden: the string value of PreemptionPolicy (Never) must not be )"
            R"(provided in pod spec; priority admission controller computed PreemptLowerPriority )"
            R"(from the given PriorityClass name)");
}

TEST_F(PriorityTest, OnlyOneGlobalDefault) {
  priorityClass("first", 5, true);
  json::object second{{"metadata", json::object{{"name", "second"}}}, {"value", 6},
                      {"globalDefault", true}};
  auto created = await(classes->create("", second, asUser));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 403);
  EXPECT_EQ(created.error().message,
            R"(priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass first is )"
            R"(already marked as default. Only one default can exist)");
  // The default itself may be updated.
  json::object first = get(*classes, "", "first").value();
  first["description"] = "still default";
  EXPECT_TRUE(await(classes->update("", "first", first, Subresource::None, asUser)).ok());
}

TEST_F(PriorityTest, UpdatesKeepTheAdmittedPriority) {
  ASSERT_TRUE(createPod("p", R"({"priorityClassName":"system-cluster-critical"})").ok());
  json::object pod = get(*pods, ns, "p").value();
  pod["spec"].as_object().erase("priority");
  pod["spec"].as_object().erase("preemptionPolicy");
  auto updated = await(pods->update(ns, "p", pod, Subresource::None, asUser));
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(at(*updated, "spec.priority").as_int64(), 2000000000);
  EXPECT_EQ(str(*updated, "spec.preemptionPolicy"), "PreemptLowerPriority");
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
