#include <gtest/gtest.h>

#include "api/validation/test_support.h"

namespace kcpp::api::validation {
namespace {

using namespace testing;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const ResourceType kDeployments = type("apps", "deployments", "Deployment");
const ResourceType kStatefulSets = type("apps", "statefulsets", "StatefulSet");
const ResourceType kDaemonSets = type("apps", "daemonsets", "DaemonSet");

std::string deployment(std::string_view selector, std::string_view labels, std::string_view extra = "") {
  return R"({"metadata":{"name":"web"},"spec":{)" + std::string(extra) + R"("selector":)" + std::string(selector) +
         R"(,"template":{"metadata":{"labels":)" + std::string(labels) +
         R"(},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}})";
}

TEST(Deployment, ValidDeployment) {
  EXPECT_THAT(check(kDeployments, deployment(R"({"matchLabels":{"app":"web"}})", R"({"app":"web","x":"y"})")), IsEmpty());
}

TEST(Deployment, SelectorMustMatchTemplateLabels) {
  EXPECT_THAT(check(kDeployments, deployment(R"({"matchLabels":{"app":"web"}})", R"({"app":"other"})")),
              ElementsAre("spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: "
                          "`selector` does not match template `labels`"));
}

TEST(Deployment, SelectorRequired) {
  std::string noSelector = R"({"metadata":{"name":"web"},"spec":{"template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})";
  EXPECT_THAT(check(kDeployments, noSelector),
              ElementsAre("spec.selector: Required value",
                          "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: "
                          "`selector` does not match template `labels`"));
  EXPECT_THAT(check(kDeployments, deployment("{}", R"({"app":"web"})")),
              ElementsAre("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
                          "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"));
}

TEST(Deployment, ReplicasStrategyAndLimits) {
  EXPECT_THAT(check(kDeployments, deployment(R"({"matchLabels":{"app":"web"}})", R"({"app":"web"})",
                                             R"("replicas":-1,"revisionHistoryLimit":-2,"strategy":{"type":"RollingUpdate",
                                                "rollingUpdate":{"maxUnavailable":0,"maxSurge":"0%"}},)")),
              ElementsAre("spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                          "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, "
                          "StrVal:\"\"}: may not be 0 when `maxSurge` is 0",
                          "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0"));
  EXPECT_THAT(check(kDeployments, deployment(R"({"matchLabels":{"app":"web"}})", R"({"app":"web"})",
                                             R"("strategy":{"type":"Blue"},)")),
              ElementsAre("spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"Blue\", "
                          "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", \"RollingUpdate\""));
  EXPECT_THAT(check(kDeployments, deployment(R"({"matchLabels":{"app":"web"}})", R"({"app":"web"})",
                                             R"("strategy":{"rollingUpdate":{"maxUnavailable":"150%"}},)")),
              ElementsAre("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, "
                          "StrVal:\"150%\"}: must not be greater than 100%"));
}

TEST(Deployment, TemplateRestartPolicyAlways) {
  std::string d = R"({"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":
      {"labels":{"a":"b"}},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"nginx"}]}}}})";
  EXPECT_THAT(check(kDeployments, d),
              ElementsAre("spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""));
}

TEST(Deployment, SelectorImmutable) {
  EXPECT_THAT(check(kDeployments, deployment(R"({"matchLabels":{"app":"x"}})", R"({"app":"x"})"),
                    deployment(R"({"matchLabels":{"app":"web"}})", R"({"app":"web"})")),
              ElementsAre("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"x\"}, "
                          "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"));
}

TEST(StatefulSet, ForbiddenSpecUpdates) {
  std::string before = R"({"metadata":{"name":"s"},"spec":{"serviceName":"a","selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}}}}})";
  std::string after = R"({"metadata":{"name":"s"},"spec":{"serviceName":"b","replicas":3,"selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}}}}})";
  EXPECT_THAT(check(kStatefulSets, after, before),
              ElementsAre("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                          "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  EXPECT_THAT(check(kStatefulSets, R"({"metadata":{"name":"s"},"spec":{"podManagementPolicy":"Random","selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}}}}})"),
              ElementsAre("spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"));
}

TEST(DaemonSet, RollingUpdateNeedsOneOfSurgeAndUnavailable) {
  std::string ds = R"({"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},"updateStrategy":{"type":"RollingUpdate",
      "rollingUpdate":{"maxUnavailable":0,"maxSurge":0}},"template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"x"}]}}}})";
  EXPECT_THAT(check(kDaemonSets, ds),
              ElementsAre("spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"));
  EXPECT_THAT(check(kDaemonSets, R"({"metadata":{"name":"d"},"spec":{"template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"x"}]}}}})"),
              Contains("spec.template.metadata.labels: Invalid value: map[string]string{\"a\":\"b\"}: `selector` does not match template `labels`"));
}

}  // namespace
}  // namespace kcpp::api::validation
