#include "scheduler/plugins/nodeports/node_ports.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

PodInfoPtr podWithPort(const std::string& name, int port, const std::string& ip = "",
                       const std::string& protocol = "TCP") {
  return testing::pod(R"({"metadata":{"name":")" + name + R"(","namespace":"d"},"spec":{"containers":[
      {"name":"c","image":"i","ports":[{"containerPort":80,"hostPort":)" + std::to_string(port) +
                      R"(,"hostIP":")" + ip + R"(","protocol":")" + protocol + R"("}]}]}})");
}

TEST(NodePorts, SamePortAndProtocolConflict) {
  NodePorts plugin;
  CycleState state;
  NodeInfo node = testing::node("n");
  node.addPod(podWithPort("old", 8080));
  Status s = plugin.filter(state, *podWithPort("new", 8080), node);
  EXPECT_EQ(s.code, Code::Unschedulable);
  EXPECT_EQ(s.message(), "node(s) didn't have free ports for the requested pod ports");
  EXPECT_TRUE(plugin.filter(state, *podWithPort("new", 8081), node).ok());
  EXPECT_TRUE(plugin.filter(state, *podWithPort("new", 8080, "", "UDP"), node).ok());
}

TEST(NodePorts, DistinctHostIpsDoNotConflictButAnyAddressDoes) {
  NodePorts plugin;
  CycleState state;
  NodeInfo node = testing::node("n");
  node.addPod(podWithPort("old", 80, "10.0.0.1"));
  EXPECT_TRUE(plugin.filter(state, *podWithPort("new", 80, "10.0.0.2"), node).ok());
  EXPECT_FALSE(plugin.filter(state, *podWithPort("new", 80, "0.0.0.0"), node).ok());
  EXPECT_FALSE(plugin.filter(state, *podWithPort("new", 80, "10.0.0.1"), node).ok());
  // Removing the pod frees the port.
  EXPECT_TRUE(node.removePod("d/old"));
  EXPECT_TRUE(plugin.filter(state, *podWithPort("new", 80, "10.0.0.1"), node).ok());
}

TEST(NodePorts, PodsWithoutHostPortsSkip) {
  NodePorts plugin;
  CycleState state;
  Snapshot snapshot;
  auto plain = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{}})");
  EXPECT_TRUE(plugin.preFilter(state, *plain, snapshot).isSkip());
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
