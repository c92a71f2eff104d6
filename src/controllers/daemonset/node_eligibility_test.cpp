// Which nodes a DaemonSet pod belongs on, as upstream's NodeShouldRunDaemonPod.
#include "controllers/daemonset/node_eligibility.h"

#include <gtest/gtest.h>

namespace kcpp::controllers::daemon {
namespace {

json::object node(const std::string& name, const std::string& labels = "{}", const std::string& taints = "[]") {
  return json::parse(R"({"metadata":{"name":")" + name + R"(","labels":)" + labels + R"(},"spec":{"taints":)" +
                     taints + "}}")
      .as_object();
}

json::object daemonSet(const std::string& podSpec) {
  return json::parse(R"({"metadata":{"name":"ds"},"spec":{"template":{"spec":)" + podSpec + "}}}").as_object();
}

json::object obj(const std::string& text) { return json::parse(text).as_object(); }

TEST(NodeEligibility, DefaultTolerationsAreAddedOnce) {
  json::object spec = obj(R"({"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists",
                               "effect":"NoExecute","tolerationSeconds":300}]})");
  addDaemonTolerations(spec);
  addDaemonTolerations(spec);
  const json::array& t = spec.at("tolerations").as_array();
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].as_object(), obj(R"({"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute"})"));
  EXPECT_EQ(t[5].at("key"), "node.kubernetes.io/unschedulable");
  json::object hostNet = obj(R"({"hostNetwork":true})");
  addDaemonTolerations(hostNet);
  EXPECT_EQ(hostNet.at("tolerations").as_array().back().at("key"), "node.kubernetes.io/network-unavailable");
}

TEST(NodeEligibility, TolerationsMatchTaintsAsUpstream) {
  json::object taint = obj(R"({"key":"k","value":"v","effect":"NoSchedule"})");
  EXPECT_TRUE(toleratesTaint(obj(R"({"key":"k","operator":"Equal","value":"v"})"), taint));
  EXPECT_TRUE(toleratesTaint(obj(R"({"key":"k","value":"v","effect":"NoSchedule"})"), taint));
  EXPECT_FALSE(toleratesTaint(obj(R"({"key":"k","value":"w"})"), taint));
  EXPECT_FALSE(toleratesTaint(obj(R"({"key":"k","operator":"Exists","effect":"NoExecute"})"), taint));
  EXPECT_TRUE(toleratesTaint(obj(R"({"operator":"Exists"})"), taint));  // empty key: every taint
  EXPECT_FALSE(toleratesTaint(obj(R"({"key":"other","operator":"Exists"})"), taint));
}

TEST(NodeEligibility, NodeSelectorTermsAreOredAndRequirementsAnded) {
  json::object n = node("n1", R"({"zone":"a","cpus":"8"})");
  auto sel = [](const std::string& terms) { return json::parse(R"({"nodeSelectorTerms":)" + terms + "}"); };
  EXPECT_TRUE(nodeSelectorMatches(sel(R"([{"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]}]}])"), n));
  EXPECT_FALSE(nodeSelectorMatches(sel(R"([{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]}])"), n));
  EXPECT_TRUE(nodeSelectorMatches(sel(R"([{"matchExpressions":[{"key":"gpu","operator":"DoesNotExist"},
                                                             {"key":"cpus","operator":"Gt","values":["4"]}]}])"), n));
  EXPECT_FALSE(nodeSelectorMatches(sel(R"([{"matchExpressions":[{"key":"cpus","operator":"Lt","values":["4"]}]}])"), n));
  EXPECT_TRUE(nodeSelectorMatches(sel(R"([{"matchExpressions":[{"key":"gpu","operator":"Exists"}]},
                                         {"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}])"), n));
  EXPECT_FALSE(nodeSelectorMatches(sel(R"([{}])"), n));  // an empty term selects nothing
  EXPECT_FALSE(nodeSelectorMatches(sel("[]"), n));
}

TEST(NodeEligibility, ShouldRunFollowsSelectorAffinityAndTaints) {
  json::object plain = node("n1", R"({"disk":"ssd"})");
  NodeFit fit = nodeShouldRunDaemonPod(plain, daemonSet("{}"));
  EXPECT_TRUE(fit.shouldRun && fit.shouldContinueRunning);
  EXPECT_FALSE(nodeShouldRunDaemonPod(plain, daemonSet(R"({"nodeSelector":{"disk":"hdd"}})")).shouldRun);
  EXPECT_TRUE(nodeShouldRunDaemonPod(plain, daemonSet(R"({"nodeSelector":{"disk":"ssd"}})")).shouldRun);
  EXPECT_FALSE(nodeShouldRunDaemonPod(plain, daemonSet(R"({"nodeName":"n2"})")).shouldContinueRunning);
  EXPECT_FALSE(nodeShouldRunDaemonPod(plain, daemonSet(R"({"affinity":{"nodeAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchExpressions":[{"key":"disk","operator":"In","values":["hdd"]}]}]}}}})")).shouldRun);

  json::object noSchedule = node("n1", "{}", R"([{"key":"dedicated","value":"db","effect":"NoSchedule"}])");
  fit = nodeShouldRunDaemonPod(noSchedule, daemonSet("{}"));
  EXPECT_FALSE(fit.shouldRun);
  EXPECT_TRUE(fit.shouldContinueRunning);  // only NoExecute evicts a running pod
  json::object noExecute = node("n1", "{}", R"([{"key":"dedicated","effect":"NoExecute"}])");
  fit = nodeShouldRunDaemonPod(noExecute, daemonSet("{}"));
  EXPECT_FALSE(fit.shouldRun || fit.shouldContinueRunning);
  EXPECT_TRUE(nodeShouldRunDaemonPod(noExecute, daemonSet(R"({"tolerations":[{"key":"dedicated","operator":"Exists"}]})"))
                  .shouldRun);
  // The default tolerations cover the node-condition taints.
  json::object unschedulable = node("n1", "{}", R"([{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"},
                                                    {"key":"node.kubernetes.io/not-ready","effect":"NoExecute"}])");
  EXPECT_TRUE(nodeShouldRunDaemonPod(unschedulable, daemonSet("{}")).shouldRun);
  json::object network = node("n1", "{}", R"([{"key":"node.kubernetes.io/network-unavailable","effect":"NoSchedule"}])");
  EXPECT_FALSE(nodeShouldRunDaemonPod(network, daemonSet("{}")).shouldRun);
  EXPECT_TRUE(nodeShouldRunDaemonPod(network, daemonSet(R"({"hostNetwork":true})")).shouldRun);
}

TEST(NodeEligibility, PinningReplacesTheRequiredNodeAffinity) {
  json::object spec = obj(R"({"affinity":{"podAffinity":{},"nodeAffinity":{
      "preferredDuringSchedulingIgnoredDuringExecution":[],
      "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchExpressions":[{"key":"disk","operator":"Exists"}]}]}}}})");
  pinToNode(spec, "n7");
  EXPECT_EQ(json::value(spec), json::parse(R"({"affinity":{"podAffinity":{},"nodeAffinity":{
      "preferredDuringSchedulingIgnoredDuringExecution":[],
      "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchFields":[{"key":"metadata.name","operator":"In","values":["n7"]}]}]}}}})"));
  json::object pod{{"spec", spec}};
  EXPECT_EQ(targetNodeName(pod), "n7");
  pod["spec"].as_object()["nodeName"] = "bound";
  EXPECT_EQ(targetNodeName(pod), "bound");
  EXPECT_EQ(targetNodeName(obj(R"({"spec":{}})")), std::nullopt);
}

}  // namespace
}  // namespace kcpp::controllers::daemon
