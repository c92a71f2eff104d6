#include "scheduler/plugins/noderesources/fit.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

PodInfoPtr requesting(const std::string& name, const std::string& cpu, const std::string& memory,
                      const std::string& extra = "") {
  return testing::pod(R"({"metadata":{"name":")" + name + R"(","namespace":"d"},"spec":{"containers":[
      {"name":"c","image":"i","resources":{"requests":{"cpu":")" + cpu + R"(","memory":")" + memory + "\"" + extra +
                      "}}}]}}");
}

NodeResourcesFit leastAllocated() { return NodeResourcesFit(NodeResourcesFit::Strategy::LeastAllocated, {{"cpu", 1}, {"memory", 1}}); }

TEST(NodeResourcesFit, RequestsMustFitWhatIsLeft) {
  auto fit = leastAllocated();
  CycleState state;
  NodeInfo node = testing::node("n", "2", "4Gi");
  EXPECT_TRUE(fit.filter(state, *requesting("p", "1500m", "1Gi"), node).ok());
  node.addPod(requesting("old", "1", "1Gi"));
  Status s = fit.filter(state, *requesting("p", "1500m", "1Gi"), node);
  EXPECT_EQ(s.code, Code::Unschedulable);  // evicting "old" would make room
  EXPECT_EQ(s.message(), "Insufficient cpu");
  Status both = fit.filter(state, *requesting("p", "3", "8Gi"), node);
  EXPECT_EQ(both.code, Code::UnschedulableAndUnresolvable);  // more than the node has at all
  EXPECT_EQ(both.message(), "Insufficient cpu, Insufficient memory");
}

TEST(NodeResourcesFit, ExtendedResourcesAndPodCount) {
  auto fit = leastAllocated();
  CycleState state;
  NodeInfo node = testing::node("n");
  Status s = fit.filter(state, *requesting("p", "1", "1Gi", R"(,"example.com/gpu":"1")"), node);
  EXPECT_EQ(s.message(), "Insufficient example.com/gpu");
  node.allocatable.allowedPods = 1;
  node.addPod(requesting("old", "0", "0"));
  EXPECT_EQ(fit.filter(state, *requesting("p", "0", "0"), node).message(), "Too many pods");
}

TEST(NodeResourcesFit, InitContainersMaxAndOverhead) {
  auto pod = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{
      "overhead":{"cpu":"100m"},
      "initContainers":[{"name":"i","image":"i","resources":{"requests":{"cpu":"2","memory":"1Gi"}}}],
      "containers":[{"name":"a","image":"i","resources":{"requests":{"cpu":"500m","memory":"2Gi"}}},
                    {"name":"b","image":"i","resources":{"requests":{"cpu":"500m"}}}]}})");
  EXPECT_EQ(pod->requests.milliCpu, 2100);  // max(2, 0.5+0.5) + 0.1
  EXPECT_EQ(pod->requests.memory, 2LL << 30);
  // Scoring counts 100m for the container that requests no... cpu it does; memory 200Mi for b.
  EXPECT_EQ(pod->nonZeroRequests.memory, (2LL << 30) + 200 * 1024 * 1024);
}

TEST(NodeResourcesFit, LeastAllocatedPrefersEmptierNodesMostAllocatedFuller) {
  CycleState state;
  NodeInfo empty = testing::node("a", "4", "8Gi");
  NodeInfo busy = testing::node("b", "4", "8Gi");
  busy.addPod(requesting("old", "2", "4Gi"));
  auto pod = requesting("p", "1", "2Gi");
  auto least = leastAllocated();
  EXPECT_EQ(least.score(state, *pod, empty), 75);
  EXPECT_EQ(least.score(state, *pod, busy), 25);
  auto made = NodeResourcesFit::create(boost::json::parse(R"({"scoringStrategy":{"type":"MostAllocated"}})").as_object());
  ASSERT_TRUE(made.ok());
  auto& most = dynamic_cast<NodeResourcesFit&>(**made);
  EXPECT_EQ(most.score(state, *pod, empty), 25);
  EXPECT_EQ(most.score(state, *pod, busy), 75);
  auto bad = NodeResourcesFit::create(boost::json::parse(R"({"scoringStrategy":{"type":"Nope"}})").as_object());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("Unsupported value: \"Nope\""), std::string::npos);
}

TEST(NodeResourcesBalancedAllocation, BalancedUseScoresHigher) {
  NodeResourcesBalancedAllocation plugin;
  CycleState state;
  NodeInfo node = testing::node("n", "4", "4Gi");
  EXPECT_EQ(plugin.score(state, *requesting("p", "2", "2Gi"), node), 100);
  EXPECT_EQ(plugin.score(state, *requesting("p", "2", "0"), node), 75);
  Snapshot snapshot;
  EXPECT_TRUE(plugin.preScore(state, *requesting("p", "0", "0"), {}, snapshot).isSkip());
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
