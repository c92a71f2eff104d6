#include "scheduler/plugins/nodename/node_name.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

TEST(NodeName, OnlyTheNamedNodeFits) {
  NodeName plugin;
  CycleState state;
  auto named = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"nodeName":"a"}})");
  auto any = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{}})");
  EXPECT_TRUE(plugin.filter(state, *named, testing::node("a")).ok());
  Status s = plugin.filter(state, *named, testing::node("b"));
  EXPECT_EQ(s.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(s.message(), "node(s) didn't match the requested node name");
  EXPECT_TRUE(plugin.filter(state, *any, testing::node("b")).ok());
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
