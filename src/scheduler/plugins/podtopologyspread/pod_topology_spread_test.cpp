#include "scheduler/plugins/podtopologyspread/pod_topology_spread.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

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

}  // namespace
}  // namespace kcpp::scheduler::plugins
