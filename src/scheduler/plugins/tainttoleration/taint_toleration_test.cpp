#include "scheduler/plugins/tainttoleration/taint_toleration.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

TEST(TaintToleration, UntoleratedNoScheduleTaintRejectsWithUpstreamReason) {
  TaintToleration plugin;
  CycleState state;
  NodeInfo tainted = testing::node("cp", "4", "8Gi", R"({"spec":{"taints":[
      {"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}]}})");
  auto plain = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{}})");
  Status s = plugin.filter(state, *plain, tainted);
  EXPECT_EQ(s.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(s.message(), "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");
  auto tolerant = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"tolerations":[
      {"key":"node-role.kubernetes.io/control-plane","operator":"Exists","effect":"NoSchedule"}]}})");
  EXPECT_TRUE(plugin.filter(state, *tolerant, tainted).ok());
}

TEST(TaintToleration, EqualNeedsTheValueAndNoExecuteCounts) {
  TaintToleration plugin;
  CycleState state;
  NodeInfo tainted = testing::node("n", "4", "8Gi", R"({"spec":{"taints":[
      {"key":"dedicated","value":"gpu","effect":"NoExecute"}]}})");
  auto wrong = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"tolerations":[
      {"key":"dedicated","operator":"Equal","value":"cpu"}]}})");
  auto right = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"tolerations":[
      {"key":"dedicated","value":"gpu"}]}})");
  EXPECT_EQ(plugin.filter(state, *wrong, tainted).message(), "node(s) had untolerated taint {dedicated: gpu}");
  EXPECT_TRUE(plugin.filter(state, *right, tainted).ok());
}

TEST(TaintToleration, PreferNoScheduleLowersTheScore) {
  TaintToleration plugin;
  CycleState state;
  NodeInfo clean = testing::node("a");
  NodeInfo soft = testing::node("b", "4", "8Gi", R"({"spec":{"taints":[{"key":"k","effect":"PreferNoSchedule"}]}})");
  auto plain = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{}})");
  EXPECT_TRUE(plugin.filter(state, *plain, soft).ok());
  std::vector<std::int64_t> scores{plugin.score(state, *plain, clean), plugin.score(state, *plain, soft)};
  plugin.normalize(state, *plain, scores);
  EXPECT_EQ(scores, (std::vector<std::int64_t>{100, 0}));
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
