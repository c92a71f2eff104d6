// Taints and tolerations as upstream matches them.
#include "controllers/common/taints.h"

#include <gtest/gtest.h>

namespace kcpp::controllers {
namespace {

json::object obj(const char* text) { return json::parse(text).as_object(); }

TEST(Tolerates, OperatorsKeysAndEffects) {
  json::object taint = obj(R"({"key":"k","value":"v","effect":"NoExecute"})");
  EXPECT_TRUE(tolerates(obj(R"({"key":"k","operator":"Equal","value":"v","effect":"NoExecute"})"), taint));
  EXPECT_TRUE(tolerates(obj(R"({"key":"k","value":"v"})"), taint));  // Equal by default, any effect
  EXPECT_FALSE(tolerates(obj(R"({"key":"k","value":"w"})"), taint));
  EXPECT_TRUE(tolerates(obj(R"({"key":"k","operator":"Exists"})"), taint));
  EXPECT_TRUE(tolerates(obj(R"({"operator":"Exists"})"), taint));  // tolerates everything
  EXPECT_FALSE(tolerates(obj(R"({"key":"k","operator":"Exists","effect":"NoSchedule"})"), taint));
  EXPECT_FALSE(tolerates(obj(R"({"key":"other","operator":"Exists"})"), taint));
}

TEST(MatchingTolerations, AllOrNothing) {
  json::array taints = json::parse(R"([{"key":"a","effect":"NoExecute"},{"key":"b","effect":"NoExecute"}])").as_array();
  json::array both = json::parse(R"([{"key":"a","operator":"Exists","tolerationSeconds":30},
                                     {"key":"b","operator":"Exists","tolerationSeconds":10}])").as_array();
  auto matched = matchingTolerations(taints, both);
  EXPECT_TRUE(matched.allTolerated);
  ASSERT_EQ(matched.used.size(), 2u);
  EXPECT_EQ(minTolerationTime(matched.used), std::chrono::seconds(10));
  json::array one = json::parse(R"([{"key":"a","operator":"Exists"}])").as_array();
  EXPECT_FALSE(matchingTolerations(taints, one).allTolerated);
}

TEST(MinTolerationTime, ForeverZeroAndSmallest) {
  std::vector<json::object> forever{obj(R"({"key":"a","operator":"Exists"})")};
  EXPECT_FALSE(minTolerationTime(forever));
  std::vector<json::object> negative{obj(R"({"key":"a","tolerationSeconds":-5})")};
  EXPECT_EQ(minTolerationTime(negative), std::chrono::seconds(0));
  EXPECT_EQ(minTolerationTime({}), std::chrono::seconds(0));
  std::vector<json::object> mixed{obj(R"({"key":"a"})"), obj(R"({"key":"b","tolerationSeconds":300})")};
  EXPECT_EQ(minTolerationTime(mixed), std::chrono::seconds(300));
}

TEST(SwapTaints, AddsRemovesAndReportsNoChange) {
  json::array taints = json::parse(R"([{"key":"x","effect":"NoSchedule"},
                                       {"key":"node.kubernetes.io/not-ready","effect":"NoExecute"}])").as_array();
  auto swapped = swapTaints(taints, {makeTaint(kTaintNodeUnreachable, "NoExecute")},
                            {makeTaint(kTaintNodeNotReady, "NoExecute")}, "2026-01-01T00:00:00Z");
  ASSERT_TRUE(swapped);
  ASSERT_EQ(swapped->size(), 2u);
  EXPECT_EQ((*swapped)[0].as_object().at("key"), "x");
  EXPECT_EQ((*swapped)[1].as_object().at("key"), kTaintNodeUnreachable);
  EXPECT_EQ((*swapped)[1].as_object().at("timeAdded"), "2026-01-01T00:00:00Z");
  EXPECT_FALSE(swapTaints(*swapped, {makeTaint(kTaintNodeUnreachable, "NoExecute")}, {}, "later"));
  EXPECT_TRUE(hasTaint(*swapped, makeTaint("x", "NoSchedule")));
  EXPECT_FALSE(hasTaint(*swapped, makeTaint("x", "NoExecute")));
  EXPECT_TRUE(hasTaintKey(*swapped, "x"));
}

TEST(NodeReady, FromTheReadyCondition) {
  EXPECT_TRUE(isNodeReady(obj(R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})")));
  EXPECT_FALSE(isNodeReady(obj(R"({"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})")));
  EXPECT_FALSE(isNodeReady(obj(R"({})")));
  auto index = podNodeNameIndex();
  EXPECT_EQ(index(obj(R"({"spec":{"nodeName":"n1"}})")), std::vector<std::string>{"n1"});
  EXPECT_TRUE(index(obj(R"({"spec":{}})")).empty());
}

}  // namespace
}  // namespace kcpp::controllers
