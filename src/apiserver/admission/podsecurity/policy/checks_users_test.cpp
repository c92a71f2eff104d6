#include "apiserver/admission/podsecurity/policy/policy_test_support.h"

namespace kcpp::apiserver::admission::podsecurity::testing {
namespace {

TEST(RunAsNonRootCheck, ExplicitFalseIsReportedBeforeUnset) {
  auto v = find(Level::Restricted, "runAsNonRoot != true", R"({
      "securityContext":{"runAsNonRoot":false},
      "containers":[{"name":"a"},{"name":"b","securityContext":{"runAsNonRoot":false}},
                    {"name":"c","securityContext":{"runAsNonRoot":false}},
                    {"name":"d","securityContext":{"runAsNonRoot":true}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(pod and containers "b", "c" must not set securityContext.runAsNonRoot=false)");
}

TEST(RunAsNonRootCheck, PodLevelTrueCoversUnsetContainers) {
  EXPECT_FALSE(find(Level::Restricted, "runAsNonRoot != true", R"({
      "securityContext":{"runAsNonRoot":true},"containers":[{"name":"a"},{"name":"b","securityContext":{}}]})"));
  auto v = find(Level::Restricted, "runAsNonRoot != true", R"({"containers":[
      {"name":"a"},{"name":"b","securityContext":{}},{"name":"d","securityContext":{"runAsNonRoot":true}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(pod or containers "a", "b" must set securityContext.runAsNonRoot=true)");
}

TEST(RunAsUserCheck, OnlyExplicitZero) {
  auto v = find(Level::Restricted, "runAsUser=0", R"({"securityContext":{"runAsUser":0},
      "containers":[{"name":"a","securityContext":{"runAsUser":0}},
                    {"name":"b","securityContext":{"runAsUser":1000}},{"name":"c"}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(pod and container "a" must not set runAsUser=0)");
  EXPECT_FALSE(find(Level::Restricted, "runAsUser=0", R"({"containers":[{"name":"a"}]})"));
  EXPECT_FALSE(find(Level::Baseline, "runAsUser=0",
                    R"({"securityContext":{"runAsUser":0},"containers":[{"name":"a"}]})"));
}

}  // namespace
}  // namespace kcpp::apiserver::admission::podsecurity::testing
