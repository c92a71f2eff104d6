#include "apiserver/admission/podsecurity/policy/namespace_policy.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver::admission::podsecurity {
namespace {

json::object labels(std::string_view text) { return json::parse(text).as_object(); }

TEST(PolicyFromLabels, DefaultsArePrivilegedLatest) {
  ParsedPolicy p = policyFromLabels(nullptr);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.policy.enforce.str(), "privileged:latest");
  EXPECT_EQ(p.policy.audit.str(), "privileged:latest");
  EXPECT_EQ(p.policy.warn.str(), "privileged:latest");
}

TEST(PolicyFromLabels, ReadsEachModeAndVersion) {
  json::object l = labels(R"({"pod-security.kubernetes.io/enforce":"restricted",
      "pod-security.kubernetes.io/enforce-version":"v1.25",
      "pod-security.kubernetes.io/audit":"baseline",
      "pod-security.kubernetes.io/warn":"restricted",
      "pod-security.kubernetes.io/warn-version":"latest","app":"x"})");
  ParsedPolicy p = policyFromLabels(&l);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.policy.enforce.str(), "restricted:v1.25");
  EXPECT_EQ(p.policy.audit.str(), "baseline:latest");
  EXPECT_EQ(p.policy.warn.str(), "restricted:latest");
}

TEST(PolicyFromLabels, BadValuesFailClosedForEnforceAndOpenOtherwise) {
  json::object l = labels(R"({"pod-security.kubernetes.io/enforce":"strict",
      "pod-security.kubernetes.io/enforce-version":"v1.05",
      "pod-security.kubernetes.io/audit":"none",
      "pod-security.kubernetes.io/warn":"Baseline",
      "pod-security.kubernetes.io/warn-version":"1.25"})");
  ParsedPolicy p = policyFromLabels(&l);
  EXPECT_EQ(p.policy.enforce.str(), "restricted:latest");
  EXPECT_EQ(p.policy.audit.str(), "privileged:latest");
  EXPECT_EQ(p.policy.warn.str(), "privileged:latest");
  ASSERT_EQ(p.errors.size(), 5u);
  EXPECT_EQ(p.errors[0].label, "pod-security.kubernetes.io/enforce");
  EXPECT_EQ(p.errors[0].value, "strict");
  EXPECT_EQ(p.errors[0].message, "must be one of privileged, baseline, restricted");
  EXPECT_EQ(p.errors[1].label, "pod-security.kubernetes.io/enforce-version");
  EXPECT_EQ(p.errors[1].message, "must be \"latest\" or \"v1.x\"");
  EXPECT_EQ(p.errors[4].label, "pod-security.kubernetes.io/warn-version");
}

TEST(PolicyFromLabels, VersionForms) {
  for (const char* good : {"v1.0", "v1.9", "v1.33", "v1.100"}) {
    json::object l;
    l["pod-security.kubernetes.io/enforce-version"] = good;
    EXPECT_TRUE(policyFromLabels(&l).errors.empty()) << good;
  }
  for (const char* bad : {"v1.", "v2.1", "v1.01", "v1.x", "Latest", "", "v1.-1"}) {
    json::object l;
    l["pod-security.kubernetes.io/enforce-version"] = bad;
    EXPECT_EQ(policyFromLabels(&l).errors.size(), 1u) << bad;
  }
}

}  // namespace
}  // namespace kcpp::apiserver::admission::podsecurity
