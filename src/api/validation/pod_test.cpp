#include <gtest/gtest.h>

#include "api/validation/test_support.h"

namespace kcpp::api::validation {
namespace {

using namespace testing;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const ResourceType kPods = type("", "pods", "Pod");

std::string pod(std::string_view spec) { return R"({"metadata":{"name":"p"},"spec":)" + std::string(spec) + "}"; }

TEST(Pod, MinimalPodIsValid) {
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"c","image":"nginx"}]})")), IsEmpty());
}

TEST(Pod, ContainersRequired) {
  EXPECT_THAT(check(kPods, pod("{}")), ElementsAre("spec.containers: Required value"));
}

TEST(Pod, ContainerNamesAndImages) {
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"a","image":"x"},{"name":"a","image":"y"}]})")),
              ElementsAre("spec.containers[1].name: Duplicate value: \"a\""));
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"A_b","image":"x"}]})")),
              ElementsAre(StartsWith("spec.containers[0].name: Invalid value: \"A_b\": a lowercase RFC 1123 label")));
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"image":"x"},{"name":"b"}]})")),
              ElementsAre("spec.containers[0].name: Required value", "spec.containers[1].image: Required value"));
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"a","image":" x"}]})")),
              ElementsAre("spec.containers[0].image: Invalid value: \" x\": must not have leading or trailing whitespace"));
}

TEST(Pod, Ports) {
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"a","image":"x","ports":[
      {"containerPort":70000},{"containerPort":80,"name":"http"},{"containerPort":81,"name":"http"},
      {"containerPort":82,"protocol":"ICMP"},{"name":"Bad_Name","containerPort":83},{}]}]})")),
              ElementsAre("spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
                          "spec.containers[0].ports[2].name: Duplicate value: \"http\"",
                          "spec.containers[0].ports[3].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                          "spec.containers[0].ports[4].name: Invalid value: \"Bad_Name\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                          "spec.containers[0].ports[5].containerPort: Required value"));
}

TEST(Pod, HostPortConflicts) {
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"a","image":"x","ports":[{"containerPort":80,"hostPort":8080}]},
      {"name":"b","image":"x","ports":[{"containerPort":81,"hostPort":8080}]}]})")),
              ElementsAre("spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\""));
}

TEST(Pod, Resources) {
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"a","image":"x","resources":{
      "limits":{"cpu":"500m","memory":"1Gi"},"requests":{"cpu":"1","memory":"-1"}}}]})")),
              ElementsAre("spec.containers[0].resources.requests[memory]: Invalid value: \"-1\": must be greater than or equal to 0",
                          "spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu limit of 500m"));
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"a","image":"x","resources":{"limits":{"foo":"1"}}}]})")),
              ElementsAre("spec.containers[0].resources.limits[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified",
                          "spec.containers[0].resources.limits[foo]: Invalid value: \"foo\": must be a standard resource for containers"));
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"a","image":"x","resources":{"requests":{"example.com/gpu":"1"}}}]})")),
              ElementsAre("spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"));
}

TEST(Pod, EnvNamesAndSources) {
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"a","image":"x","env":[
      {"name":"A=B"},{"value":"x"},{"name":"C","valueFrom":{}},
      {"name":"D","valueFrom":{"configMapKeyRef":{"name":"cm","key":"bad key"}}}]}]})")),
              ElementsAre("spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
                          "spec.containers[0].env[1].name: Required value",
                          "spec.containers[0].env[2].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                          StartsWith("spec.containers[0].env[3].valueFrom.configMapKeyRef.key: Invalid value: \"bad key\": a valid config key")));
}

TEST(Pod, VolumesAndMounts) {
  EXPECT_THAT(check(kPods, pod(R"({"volumes":[{"name":"v","emptyDir":{}},{"name":"v","emptyDir":{}},
      {"name":"w","emptyDir":{},"hostPath":{"path":"/x"}}],
      "containers":[{"name":"a","image":"x","volumeMounts":[{"name":"v","mountPath":"/a"},{"name":"x","mountPath":"/a"}]}]})")),
              ElementsAre("spec.volumes[1].name: Duplicate value: \"v\"",
                          "spec.volumes[2].hostPath: Forbidden: may not specify more than 1 volume type",
                          "spec.containers[0].volumeMounts[1].name: Not found: \"x\"",
                          "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/a\": must be unique"));
}

TEST(Pod, PoliciesAndProbes) {
  EXPECT_THAT(check(kPods, pod(R"({"restartPolicy":"Sometimes","dnsPolicy":"Weird","containers":[{"name":"a","image":"x",
      "livenessProbe":{"successThreshold":2,"periodSeconds":-1,"exec":{"command":["true"]},"tcpSocket":{"port":80}},
      "readinessProbe":{}}]})")),
              ElementsAre("spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
                          "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0",
                          "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
                          "spec.containers[0].readinessProbe: Required value: must specify a handler type",
                          "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
                          "spec.dnsPolicy: Unsupported value: \"Weird\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""));
}

TEST(Pod, Tolerations) {
  EXPECT_THAT(check(kPods, pod(R"({"containers":[{"name":"a","image":"x"}],"tolerations":[{"operator":"Equal","value":"x"}]})")),
              ElementsAre("spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
}

const char* kBase = R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx:1"}],"restartPolicy":"Always",
    "tolerations":[{"key":"k","operator":"Exists"}]}})";

TEST(PodUpdate, ImageMayChange) {
  EXPECT_THAT(check(kPods, R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx:2"}],
      "restartPolicy":"Always","tolerations":[{"key":"k","operator":"Exists"},{"key":"j","operator":"Exists"}],
      "activeDeadlineSeconds":30}})", kBase),
              IsEmpty());
}

TEST(PodUpdate, OtherFieldsMayNot) {
  auto causes = check(kPods, R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx:1"}],
      "restartPolicy":"Never","tolerations":[{"key":"k","operator":"Exists"}]}})", kBase);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_THAT(causes[0], StartsWith("spec: Forbidden: pod updates may not change fields other than "
                                    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                                    "`spec.tolerations` (only additions to existing tolerations),"
                                    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"));
  EXPECT_THAT(causes[0], ::testing::HasSubstr("RestartPolicy: \"Never\""));
}

TEST(PodUpdate, ContainersMayNotBeAddedAndTolerationsOnlyAdded) {
  EXPECT_THAT(check(kPods, R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx:1"},{"name":"d","image":"x"}]}})", kBase),
              ElementsAre("spec.containers: Forbidden: pod updates may not add or remove containers"));
  EXPECT_THAT(check(kPods, R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx:1"}],"restartPolicy":"Always"}})", kBase),
              Contains("spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"));
}

}  // namespace
}  // namespace kcpp::api::validation
