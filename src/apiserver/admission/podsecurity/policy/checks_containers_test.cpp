#include "apiserver/admission/podsecurity/policy/policy_test_support.h"

namespace kcpp::apiserver::admission::podsecurity::testing {
namespace {

TEST(PrivilegedCheck, VisitsInitThenRegularThenEphemeralContainers) {
  auto v = find(Level::Baseline, "privileged", R"({
      "containers":[{"name":"c","securityContext":{"privileged":true}},
                    {"name":"d","securityContext":{"privileged":false}}],
      "ephemeralContainers":[{"name":"e","securityContext":{"privileged":true}}],
      "initContainers":[{"name":"i","securityContext":{"privileged":true}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(containers "i", "c", "e" must not set securityContext.privileged=true)");
}

TEST(CapabilitiesBaselineCheck, OnlyTheDefaultSetMayBeAdded) {
  auto v = find(Level::Baseline, "non-default capabilities", R"({"containers":[
      {"name":"a","securityContext":{"capabilities":{"add":["NET_RAW","CHOWN"]}}},
      {"name":"b","securityContext":{"capabilities":{"add":["KILL","NET_BIND_SERVICE"]}}},
      {"name":"c","securityContext":{"capabilities":{"add":["SYS_ADMIN","NET_RAW"]}}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail,
            R"(containers "a", "c" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add)");
}

TEST(CapabilitiesRestrictedCheck, UpstreamsTable) {
  auto v = find(Level::Restricted, "unrestricted capabilities", R"({"containers":[
      {"name":"a","securityContext":{"capabilities":{"add":["FOO","BAR"]}}},
      {"name":"b","securityContext":{"capabilities":{"add":["BAR","BAZ"]}}},
      {"name":"c","securityContext":{"capabilities":{"add":["NET_BIND_SERVICE","CHOWN"],
                                                     "drop":["ALL","FOO"]}}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail,
            R"(containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; )"
            R"(containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in )"
            R"(securityContext.capabilities.add)");
}

TEST(CapabilitiesRestrictedCheck, ReplacesBaselineAndExemptsWindows) {
  std::string spec = R"({"containers":[{"name":"a","securityContext":{"capabilities":
                        {"add":["SYS_ADMIN"],"drop":["ALL"]}}}]})";
  for (const Violation& v : evaluate(Level::Restricted, spec)) {
    EXPECT_NE(v.reason, "non-default capabilities");
  }
  EXPECT_TRUE(find(Level::Restricted, "unrestricted capabilities", spec));
  EXPECT_FALSE(find(Level::Restricted, "unrestricted capabilities",
                    R"({"os":{"name":"windows"},"containers":[{"name":"a"}]})"));
  auto linux = find(Level::Restricted, "unrestricted capabilities",
                    R"({"os":{"name":"linux"},"containers":[{"name":"a"}]})");
  ASSERT_TRUE(linux);
  EXPECT_EQ(linux->detail, R"(container "a" must set securityContext.capabilities.drop=["ALL"])");
}

TEST(AllowPrivilegeEscalationCheck, UnsetAndTrueAreViolations) {
  auto v = find(Level::Restricted, "allowPrivilegeEscalation != false", R"({"containers":[
      {"name":"a"},{"name":"b","securityContext":{}},
      {"name":"c","securityContext":{"allowPrivilegeEscalation":true}},
      {"name":"d","securityContext":{"allowPrivilegeEscalation":false}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail,
            R"(containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false)");
  EXPECT_FALSE(find(Level::Restricted, "allowPrivilegeEscalation != false",
                    R"({"os":{"name":"windows"},"containers":[{"name":"a"}]})"));
  EXPECT_FALSE(find(Level::Baseline, "allowPrivilegeEscalation != false",
                    R"({"containers":[{"name":"a"}]})"));
}

TEST(ProcMountCheck, OnlyDefaultIsAllowed) {
  auto v = find(Level::Baseline, "procMount", R"({"containers":[
      {"name":"a","securityContext":{"procMount":"Default"}},
      {"name":"b","securityContext":{"procMount":"Unmasked"}},
      {"name":"c","securityContext":{"procMount":"Other"}},{"name":"d"}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail,
            R"(containers "b", "c" must not set securityContext.procMount to "Other", "Unmasked")");
}

TEST(ProcMountCheck, UserNamespacedPodsAreNotRelaxedInV133) {
  EXPECT_TRUE(find(Level::Baseline, "procMount", R"({"hostUsers":false,"containers":[
      {"name":"a","securityContext":{"procMount":"Unmasked"}}]})"));
}

}  // namespace
}  // namespace kcpp::apiserver::admission::podsecurity::testing
