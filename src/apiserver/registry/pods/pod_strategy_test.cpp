// PodStrategy: QoS class and status on create, graceful deletion periods, and
// graceful deletion through a Registry over the in-memory store.
#include "apiserver/registry/pods/pod_strategy.h"
#include "util/run_to_completion.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <optional>

#include "api/meta/object.h"
#include "api/schema/resource_type.h"
#include "apiserver/registry/registry.h"
#include "storage/memory/memory_store.h"

namespace kcpp::apiserver {
namespace {

namespace asio = boost::asio;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

// A pod whose containers have the given `resources` objects (JSON, "" for none).
json::object podWith(std::initializer_list<std::string_view> resources,
                     std::initializer_list<std::string_view> initResources = {}) {
  auto containers = [](std::initializer_list<std::string_view> list) {
    json::array out;
    int i = 0;
    for (std::string_view r : list) {
      json::object c;
      c["name"] = "c" + std::to_string(i++);
      c["image"] = "busybox";
      if (!r.empty()) c["resources"] = json::parse(r);
      out.push_back(std::move(c));
    }
    return out;
  };
  json::object pod = parse(R"({"metadata":{"name":"p"},"spec":{}})");
  json::object& spec = pod["spec"].as_object();
  spec["containers"] = containers(resources);
  if (initResources.size() > 0) spec["initContainers"] = containers(initResources);
  return pod;
}

// --- qosClass ------------------------------------------------------------------

TEST(PodQos, NoRequestsOrLimitsIsBestEffort) {
  EXPECT_EQ(qosClass(podWith({"", ""})), "BestEffort");
  EXPECT_EQ(qosClass(podWith({R"({})"})), "BestEffort");
  // Only cpu and memory count for QoS.
  EXPECT_EQ(qosClass(podWith({R"({"requests":{"ephemeral-storage":"1Gi"}})"})), "BestEffort");
}

TEST(PodQos, RequestsBelowLimitsAreBurstable) {
  EXPECT_EQ(qosClass(podWith({R"({"requests":{"cpu":"100m"}})"})), "Burstable");
  EXPECT_EQ(qosClass(podWith({R"({"requests":{"cpu":"100m","memory":"64Mi"},
                                   "limits":{"cpu":"200m","memory":"64Mi"}})"})),
            "Burstable");
  // A limit on only one of cpu and memory is not enough for Guaranteed.
  EXPECT_EQ(qosClass(podWith({R"({"limits":{"cpu":"1"}})"})), "Burstable");
}

TEST(PodQos, EqualRequestsAndLimitsAreGuaranteed) {
  EXPECT_EQ(qosClass(podWith({R"({"requests":{"cpu":"1","memory":"1Gi"},
                                   "limits":{"cpu":"1","memory":"1Gi"}})"})),
            "Guaranteed");
  // Requests default to limits.
  EXPECT_EQ(qosClass(podWith({R"({"limits":{"cpu":"500m","memory":"128Mi"}})"})), "Guaranteed");
}

TEST(PodQos, EveryContainerCounts) {
  const std::string_view guaranteed = R"({"limits":{"cpu":"1","memory":"1Gi"}})";
  EXPECT_EQ(qosClass(podWith({guaranteed, guaranteed})), "Guaranteed");
  EXPECT_EQ(qosClass(podWith({guaranteed, ""})), "Burstable");
  // Init containers too.
  EXPECT_EQ(qosClass(podWith({guaranteed}, {guaranteed})), "Guaranteed");
  EXPECT_EQ(qosClass(podWith({guaranteed}, {""})), "Burstable");
  EXPECT_EQ(qosClass(podWith({""}, {R"({"requests":{"memory":"1Mi"}})"})), "Burstable");
}

TEST(PodStrategy, CreateSetsPendingStatusWithQosClass) {
  PodStrategy strategy;
  json::object pod = podWith({R"({"limits":{"cpu":"1","memory":"1Gi"}})"});
  pod["status"] = parse(R"({"phase":"Running","podIP":"10.0.0.9"})");
  strategy.prepareForCreate(pod);
  EXPECT_EQ(pod["status"], parse(R"({"phase":"Pending","qosClass":"Guaranteed"})"));
}

// The deprecated spec.serviceAccount reads back as serviceAccountName, and an
// update cannot change it.
TEST(PodStrategy, DeprecatedServiceAccountMirrorsTheName) {
  PodStrategy strategy;
  json::object pod = podWith({""});
  pod["spec"].as_object()["serviceAccountName"] = "robot";
  strategy.prepareForCreate(pod);
  EXPECT_EQ(pod["spec"].at("serviceAccount"), "robot");
  json::object next = pod;
  next["spec"].as_object()["serviceAccount"] = "other";
  strategy.prepareForUpdate(next, pod);
  EXPECT_EQ(next["spec"].at("serviceAccount"), "robot");
  json::object none = podWith({""});
  strategy.prepareForCreate(none);
  EXPECT_FALSE(none["spec"].as_object().contains("serviceAccount"));
  json::object added = none;
  added["spec"].as_object()["serviceAccount"] = "x";
  strategy.prepareForUpdate(added, none);
  EXPECT_FALSE(added["spec"].as_object().contains("serviceAccount"));
}

// --- gracePeriod -----------------------------------------------------------------

json::object scheduledPod() {
  json::object pod = podWith({""});
  pod["spec"].as_object()["nodeName"] = "node-1";
  return pod;
}

TEST(PodStrategy, UnscheduledPodsGoAtOnce) {
  PodStrategy strategy;
  DeleteOptions options;
  options.gracePeriodSeconds = 60;
  EXPECT_EQ(strategy.gracePeriod(podWith({""}), options), 0);
  json::object emptyNode = podWith({""});
  emptyNode["spec"].as_object()["nodeName"] = "";
  EXPECT_EQ(strategy.gracePeriod(emptyNode, DeleteOptions()), 0);
}

TEST(PodStrategy, FinishedPodsGoAtOnce) {
  PodStrategy strategy;
  for (const char* phase : {"Succeeded", "Failed"}) {
    json::object pod = scheduledPod();
    pod["status"] = json::object{{"phase", phase}};
    EXPECT_EQ(strategy.gracePeriod(pod, DeleteOptions()), 0) << phase;
  }
  json::object running = scheduledPod();
  running["status"] = json::object{{"phase", "Running"}};
  EXPECT_EQ(strategy.gracePeriod(running, DeleteOptions()), 30);
}

TEST(PodStrategy, GracePeriodFromOptionsThenSpecThenDefault) {
  PodStrategy strategy;
  json::object pod = scheduledPod();
  EXPECT_EQ(strategy.gracePeriod(pod, DeleteOptions()), 30);
  pod["spec"].as_object()["terminationGracePeriodSeconds"] = 10;
  EXPECT_EQ(strategy.gracePeriod(pod, DeleteOptions()), 10);
  DeleteOptions options;
  options.gracePeriodSeconds = 5;
  EXPECT_EQ(strategy.gracePeriod(pod, options), 5);
  options.gracePeriodSeconds = 0;
  EXPECT_EQ(strategy.gracePeriod(pod, options), 0);
}

TEST(PodStrategy, NegativeGracePeriodMeansOneSecond) {
  PodStrategy strategy;
  json::object pod = scheduledPod();
  DeleteOptions options;
  options.gracePeriodSeconds = -5;
  EXPECT_EQ(strategy.gracePeriod(pod, options), 1);
  pod["spec"].as_object()["terminationGracePeriodSeconds"] = -3;
  EXPECT_EQ(strategy.gracePeriod(pod, DeleteOptions()), 1);
}

// --- through a Registry ------------------------------------------------------------

class PodRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (api::ResourceType& type : api::builtinResources()) {
      if (type.group.empty() && type.resource == "pods") {
        pods = std::make_unique<Registry>(std::move(type), *store,
                                          std::make_unique<PodStrategy>());
      }
    }
    ASSERT_TRUE(pods);
    ASSERT_TRUE(await(pods->start()).ok());
  }

  template <class T>
  T await(asio::awaitable<T> work) {
    return runToCompletion(io, std::move(work));
  }

  Result<DeleteResult> remove(std::optional<std::int64_t> grace) {
    DeleteOptions options;
    options.gracePeriodSeconds = grace;
    return await(pods->remove(ns, name, options));
  }

  json::object stored() {
    auto found = await(pods->get(ns, name));
    EXPECT_TRUE(found.ok());
    return found ? api::parseJson(*found->json)->as_object() : json::object();
  }

  static std::int64_t secondsUntil(const json::object& pod) {
    const json::value* ts = api::findPath(pod, "metadata.deletionTimestamp");
    if (!ts || !ts->is_string()) return -1000;
    auto when = api::parseTime(ts->get_string());
    if (!when) return -1000;
    return std::chrono::duration_cast<std::chrono::seconds>(*when -
                                                            std::chrono::system_clock::now())
        .count();
  }

  asio::io_context io;
  std::unique_ptr<storage::MemoryStore> store = storage::makeMemoryStore();
  RegistryPtr pods;
  WriteOptions noOptions;
  const std::string ns = "default";
  const std::string name = "p";
};

TEST_F(PodRegistryTest, CreateSetsStatus) {
  auto created = await(pods->create(ns, podWith({R"({"requests":{"cpu":"1"}})"}), noOptions));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ((*created)["status"], parse(R"({"phase":"Pending","qosClass":"Burstable"})"));
}

TEST_F(PodRegistryTest, UnscheduledPodIsDeletedAtOnce) {
  ASSERT_TRUE(await(pods->create(ns, podWith({""}), noOptions)).ok());
  auto deleted = remove(std::nullopt);
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_TRUE(deleted->deleted);
  EXPECT_FALSE(await(pods->get(ns, name)).ok());
}

TEST_F(PodRegistryTest, ScheduledPodIsDeletedGracefully) {
  ASSERT_TRUE(await(pods->create(ns, scheduledPod(), noOptions)).ok());
  auto deleted = remove(std::nullopt);
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_FALSE(deleted->deleted);
  json::object pod = stored();
  EXPECT_EQ(*api::findPath(pod, "metadata.deletionGracePeriodSeconds"), 30);
  EXPECT_NEAR(secondsUntil(pod), 30, 2);

  // The kubelet's final delete with grace 0 removes it.
  auto now = remove(0);
  ASSERT_TRUE(now.ok()) << now.error().message;
  EXPECT_TRUE(now->deleted);
  EXPECT_FALSE(await(pods->get(ns, name)).ok());
}

TEST_F(PodRegistryTest, LaterDeleteMayOnlyShortenTheGracePeriod) {
  ASSERT_TRUE(await(pods->create(ns, scheduledPod(), noOptions)).ok());
  ASSERT_TRUE(remove(20).ok());
  json::object first = stored();
  EXPECT_EQ(*api::findPath(first, "metadata.deletionGracePeriodSeconds"), 20);
  EXPECT_NEAR(secondsUntil(first), 20, 2);

  // Longer, or the default (30): nothing changes.
  auto revision = store->currentRevisionNow();
  for (std::optional<std::int64_t> grace : {std::optional<std::int64_t>(60),
                                            std::optional<std::int64_t>()}) {
    auto again = remove(grace);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_FALSE(again->deleted);
    EXPECT_EQ(*api::findPath(again->object, "metadata.deletionGracePeriodSeconds"), 20);
  }
  EXPECT_EQ(store->currentRevisionNow(), revision);
  EXPECT_EQ(stored(), first);

  // Shorter: the deadline moves earlier by the difference.
  auto shorter = remove(5);
  ASSERT_TRUE(shorter.ok()) << shorter.error().message;
  EXPECT_FALSE(shorter->deleted);
  json::object second = stored();
  EXPECT_EQ(*api::findPath(second, "metadata.deletionGracePeriodSeconds"), 5);
  auto firstAt = api::parseTime(api::getString(first["metadata"].as_object(), "deletionTimestamp"));
  auto secondAt =
      api::parseTime(api::getString(second["metadata"].as_object(), "deletionTimestamp"));
  ASSERT_TRUE(firstAt && secondAt);
  EXPECT_EQ(*firstAt - *secondAt, std::chrono::seconds(15));
}

// --- pods/binding ----------------------------------------------------------------

json::object bindingTo(const std::string& pod, const std::string& node) {
  json::object b = parse(R"({"apiVersion":"v1","kind":"Binding","target":{"kind":"Node"}})");
  b["metadata"] = json::object{{"name", pod}, {"annotations", json::object{{"a", "b"}}}};
  b["target"].as_object()["name"] = node;
  return b;
}

TEST_F(PodRegistryTest, BindingSetsNodeNameAndPodScheduled) {
  ASSERT_TRUE(await(pods->create(ns, podWith({""}), noOptions)).ok());
  auto bound = await(pods->update(ns, name, bindingTo(name, "n1"), Subresource::Binding, noOptions));
  ASSERT_TRUE(bound.ok()) << bound.error().message;
  json::object pod = stored();
  EXPECT_EQ(*api::findPath(pod, "spec.nodeName"), "n1");
  EXPECT_EQ(*api::findPath(pod, "metadata.annotations.a"), "b");
  const json::array& conditions = api::findPath(pod, "status.conditions")->as_array();
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].at("type"), "PodScheduled");
  EXPECT_EQ(conditions[0].at("status"), "True");
}

