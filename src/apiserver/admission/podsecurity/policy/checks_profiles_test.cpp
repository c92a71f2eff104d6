#include "apiserver/admission/podsecurity/policy/policy_test_support.h"

namespace kcpp::apiserver::admission::podsecurity::testing {
namespace {

TEST(AppArmorCheck, FieldsAndAnnotations) {
  auto v = find(Level::Baseline, "forbidden AppArmor profiles", R"({
      "securityContext":{"appArmorProfile":{"type":"Unconfined"}},
      "containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}}},
                    {"name":"b","securityContext":{"appArmorProfile":{"type":"Unconfined"}}},
                    {"name":"c","securityContext":{"appArmorProfile":{"type":"Localhost",
                                                   "localhostProfile":"x"}}}]})",
                R"({"annotations":{
      "container.apparmor.security.beta.kubernetes.io/b":"unconfined",
      "container.apparmor.security.beta.kubernetes.io/a":"runtime/default",
      "container.apparmor.security.beta.kubernetes.io/c":"localhost/foo",
      "container.apparmor.security.beta.kubernetes.io/d":""}})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail,
            R"(pod and container "b" and annotation must not set AppArmor profile type to )"
            R"("Unconfined", "container.apparmor.security.beta.kubernetes.io/b="unconfined"")");
}

TEST(AppArmorCheck, SingleBadValueIsSingular) {
  auto v = find(Level::Baseline, "forbidden AppArmor profile", R"({"containers":[
      {"name":"a","securityContext":{"appArmorProfile":{"type":"Unconfined"}}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(container "a" must not set AppArmor profile type to "Unconfined")");
}

TEST(SELinuxCheck, UpstreamsTable) {
  auto all = find(Level::Baseline, "seLinuxOptions", R"({
      "securityContext":{"seLinuxOptions":{"type":"foo","user":"bar","role":"baz"}},
      "containers":[{"name":"a","securityContext":{"seLinuxOptions":{"type":"container_t"}}},
                    {"name":"b","securityContext":{"seLinuxOptions":{"type":"container_init_t"}}},
                    {"name":"c","securityContext":{"seLinuxOptions":{"type":"container_kvm_t"}}},
                    {"name":"d","securityContext":{"seLinuxOptions":{"type":"container_engine_t"}}},
                    {"name":"e","securityContext":{"seLinuxOptions":{"type":"bar"}}},
                    {"name":"f","securityContext":{"seLinuxOptions":{"user":"bar"}}},
                    {"name":"g","securityContext":{"seLinuxOptions":{"role":"baz"}}}]})");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->detail,
            R"(pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: )"
            R"(types "bar", "foo"; user may not be set; role may not be set)");
  auto user = find(Level::Baseline, "seLinuxOptions",
                   R"({"securityContext":{"seLinuxOptions":{"user":"bad"}}})");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->detail, "pod set forbidden securityContext.seLinuxOptions: user may not be set");
  EXPECT_FALSE(find(Level::Baseline, "seLinuxOptions",
                    R"({"securityContext":{"seLinuxOptions":{"level":"s0:c1"}}})"));
}

TEST(SeccompCheck, BaselineForbidsUnconfinedButAllowsUnset) {
  auto v = find(Level::Baseline, "seccompProfile", R"({
      "securityContext":{"seccompProfile":{"type":"Unconfined"}},
      "containers":[{"name":"a"},
                    {"name":"b","securityContext":{"seccompProfile":{"type":"RuntimeDefault"}}},
                    {"name":"c","securityContext":{"seccompProfile":{"type":"Unconfined"}}},
                    {"name":"d","securityContext":{"seccompProfile":{"type":"Other"}}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail,
            R"(pod and containers "c", "d" must not set securityContext.seccompProfile.type to )"
            R"("Other", "Unconfined")");
  EXPECT_FALSE(find(Level::Baseline, "seccompProfile", R"({"containers":[{"name":"a"}]})"));
}

TEST(SeccompCheck, RestrictedRequiresAProfile) {
  auto v = find(Level::Restricted, "seccompProfile", R"({"containers":[{"name":"a"},{"name":"b"},
      {"name":"c","securityContext":{"seccompProfile":{"type":"Localhost","localhostProfile":"p"}}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(pod or containers "a", "b" must set securityContext.seccompProfile.type )"
                       R"(to "RuntimeDefault" or "Localhost")");
  EXPECT_FALSE(find(Level::Restricted, "seccompProfile", R"({
      "securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"a"}]})"));
  EXPECT_FALSE(find(Level::Restricted, "seccompProfile",
                    R"({"os":{"name":"windows"},"containers":[{"name":"a"}]})"));
}

TEST(SeccompCheck, RestrictedReportsExplicitValuesFirstAndOnce) {
  auto violations = evaluate(Level::Restricted, R"({"containers":[{"name":"a"},
      {"name":"c","securityContext":{"seccompProfile":{"type":"Unconfined"}}}]})");
  int seccomp = 0;
  for (const Violation& v : violations) {
    if (v.reason != "seccompProfile") continue;
    ++seccomp;
    EXPECT_EQ(v.detail, R"(container "c" must not set securityContext.seccompProfile.type to "Unconfined")");
  }
  EXPECT_EQ(seccomp, 1);
}

TEST(SysctlsCheck, OnlyTheSafeSetInOrderGiven) {
  auto v = find(Level::Baseline, "forbidden sysctls", R"({"securityContext":{"sysctls":[
      {"name":"kernel.shm_rmid_forced","value":"0"},{"name":"net.core.somaxconn","value":"1"},
      {"name":"net.ipv4.tcp_rmem","value":"1 2 3"},{"name":"kernel.msgmax","value":"1"},
      {"name":"net.ipv4.tcp_keepalive_time","value":"1"}]}})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, "net.core.somaxconn, kernel.msgmax");
}

}  // namespace
}  // namespace kcpp::apiserver::admission::podsecurity::testing
