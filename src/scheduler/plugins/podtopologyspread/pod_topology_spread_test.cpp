#include "scheduler/plugins/podtopologyspread/pod_topology_spread.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"

#include "scheduler/framework/test_objects.h"

#include <boost/json.hpp>

namespace kcpp::scheduler::plugins {
namespace {

NodeInfo zoned(const std::string& name, const std::string& zone) {
  return testing::node(name, "4", "8Gi", R"({"metadata":{"labels":{"zone":")" + zone + R"("}}})");
}

PodInfoPtr web(const std::string& name, const std::string& when = "DoNotSchedule", int maxSkew = 1) {
  return testing::pod(R"({"metadata":{"name":")" + name + R"(","namespace":"d","labels":{"app":"web"}},"spec":{
      "topologySpreadConstraints":[{"maxSkew":)" + std::to_string(maxSkew) + R"(,"topologyKey":"zone",
        "whenUnsatisfiable":")" + when + R"(","labelSelector":{"matchLabels":{"app":"web"}}}]}})");
}

TEST(PodTopologySpread, HardConstraintKeepsSkewWithinMaxSkew) {
  NodeInfo a = zoned("a", "z1"), b = zoned("b", "z2"), bare = testing::node("c");
  a.addPod(web("w1"));
  Snapshot snapshot;
  snapshot.nodes = {&a, &b, &bare};
  PodTopologySpread plugin;
  CycleState state;
  auto pod = web("new");
  ASSERT_TRUE(plugin.preFilter(state, *pod, snapshot).ok());
  Status onA = plugin.filter(state, *pod, a);
  EXPECT_EQ(onA.code, Code::Unschedulable);
  EXPECT_EQ(onA.message(), "node(s) didn't match pod topology spread constraints");
  EXPECT_TRUE(plugin.filter(state, *pod, b).ok());
  Status onBare = plugin.filter(state, *pod, bare);
  EXPECT_EQ(onBare.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(onBare.message(), "node(s) didn't match pod topology spread constraints (missing required label)");
  // Preemption's what-if: with w1 gone, a is fine again.
  plugin.removePod(state, *pod, *a.pods[0], a);
  EXPECT_TRUE(plugin.filter(state, *pod, a).ok());
}

TEST(PodTopologySpread, SoftConstraintPrefersEmptierDomains) {
  NodeInfo a = zoned("a", "z1"), b = zoned("b", "z2");
  a.addPod(web("w1"));
  a.addPod(web("w2"));
  Snapshot snapshot;
  snapshot.nodes = {&a, &b};
  PodTopologySpread plugin;
  CycleState state;
  auto pod = web("new", "ScheduleAnyway");
  EXPECT_TRUE(plugin.preFilter(state, *pod, snapshot).isSkip());
  ASSERT_TRUE(plugin.preScore(state, *pod, snapshot.nodes, snapshot).ok());
  std::vector<std::int64_t> scores{plugin.score(state, *pod, a), plugin.score(state, *pod, b)};
  plugin.normalize(state, *pod, scores);
  EXPECT_EQ(scores, (std::vector<std::int64_t>{0, 100}));
}

// A handle that only answers lookups and lists, from fixed objects.
class ObjectsHandle : public Handle {
 public:
  const Snapshot& snapshot() const override { return snapshot_; }
  Framework& framework() override { std::abort(); }
  boost::asio::awaitable<Status> bindPod(const PodInfo&, const std::string&) override { co_return Status::success(); }
  boost::asio::awaitable<Status> deletePod(const PodInfo&, const PodInfo&, const std::string&) override {
    co_return Status::success();
  }
  boost::asio::awaitable<Status> setNominatedNode(const PodInfo&, const std::string&) override {
    co_return Status::success();
  }
  std::vector<PodInfoPtr> nominatedPods(const std::string&) const override { return {}; }
  ObjectPtr lookup(const std::string& resource, const std::string& ns, const std::string& name) const override {
    for (const auto& o : objects.count(resource) ? objects.at(resource) : std::vector<ObjectPtr>{}) {
      if ((*o).at("metadata").at("name").as_string() == name &&
          (*o).at("metadata").at("namespace").as_string() == ns) {
        return o;
      }
    }
    return nullptr;
  }
  std::vector<ObjectPtr> list(const std::string& resource, const std::string&) const override {
    return objects.count(resource) ? objects.at(resource) : std::vector<ObjectPtr>{};
  }
  void add(const std::string& resource, std::string_view text) {
    objects[resource].push_back(std::make_shared<const boost::json::object>(boost::json::parse(text).as_object()));
  }
  Snapshot snapshot_;
  std::map<std::string, std::vector<ObjectPtr>> objects;
};

NodeInfo host(const std::string& name) {
  return testing::node(name, "4", "8Gi",
                       R"({"metadata":{"labels":{"kubernetes.io/hostname":")" + name +
                           R"(","topology.kubernetes.io/zone":"z1"}}})");
}

// A pod of ReplicaSet web-1 (selector app=web), without constraints of its own.
PodInfoPtr replica(const std::string& name) {
  return testing::pod(R"({"metadata":{"name":")" + name + R"(","namespace":"d","labels":{"app":"web","tier":"a"},
      "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-1","uid":"u","controller":true}]},
      "spec":{"containers":[{"name":"c","image":"i"}]}})");
}