TEST_F(PodRegistryTest, BindingAnAssignedPodConflicts) {
  ASSERT_TRUE(await(pods->create(ns, podWith({""}), noOptions)).ok());
  ASSERT_TRUE(await(pods->update(ns, name, bindingTo(name, "n1"), Subresource::Binding, noOptions)).ok());
  auto again = await(pods->update(ns, name, bindingTo(name, "n2"), Subresource::Binding, noOptions));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().reason, Reason::Conflict);
  EXPECT_EQ(again.error().message,
            "Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"n1\"");
  EXPECT_EQ(*api::findPath(stored(), "spec.nodeName"), "n1");
}

TEST_F(PodRegistryTest, BindingNeedsATargetName) {
  ASSERT_TRUE(await(pods->create(ns, podWith({""}), noOptions)).ok());
  auto bad = await(pods->update(ns, name, bindingTo(name, ""), Subresource::Binding, noOptions));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().reason, Reason::Invalid);
  EXPECT_EQ(bad.error().message, "Binding \"p\" is invalid: target.name: Required value");
  auto wrongName = await(pods->update(ns, name, bindingTo("q", "n1"), Subresource::Binding, noOptions));
  ASSERT_FALSE(wrongName.ok());
  EXPECT_EQ(wrongName.error().reason, Reason::BadRequest);
}

}  // namespace
}  // namespace kcpp::apiserver
