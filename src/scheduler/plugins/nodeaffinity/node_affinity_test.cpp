#include "scheduler/plugins/nodeaffinity/node_affinity.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

NodeInfo labelled(const std::string& name, const std::string& labels) {
  return testing::node(name, "4", "8Gi", R"({"metadata":{"labels":)" + labels + "}}");
}

TEST(NodeAffinity, NodeSelectorMustMatch) {
  NodeAffinity plugin;
  CycleState state;
  auto pod = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"nodeSelector":{"disk":"ssd"}}})");
  EXPECT_TRUE(plugin.filter(state, *pod, labelled("a", R"({"disk":"ssd"})")).ok());
  Status s = plugin.filter(state, *pod, labelled("b", R"({"disk":"hdd"})"));
  EXPECT_EQ(s.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(s.message(), "node(s) didn't match Pod's node affinity/selector");
}

TEST(NodeAffinity, RequiredTermsAreOredAndExpressionsAnded) {
  NodeAffinity plugin;
  CycleState state;
  auto pod = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"affinity":{"nodeAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]},{"key":"gpu","operator":"DoesNotExist"}]},
        {"matchExpressions":[{"key":"cores","operator":"Gt","values":["8"]}]},
        {"matchFields":[{"key":"metadata.name","operator":"In","values":["special"]}]}]}}}}})");
  EXPECT_TRUE(plugin.filter(state, *pod, labelled("n1", R"({"zone":"a"})")).ok());
  EXPECT_FALSE(plugin.filter(state, *pod, labelled("n2", R"({"zone":"a","gpu":"1"})")).ok());
  EXPECT_FALSE(plugin.filter(state, *pod, labelled("n3", R"({"zone":"c"})")).ok());
  EXPECT_TRUE(plugin.filter(state, *pod, labelled("n4", R"({"cores":"16"})")).ok());
  EXPECT_FALSE(plugin.filter(state, *pod, labelled("n5", R"({"cores":"4"})")).ok());
  EXPECT_TRUE(plugin.filter(state, *pod, labelled("special", R"({})")).ok());
}

TEST(NodeAffinity, PreferredTermsScoreByWeight) {
  NodeAffinity plugin;
  CycleState state;
  Snapshot snapshot;
  auto pod = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"affinity":{"nodeAffinity":{
      "preferredDuringSchedulingIgnoredDuringExecution":[
        {"weight":10,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}},
        {"weight":30,"preference":{"matchExpressions":[{"key":"disk","operator":"Exists"}]}}]}}}})");
  EXPECT_TRUE(plugin.preScore(state, *pod, {}, snapshot).ok());
  NodeInfo a = labelled("a", R"({"zone":"a"})"), b = labelled("b", R"({"zone":"a","disk":"x"})"),
           c = labelled("c", R"({})");
  std::vector<std::int64_t> scores{plugin.score(state, *pod, a), plugin.score(state, *pod, b),
                                   plugin.score(state, *pod, c)};
  EXPECT_EQ(scores, (std::vector<std::int64_t>{10, 40, 0}));
  plugin.normalize(state, *pod, scores);
  EXPECT_EQ(scores, (std::vector<std::int64_t>{25, 100, 0}));
  auto plain = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{}})");
  EXPECT_TRUE(plugin.preScore(state, *plain, {}, snapshot).isSkip());
  EXPECT_TRUE(plugin.preFilter(state, *plain, snapshot).isSkip());
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
