#include "scheduler/cache.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler {
namespace {

ObjectPtr nodeObject(const std::string& name) {
  return testing::node(name, "4", "8Gi").object;
}

PodInfoPtr boundPod(const std::string& name, const std::string& node, const std::string& cpu) {
  return testing::pod(R"({"metadata":{"name":")" + name + R"(","namespace":"d"},"spec":{"nodeName":")" + node +
                      R"(","containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":")" + cpu + R"("}}}]}})");
}

TEST(Cache, AssumedPodsCountUntilForgottenOrConfirmed) {
  Cache cache;
  cache.addNode(nodeObject("n1"));
  cache.assumePod(boundPod("p", "n1", "1"));
  EXPECT_TRUE(cache.isAssumed("d/p"));
  EXPECT_EQ(cache.node("n1")->requested.milliCpu, 1000);
  cache.forgetPod("d/p");
  EXPECT_EQ(cache.node("n1")->requested.milliCpu, 0);
  EXPECT_FALSE(cache.hasPod("d/p"));
  // Assumed again, then the informer confirms it: counted once.
  cache.assumePod(boundPod("p", "n1", "1"));
  cache.addPod(boundPod("p", "n1", "1"));
  EXPECT_FALSE(cache.isAssumed("d/p"));
  EXPECT_EQ(cache.node("n1")->requested.milliCpu, 1000);
  EXPECT_EQ(cache.node("n1")->pods.size(), 1u);
  cache.removePod("d/p");
  EXPECT_EQ(cache.node("n1")->requested.milliCpu, 0);
}

TEST(Cache, SnapshotListsKnownNodesOnly) {
  Cache cache;
  cache.addNode(nodeObject("b"));
  cache.addNode(nodeObject("a"));
  cache.addPod(boundPod("p", "ghost", "1"));  // bound to a node not seen yet
  const Snapshot& s = cache.snapshot();
  ASSERT_EQ(s.nodes.size(), 2u);
  EXPECT_EQ(s.nodes[0]->name, "a");
  EXPECT_EQ(s.find("b")->name, "b");
  EXPECT_EQ(s.find("ghost"), nullptr);
  cache.addNode(nodeObject("ghost"));
  EXPECT_EQ(cache.snapshot().find("ghost")->requested.milliCpu, 1000);
  cache.removeNode("a");
  EXPECT_EQ(cache.snapshot().nodes.size(), 2u);
}

}  // namespace
}  // namespace kcpp::scheduler