TEST(PodTopologySpread, SystemDefaultsSpreadAReplicaSetsPodsByScoreOnly) {
  ObjectsHandle handle;
  handle.add("replicasets", R"({"metadata":{"name":"web-1","namespace":"d"},
      "spec":{"selector":{"matchLabels":{"app":"web"}}}})");
  auto made = PodTopologySpread::create({}, handle);
  ASSERT_TRUE(made.ok()) << made.error().message;
  auto& plugin = dynamic_cast<PodTopologySpread&>(**made);
  NodeInfo a = host("a"), b = host("b");
  a.addPod(replica("r1"));
  a.addPod(replica("r2"));
  Snapshot snapshot;
  snapshot.nodes = {&a, &b};
  CycleState state;
  auto pod = replica("new");
  auto constraints = plugin.constraintsOf(*pod);
  ASSERT_EQ(constraints.size(), 2u);
  EXPECT_EQ(constraints[0].topologyKey, "kubernetes.io/hostname");
  EXPECT_EQ(constraints[0].maxSkew, 3);
  EXPECT_FALSE(constraints[0].doNotSchedule);
  EXPECT_EQ(constraints[1].topologyKey, "topology.kubernetes.io/zone");
  EXPECT_EQ(constraints[1].maxSkew, 5);
  EXPECT_EQ(constraints[0].selector.string(), "app=web");
  // Scoring only: the filter never runs for system defaults.
  EXPECT_TRUE(plugin.preFilter(state, *pod, snapshot).isSkip());
  ASSERT_TRUE(plugin.preScore(state, *pod, snapshot.nodes, snapshot).ok());
  std::vector<std::int64_t> scores{plugin.score(state, *pod, a), plugin.score(state, *pod, b)};
  plugin.normalize(state, *pod, scores);
  EXPECT_LT(scores[0], scores[1]);
}

TEST(SpreadCountCache, RecountsANodeOnlyWhenItsPodsChange) {
  SpreadCountCache cache;
  NodeInfo a = host("a");
  a.addPod(replica("r1"));
  auto selector = selectors::LabelSelector::fromSet({{"app", "web"}});
  EXPECT_EQ(cache.count(a, "d", selector, "d/app=web"), 1);
  EXPECT_EQ(cache.count(a, "other", selector, "other/app=web"), 0);  // another namespace
  a.addPod(replica("r2"));
  EXPECT_EQ(cache.count(a, "d", selector, "d/app=web"), 2);
  a.removePod("d/r1");
  EXPECT_EQ(cache.count(a, "d", selector, "d/app=web"), 1);
}

TEST(PodTopologySpread, DefaultSelectorMergesServicesAndTheController) {
  ObjectsHandle handle;
  handle.add("services", R"({"metadata":{"name":"s","namespace":"d"},"spec":{"selector":{"tier":"a"}}})");
  handle.add("services", R"({"metadata":{"name":"other","namespace":"d"},"spec":{"selector":{"tier":"b"}}})");
  handle.add("replicasets", R"({"metadata":{"name":"web-1","namespace":"d"},
      "spec":{"selector":{"matchLabels":{"app":"web"}}}})");
  EXPECT_EQ(defaultSelector(*replica("x"), handle).string(), "app=web,tier=a");
}

TEST(PodTopologySpread, NothingSelectsThePodNoDefaultSpreading) {
  ObjectsHandle handle;
  auto made = PodTopologySpread::create({}, handle);
  ASSERT_TRUE(made.ok());
  auto& plugin = dynamic_cast<PodTopologySpread&>(**made);
  NodeInfo a = host("a");
  Snapshot snapshot;
  snapshot.nodes = {&a};
  CycleState state;
  auto pod = replica("orphan");  // its ReplicaSet is not there
  EXPECT_TRUE(plugin.constraintsOf(*pod).empty());
  EXPECT_TRUE(plugin.preScore(state, *pod, snapshot.nodes, snapshot).isSkip());
}

TEST(PodTopologySpread, ArgsValidatedAsUpstream) {
  ObjectsHandle handle;
  auto system = PodTopologySpread::create(boost::json::parse(R"({"defaultingType":"System",
      "defaultConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}]})").as_object(),
                                          handle);
  ASSERT_FALSE(system.ok());
  EXPECT_NE(system.error().message.find("when .defaultingType is \"System\""), std::string::npos);
  auto selector = PodTopologySpread::create(boost::json::parse(R"({"defaultingType":"List",
      "defaultConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule",
        "labelSelector":{}}]})").as_object(), handle);
  ASSERT_FALSE(selector.ok());
  EXPECT_EQ(selector.error().message,
            "defaultConstraints[0].labelSelector: Forbidden: constraint must not define a selector, as they deduced "
            "for each pod");
  auto bad = PodTopologySpread::create(boost::json::parse(R"({"defaultingType":"Sometimes"})").as_object(), handle);
  ASSERT_FALSE(bad.ok());
  // List defaults that filter: a hard default constraint applies to a pod of the ReplicaSet.
  handle.add("replicasets", R"({"metadata":{"name":"web-1","namespace":"d"},
      "spec":{"selector":{"matchLabels":{"app":"web"}}}})");
  auto list = PodTopologySpread::create(boost::json::parse(R"({"defaultingType":"List",
      "defaultConstraints":[{"maxSkew":1,"topologyKey":"kubernetes.io/hostname",
        "whenUnsatisfiable":"DoNotSchedule"}]})").as_object(), handle);
  ASSERT_TRUE(list.ok()) << list.error().message;
  auto& plugin = dynamic_cast<PodTopologySpread&>(**list);
  NodeInfo a = host("a"), b = host("b");
  a.addPod(replica("r1"));
  Snapshot snapshot;
  snapshot.nodes = {&a, &b};
  CycleState state;
  auto pod = replica("new");
  ASSERT_TRUE(plugin.preFilter(state, *pod, snapshot).ok());
  EXPECT_EQ(plugin.filter(state, *pod, a).code, Code::Unschedulable);
  EXPECT_TRUE(plugin.filter(state, *pod, b).ok());
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
