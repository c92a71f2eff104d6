#include "apiserver/admission/podsecurity/policy/policy_test_support.h"

namespace kcpp::apiserver::admission::podsecurity::testing {
namespace {

TEST(HostNamespacesCheck, ListsEverySharedNamespaceInUpstreamOrder) {
  auto v = find(Level::Baseline, "host namespaces",
                R"({"hostIPC":true,"hostPID":true,"hostNetwork":true,"containers":[{"name":"a"}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, "hostNetwork=true, hostPID=true, hostIPC=true");
}

TEST(HostNamespacesCheck, FalseIsAllowed) {
  EXPECT_FALSE(find(Level::Baseline, "host namespaces",
                    R"({"hostNetwork":false,"containers":[{"name":"a"}]})"));
}

TEST(HostPortsCheck, NamesContainersAndSortsPortsAsStrings) {
  auto v = find(Level::Baseline, "hostPort", R"({"containers":[
      {"name":"a","ports":[{"containerPort":80,"hostPort":8080},{"containerPort":81}]},
      {"name":"b","ports":[{"containerPort":80,"hostPort":9090},{"containerPort":82,"hostPort":0}]},
      {"name":"c","ports":[{"containerPort":80,"hostPort":80}]}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(containers "a", "b", "c" use hostPorts 80, 8080, 9090)");
}

TEST(HostPortsCheck, SingularForms) {
  auto v = find(Level::Baseline, "hostPort",
                R"({"initContainers":[{"name":"i","ports":[{"hostPort":53}]}],"containers":[{"name":"a"}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(container "i" uses hostPort 53)");
}

TEST(WindowsHostProcessCheck, PodAndContainers) {
  auto v = find(Level::Baseline, "hostProcess", R"({
      "securityContext":{"windowsOptions":{"hostProcess":true}},
      "containers":[{"name":"a","securityContext":{"windowsOptions":{"hostProcess":true}}},
                    {"name":"b","securityContext":{"windowsOptions":{"hostProcess":false}}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail,
            R"(pod and container "a" must not set securityContext.windowsOptions.hostProcess=true)");
}

TEST(WindowsHostProcessCheck, ContainersOnly) {
  auto v = find(Level::Baseline, "hostProcess", R"({"containers":[
      {"name":"a","securityContext":{"windowsOptions":{"hostProcess":true}}},
      {"name":"b","securityContext":{"windowsOptions":{"hostProcess":true}}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail,
            R"(containers "a", "b" must not set securityContext.windowsOptions.hostProcess=true)");
}

}  // namespace
}  // namespace kcpp::apiserver::admission::podsecurity::testing
