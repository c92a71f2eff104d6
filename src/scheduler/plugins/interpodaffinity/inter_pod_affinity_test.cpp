#include "scheduler/plugins/interpodaffinity/inter_pod_affinity.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

NodeInfo zoned(const std::string& name, const std::string& zone) {
  return testing::node(name, "4", "8Gi", R"({"metadata":{"labels":{"zone":")" + zone + R"("}}})");
}

PodInfoPtr labelled(const std::string& name, const std::string& app, const std::string& affinity = "") {
  return testing::pod(R"({"metadata":{"name":")" + name + R"(","namespace":"d","labels":{"app":")" + app +
                      R"("}},"spec":{)" + (affinity.empty() ? "" : R"("affinity":)" + affinity) + "}}");
}

const char* kNearDb = R"({"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
    {"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"zone"}]}})";
const char* kAwayFromWeb = R"({"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
    {"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"zone"}]}})";

TEST(InterPodAffinity, RequiredAffinityNeedsAMatchingPodInTheDomain) {
  NodeInfo a = zoned("a", "z1"), b = zoned("b", "z2");
  a.addPod(labelled("db", "db"));
  Snapshot snapshot;
  snapshot.nodes = {&a, &b};
  InterPodAffinity plugin;
  CycleState state;
  auto pod = labelled("web", "web", kNearDb);
  ASSERT_TRUE(plugin.preFilter(state, *pod, snapshot).ok());
  EXPECT_TRUE(plugin.filter(state, *pod, a).ok());
  Status s = plugin.filter(state, *pod, b);
  EXPECT_EQ(s.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(s.message(), "node(s) didn't match pod affinity rules");
}

TEST(InterPodAffinity, RequiredAntiAffinityBothWays) {
  NodeInfo a = zoned("a", "z1"), b = zoned("b", "z2");
  a.addPod(labelled("web1", "web", kAwayFromWeb));
  Snapshot snapshot;
  snapshot.nodes = {&a, &b};
  snapshot.podsWithRequiredAntiAffinity = 1;
  InterPodAffinity plugin;
  // A plain web pod: web1's anti-affinity keeps it out of z1.
  CycleState state;
  auto plain = labelled("web2", "web");
  ASSERT_TRUE(plugin.preFilter(state, *plain, snapshot).ok());
  EXPECT_EQ(plugin.filter(state, *plain, a).message(), "node(s) didn't satisfy existing pods anti-affinity rules");
  EXPECT_TRUE(plugin.filter(state, *plain, b).ok());
  // A pod with its own anti-affinity against web.
  CycleState state2;
  auto other = labelled("api", "api", kAwayFromWeb);
  ASSERT_TRUE(plugin.preFilter(state2, *other, snapshot).ok());
  EXPECT_EQ(plugin.filter(state2, *other, a).message(), "node(s) didn't match pod anti-affinity rules");
  // Preemption's what-if: without web1, z1 is open.
  plugin.removePod(state2, *other, *a.pods[0], a);
  EXPECT_TRUE(plugin.filter(state2, *other, a).ok());
}

TEST(InterPodAffinity, NoAffinityAnywhereSkips) {
  NodeInfo a = zoned("a", "z1");
  Snapshot snapshot;
  snapshot.nodes = {&a};
  InterPodAffinity plugin;
  CycleState state;
  EXPECT_TRUE(plugin.preFilter(state, *labelled("p", "x"), snapshot).isSkip());
}

TEST(InterPodAffinity, PreferredAffinityScoresTheDomainWithMatches) {
  NodeInfo a = zoned("a", "z1"), b = zoned("b", "z2");
  a.addPod(labelled("db", "db"));
  Snapshot snapshot;
  snapshot.nodes = {&a, &b};
  InterPodAffinity plugin;
  CycleState state;
  auto pod = labelled("web", "web", R"({"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
      {"weight":50,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"zone"}}]}})");
  ASSERT_TRUE(plugin.preScore(state, *pod, snapshot.nodes, snapshot).ok());
  std::vector<std::int64_t> scores{plugin.score(state, *pod, a), plugin.score(state, *pod, b)};
  plugin.normalize(state, *pod, scores);
  EXPECT_EQ(scores, (std::vector<std::int64_t>{100, 0}));
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
