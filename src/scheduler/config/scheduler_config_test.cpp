#include "scheduler/config/scheduler_config.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace kcpp::scheduler::config {
namespace {

bool has(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

TEST(SchedulerConfig, ProfilesWeightsAndPluginConfig) {
  auto c = parseSchedulerConfiguration(R"(
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
profiles:
- schedulerName: default-scheduler
- schedulerName: packer
  plugins:
    score:
      disabled:
      - name: NodeResourcesBalancedAllocation
      enabled:
      - name: NodeResourcesFit
        weight: 5
    filter:
      disabled:
      - name: TaintToleration
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->profiles.size(), 2u);
  EXPECT_EQ(c->profiles[0].schedulerName, "default-scheduler");
  EXPECT_EQ(c->profiles[0].percentageOfNodesToScore, 30);
  const Profile& packer = c->profiles[1];
  EXPECT_EQ(packer.schedulerName, "packer");
  EXPECT_FALSE(has(packer.filter, "TaintToleration"));
  EXPECT_TRUE(has(packer.filter, "NodeResourcesFit"));
  auto fit = std::find_if(packer.score.begin(), packer.score.end(), [](const PluginRef& r) { return r.name == "NodeResourcesFit"; });
  ASSERT_NE(fit, packer.score.end());
  EXPECT_EQ(fit->weight, 5);
  EXPECT_TRUE(std::none_of(packer.score.begin(), packer.score.end(),
                           [](const PluginRef& r) { return r.name == "NodeResourcesBalancedAllocation"; }));
  EXPECT_EQ(packer.pluginArgs.at("NodeResourcesFit").at("scoringStrategy").at("type"), "MostAllocated");
}

TEST(SchedulerConfig, MultiPointDisablesEverywhere) {
  auto c = parseSchedulerConfiguration(R"(
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- plugins:
    multiPoint:
      disabled:
      - name: NodeAffinity
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const Profile& p = c->profiles[0];
  EXPECT_FALSE(has(p.filter, "NodeAffinity"));
  EXPECT_FALSE(has(p.preFilter, "NodeAffinity"));
  EXPECT_FALSE(has(p.preScore, "NodeAffinity"));
}

TEST(SchedulerConfig, BadConfigurationsAreClearErrors) {
  auto wrongVersion = parseSchedulerConfiguration("apiVersion: kubescheduler.config.k8s.io/v1beta1\nkind: KubeSchedulerConfiguration\n");
  ASSERT_FALSE(wrongVersion.ok());
  EXPECT_NE(wrongVersion.error().message.find("kubescheduler.config.k8s.io/v1beta1"), std::string::npos);
  auto percentage = parseSchedulerConfiguration(
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 150\n");
  ASSERT_FALSE(percentage.ok());
  EXPECT_EQ(percentage.error().message, "percentageOfNodesToScore: Invalid value: 150: not in valid range [0-100]");
  auto duplicate = parseSchedulerConfiguration(R"(
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: a
- schedulerName: a
)");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().message, "profiles[1].schedulerName: Duplicate value: \"a\"");
  EXPECT_FALSE(parseSchedulerConfiguration("{not yaml: [").ok());
  EXPECT_FALSE(loadSchedulerConfiguration("/nonexistent/config.yaml").ok());
}

}  // namespace
}  // namespace kcpp::scheduler::config
