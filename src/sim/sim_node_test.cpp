// Node and Lease objects of a simulated node, and its flags' parsers.
#include "sim/sim_node.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"

namespace kcpp::sim {
namespace {

TEST(NodeIdentity, FakeAddresses) {
  NodeIdentity a = nodeIdentity("sim-", 0);
  EXPECT_EQ(a.name, "sim-0");
  EXPECT_EQ(a.internalIP, "10.1.0.1");
  EXPECT_EQ(a.podPrefix, "10.128.0.");
  NodeIdentity b = nodeIdentity("n", 999);
  EXPECT_EQ(b.internalIP, "10.1.3.250");
  EXPECT_EQ(b.podPrefix, "10.131.231.");
}

TEST(ParseFlags, LabelsAndTaints) {
  std::string error;
  auto labels = parseLabels("a=1,b=,c=x=y", error);
  ASSERT_TRUE(labels);
  EXPECT_EQ(labels->at("a"), "1");
  EXPECT_EQ(labels->at("b"), "");
  EXPECT_EQ(labels->at("c"), "x=y");
  EXPECT_FALSE(parseLabels("nokey", error));
  EXPECT_NE(error.find("invalid label"), std::string::npos);
  auto taints = parseTaints("dedicated=gpu:NoSchedule,spot:NoExecute", error);
  ASSERT_TRUE(taints);
  ASSERT_EQ(taints->size(), 2u);
  EXPECT_EQ((*taints)[0].as_object()["value"], "gpu");
  EXPECT_FALSE((*taints)[1].as_object().contains("value"));
  EXPECT_EQ((*taints)[1].as_object()["effect"], "NoExecute");
  EXPECT_FALSE(parseTaints("k=v", error));
  EXPECT_FALSE(parseTaints("k=v:Sometimes", error));
  EXPECT_FALSE(parseTaints(":NoSchedule", error));
  EXPECT_TRUE(parseTaints("", error)->empty());
}

TEST(NodeObject, LabelsTaintsAndStatus) {
  NodeTemplate tmpl;
  tmpl.labels["zone"] = "a";
  std::string error;
  tmpl.taints = *parseTaints("k:NoSchedule", error);
  NodeIdentity id = nodeIdentity("sim-", 3);
  json::object node = nodeObject(id, tmpl);
  EXPECT_EQ(*api::findPath(node, "metadata.labels.zone"), "a");
  const json::object& labels = api::findPath(node, "metadata.labels")->as_object();
  EXPECT_EQ(labels.at("kubernetes.io/hostname"), "sim-3");
  EXPECT_EQ(labels.at("kubernetes.io/os"), "linux");
  EXPECT_EQ(api::findPath(node, "spec.taints")->as_array().size(), 1u);
  auto now = std::chrono::system_clock::now();
  json::object status = nodeStatus(id, tmpl, now, now);
  EXPECT_EQ(*api::findPath(status, "capacity.cpu"), "32");
  EXPECT_EQ(*api::findPath(status, "allocatable.pods"), "110");
  auto& conditions = status["conditions"].as_array();
  ASSERT_EQ(conditions.size(), 4u);
  EXPECT_EQ(conditions[3].as_object()["type"], "Ready");
  EXPECT_EQ(conditions[3].as_object()["status"], "True");
  EXPECT_EQ(conditions[3].as_object()["reason"], "KubeletReady");
  EXPECT_EQ(status["addresses"].as_array()[0].as_object()["address"], "10.1.0.4");
}

TEST(Lease, ShapeAndMicroTime) {
  auto t = std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000123456LL));
  EXPECT_EQ(microTime(t), "2023-11-14T22:13:20.123456Z");
  json::object lease = leaseObject("sim-0", "uid-1", 40, t);
  EXPECT_EQ(*api::findPath(lease, "metadata.namespace"), "kube-node-lease");
  EXPECT_EQ(*api::findPath(lease, "spec.holderIdentity"), "sim-0");
  EXPECT_EQ(*api::findPath(lease, "spec.leaseDurationSeconds"), 40);
  EXPECT_EQ(*api::findPath(lease, "spec.renewTime"), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(api::findPath(lease, "metadata.ownerReferences")->as_array()[0].as_object().at("uid"), "uid-1");
}

}  // namespace
}  // namespace kcpp::sim
