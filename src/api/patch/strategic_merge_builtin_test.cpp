// Strategic merge patch over the built-in schemas: what kubectl patch, set image,
// label and apply (its three-way patches with $setElementOrder and $retainKeys)
// send, as the documentation's "Update API Objects in Place Using kubectl patch"
// describes them.
#include "api/patch/strategic_merge_test_support.h"

namespace kcpp::patch::testing {
namespace {

constexpr const char* kDeployment = R"({
  "apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","labels":{"app":"web","tier":"front"},"finalizers":["a.io/x"]},
  "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
    "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{
      "containers":[
        {"name":"web","image":"nginx:1.24","ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]},
        {"name":"sidecar","image":"busybox","args":["sleep","3600"]}],
      "volumes":[{"name":"data","emptyDir":{}}],
      "tolerations":[{"key":"a","operator":"Exists"}]}}}})";

boost::json::value at(const std::string& merged, std::string_view pointer) {
  return boost::json::parse(merged).at_pointer(pointer);
}

class StrategicMergeBuiltinTest : public StrategicMergeTest {
 protected:
  static std::string deploymentWith(std::string_view patch) {
    return mergeBuiltin("apps", "Deployment", kDeployment, patch);
  }
};

TEST_F(StrategicMergeBuiltinTest, PatchingOneContainerKeepsTheOthers) {
  std::string got = deploymentWith(R"({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}})");
  EXPECT_EQ(at(got, "/spec/template/spec/containers"), boost::json::parse(R"([
      {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]},
      {"name":"sidecar","image":"busybox","args":["sleep","3600"]}])"));
  // A new container comes first, as upstream puts it.
  got = deploymentWith(R"({"spec":{"template":{"spec":{"containers":[{"name":"log","image":"fluentd"}]}}}})");
  EXPECT_EQ(at(got, "/spec/template/spec/containers/0/name"), "log");
  EXPECT_EQ(at(got, "/spec/template/spec/containers/2/name"), "sidecar");
}

TEST_F(StrategicMergeBuiltinTest, NestedListsMergeByTheirKeys) {
  std::string got = deploymentWith(
      R"({"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"containerPort":80,"name":"www"}]}]}}}})");
  EXPECT_EQ(at(got, "/spec/template/spec/containers/0/ports"),
            boost::json::parse(R"([{"containerPort":80,"name":"www"},{"containerPort":443}])"));
  // args has no patch strategy: replaced.
  got = deploymentWith(R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","args":["true"]}]}}}})");
  EXPECT_EQ(at(got, "/spec/template/spec/containers/1/args"), boost::json::parse(R"(["true"])"));
  // tolerations neither.
  got = deploymentWith(R"({"spec":{"template":{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}}})");
  EXPECT_EQ(at(got, "/spec/template/spec/tolerations"), boost::json::parse(R"([{"key":"b","operator":"Exists"}])"));
}

TEST_F(StrategicMergeBuiltinTest, LabelsAndFinalizers) {
  std::string got = deploymentWith(R"({"metadata":{"labels":{"tier":null,"env":"prod"},"finalizers":["b.io/y"]}})");
  EXPECT_EQ(at(got, "/metadata/labels"), boost::json::parse(R"({"app":"web","env":"prod"})"));
  EXPECT_EQ(at(got, "/metadata/finalizers"), boost::json::parse(R"(["b.io/y","a.io/x"])"));
  got = deploymentWith(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a.io/x"]}})");
  EXPECT_EQ(at(got, "/metadata/finalizers"), boost::json::array());
}

TEST_F(StrategicMergeBuiltinTest, ApplyRemovingFieldsAndChangingTheStrategy) {
  // What kubectl apply sends when the manifest drops a label and the web
  // container's ports and switches to the Recreate strategy.
  std::string got = deploymentWith(R"({
      "metadata":{"labels":{"tier":null}},
      "spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"},
        "template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
                            "containers":[{"name":"web","ports":null}]}}}})");
  EXPECT_EQ(at(got, "/metadata/labels"), boost::json::parse(R"({"app":"web"})"));
  EXPECT_EQ(at(got, "/spec/strategy"), boost::json::parse(R"({"type":"Recreate"})"));
  EXPECT_EQ(at(got, "/spec/template/spec/containers"), boost::json::parse(R"([
      {"name":"web","image":"nginx:1.24"},{"name":"sidecar","image":"busybox","args":["sleep","3600"]}])"));
}

TEST_F(StrategicMergeBuiltinTest, ApplyReorderingAndDeletingContainers) {
  std::string got = deploymentWith(R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"log"},{"name":"web"}],
      "containers":[{"name":"log","image":"fluentd"},{"name":"sidecar","$patch":"delete"}]}}}})");
  EXPECT_EQ(at(got, "/spec/template/spec/containers/0"), boost::json::parse(R"({"name":"log","image":"fluentd"})"));
  EXPECT_EQ(at(got, "/spec/template/spec/containers/1/name"), "web");
  EXPECT_EQ(at(got, "/spec/template/spec/containers").as_array().size(), 2u);
}

TEST_F(StrategicMergeBuiltinTest, VolumesRetainKeys) {
  std::string got = deploymentWith(R"({"spec":{"template":{"spec":{
      "$setElementOrder/volumes":[{"name":"data"}],
      "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cm"},"name":"data"}]}}}})");
  EXPECT_EQ(at(got, "/spec/template/spec/volumes"), boost::json::parse(R"([{"name":"data","configMap":{"name":"cm"}}])"));
}

TEST_F(StrategicMergeBuiltinTest, ListMapWithoutPatchStrategyIsReplaced) {
  EXPECT_MERGED(mergeBuiltin("", "Pod",
                             R"({"spec":{"containers":[{"name":"c","resources":{"claims":[{"name":"a"},{"name":"b"}]}}]}})",
                             R"({"spec":{"containers":[{"name":"c","resources":{"claims":[{"name":"z"}]}}]}})"),
                R"({"spec":{"containers":[{"name":"c","resources":{"claims":[{"name":"z"}]}}]}})");
}

TEST_F(StrategicMergeBuiltinTest, ScaleAndUnknownFields) {
  EXPECT_MERGED(mergeBuiltin("autoscaling", "Scale", R"({"spec":{"replicas":1},"status":{"replicas":1}})",
                             R"({"spec":{"replicas":5}})"),
                R"({"spec":{"replicas":5},"status":{"replicas":1}})");
  EXPECT_EQ(mergeBuiltin("", "Pod", R"({"spec":{"bogus":{"a":1}}})", R"({"spec":{"bogus":{"b":1}}})"),
            "error 500: unable to find api field in struct PodSpec for the json field \"bogus\"");
}

}  // namespace
}  // namespace kcpp::patch::testing
