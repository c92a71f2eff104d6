#include "scheduler/plugins/nodeunschedulable/node_unschedulable.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

TEST(NodeUnschedulable, CordonedNodeRejectsUnlessTolerated) {
  NodeUnschedulable plugin;
  CycleState state;
  NodeInfo cordoned = testing::node("n", "4", "8Gi", R"({"spec":{"unschedulable":true}})");
  NodeInfo open = testing::node("m");
  auto plain = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{}})");
  auto tolerant = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"tolerations":[
      {"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoSchedule"}]}})");
  Status s = plugin.filter(state, *plain, cordoned);
  EXPECT_EQ(s.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(s.message(), "node(s) were unschedulable");
  EXPECT_TRUE(plugin.filter(state, *plain, open).ok());
  EXPECT_TRUE(plugin.filter(state, *tolerant, cordoned).ok());
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
