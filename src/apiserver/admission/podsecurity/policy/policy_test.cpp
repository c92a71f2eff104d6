#include "apiserver/admission/podsecurity/policy/policy_test_support.h"

namespace kcpp::apiserver::admission::podsecurity::testing {
namespace {

constexpr const char* kPrivilegedPod =
    R"({"containers":[{"name":"c","image":"nginx","securityContext":{"privileged":true}}]})";

constexpr const char* kRestrictedPod = R"({
    "securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
    "containers":[{"name":"c","image":"nginx","securityContext":{
        "allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"],"add":["NET_BIND_SERVICE"]}}}],
    "volumes":[{"name":"v","configMap":{"name":"x"}}]})";

TEST(EvaluatePod, PrivilegedLevelAllowsEverything) {
  EXPECT_TRUE(evaluate(Level::Privileged, kPrivilegedPod).empty());
}

TEST(EvaluatePod, RestrictedMessageMatchesUpstreams) {
  auto violations = evaluate(Level::Restricted, kPrivilegedPod);
  EXPECT_EQ(forbiddenDetail(violations),
            R"(privileged (container "c" must not set securityContext.privileged=true), )"
            R"(allowPrivilegeEscalation != false (container "c" must set )"
            R"(securityContext.allowPrivilegeEscalation=false), unrestricted capabilities )"
            R"((container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != )"
            R"(true (pod or container "c" must set securityContext.runAsNonRoot=true), )"
            R"(seccompProfile (pod or container "c" must set securityContext.seccompProfile.type )"
            R"(to "RuntimeDefault" or "Localhost"))");
  EXPECT_EQ(forbiddenReasons(violations),
            "privileged, allowPrivilegeEscalation != false, unrestricted capabilities, "
            "runAsNonRoot != true, seccompProfile");
}

TEST(EvaluatePod, BaselineChecksRunInIdOrder) {
  // One violation per baseline check, each named by its reason.
  auto violations = evaluate(Level::Baseline, R"({
      "hostNetwork":true,
      "securityContext":{"seLinuxOptions":{"user":"u"},"seccompProfile":{"type":"Unconfined"},
                         "sysctls":[{"name":"kernel.msgmax","value":"1"}],
                         "windowsOptions":{"hostProcess":true},
                         "appArmorProfile":{"type":"Unconfined"}},
      "containers":[{"name":"c","ports":[{"hostPort":1}],"securityContext":{
          "privileged":true,"procMount":"Unmasked","capabilities":{"add":["SYS_ADMIN"]}}}],
      "volumes":[{"name":"h","hostPath":{"path":"/"}}]})");
  std::vector<std::string> reasons;
  for (const Violation& v : violations) reasons.push_back(v.reason);
  EXPECT_EQ(reasons, (std::vector<std::string>{
                         "forbidden AppArmor profile", "non-default capabilities", "host namespaces",
                         "hostPath volumes", "hostPort", "privileged", "procMount", "seLinuxOptions",
                         "seccompProfile", "forbidden sysctls", "hostProcess"}));
}

TEST(EvaluatePod, CompliantPodPassesEveryLevel) {
  EXPECT_TRUE(evaluate(Level::Restricted, kRestrictedPod).empty());
  EXPECT_TRUE(evaluate(Level::Baseline, kRestrictedPod).empty());
  EXPECT_TRUE(evaluate(Level::Baseline, R"({"containers":[{"name":"c","image":"nginx"}]})").empty());
}

TEST(EvaluatePod, MalformedFieldsDoNotCrash) {
  EXPECT_NO_THROW(evaluate(Level::Restricted, R"({"containers":"x","volumes":[1,null],
      "securityContext":[],"initContainers":[null,{"securityContext":7}]})"));
}

TEST(ForbiddenDetail, ReasonWithoutDetailHasNoParentheses) {
  EXPECT_EQ(forbiddenDetail({{"a", ""}, {"b", "x"}}), "a, b (x)");
}

}  // namespace
}  // namespace kcpp::apiserver::admission::podsecurity::testing
