#include "scheduler/plugins/imagelocality/image_locality.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

TEST(ImageLocality, NodesWithTheImageScoreHigher) {
  NodeInfo with = testing::node("a", "4", "8Gi", R"({"status":{"images":[
      {"names":["docker.io/library/big:latest","big:latest"],"sizeBytes":524288000}]}})");
  NodeInfo without = testing::node("b");
  Snapshot snapshot;
  snapshot.nodes = {&with, &without};
  snapshot.imageNodeCounts = {{"big:latest", 1}, {"docker.io/library/big:latest", 1}};
  auto pod = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","image":"big"}]}})");
  ImageLocality plugin;
  CycleState state;
  ASSERT_TRUE(plugin.preScore(state, *pod, snapshot.nodes, snapshot).ok());
  // 500 MiB × (1 node of 2) = 250 MiB → 100 × (250 − 23) / (1000 − 23) = 23.
  EXPECT_EQ(plugin.score(state, *pod, with), 23);
  EXPECT_EQ(plugin.score(state, *pod, without), 0);
  EXPECT_EQ(normalizedImageName("reg:5000/app"), "reg:5000/app:latest");
  EXPECT_EQ(normalizedImageName("app:1.0"), "app:1.0");
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
