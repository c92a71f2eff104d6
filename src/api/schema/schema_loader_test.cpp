#include <gtest/gtest.h>

#include "api/schema/schema_set.h"

namespace kcpp::api {
namespace {

namespace json = boost::json;

// Loads one in-memory file and returns the error message ("" if it loaded).
std::string loadError(std::string_view text) {
  SchemaFile files[] = {{"test.yaml", text}};
  auto set = SchemaSet::load(files);
  return set ? "" : set.error().message;
}

SchemaSet loadOk(std::vector<SchemaFile> files) {
  auto set = SchemaSet::load(files);
  EXPECT_TRUE(set) << (set ? "" : set.error().message);
  return set ? std::move(*set) : SchemaSet();
}

TEST(SchemaLoader, EveryEmbeddedFileLoads) {
  auto set = SchemaSet::loadBuiltin();
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_GE(embeddedSchemaFiles().size(), 3u);
  EXPECT_NE(set->definition("io.k8s.api.core.v1.Pod"), nullptr);
  EXPECT_NE(set->definition("core.v1.Pod"), nullptr);
  EXPECT_NE(set->definition("meta.v1.ObjectMeta"), nullptr);
  EXPECT_NE(set->definition("autoscaling.v1.Scale"), nullptr);
}

TEST(SchemaLoader, ExpandsFieldsAsUpstreamPublishesThem) {
  auto set = SchemaSet::loadBuiltin();
  ASSERT_TRUE(set);
  const json::object& spec = *set->definition("core.v1.PodSpec");
  const json::object& props = spec.at("properties").as_object();
  const json::object& restart = props.at("restartPolicy").as_object();
  EXPECT_EQ(restart.at("type"), "string");
  EXPECT_EQ(restart.at("default"), "Always");
  EXPECT_EQ(restart.at("enum"), (json::array{"Always", "Never", "OnFailure"}));
  EXPECT_NE(restart.at("description").as_string().find("Possible enum values"), json::string::npos);
  EXPECT_EQ(props.at("terminationGracePeriodSeconds").at("format"), "int64");
  EXPECT_EQ(props.at("terminationGracePeriodSeconds").at("default"), 30);
  EXPECT_EQ(props.at("enableServiceLinks").at("default"), true);

  const json::object& containers = props.at("containers").as_object();
  EXPECT_EQ(containers.at("type"), "array");
  EXPECT_EQ(containers.at("items").at("$ref"), "#/components/schemas/io.k8s.api.core.v1.Container");
  EXPECT_EQ(containers.at("x-kubernetes-patch-merge-key"), "name");
  EXPECT_EQ(containers.at("x-kubernetes-patch-strategy"), "merge");
  EXPECT_EQ(containers.at("x-kubernetes-list-type"), "map");
  EXPECT_EQ(containers.at("x-kubernetes-list-map-keys"), json::array{"name"});
  EXPECT_NE(std::find(spec.at("required").as_array().begin(), spec.at("required").as_array().end(),
                      json::value("containers")),
            spec.at("required").as_array().end());

  // A reference with a description beside it is an allOf, as upstream publishes it.
  const json::object& sc = props.at("securityContext").as_object();
  EXPECT_EQ(sc.at("allOf").at(0).at("$ref"),
            "#/components/schemas/io.k8s.api.core.v1.PodSecurityContext");
  EXPECT_TRUE(sc.contains("description"));
  const json::object& nodeSelector = props.at("nodeSelector").as_object();
  EXPECT_EQ(nodeSelector.at("additionalProperties").at("type"), "string");
  EXPECT_EQ(nodeSelector.at("x-kubernetes-map-type"), "atomic");
}

TEST(SchemaLoader, SharedTypes) {
  auto set = SchemaSet::loadBuiltin();
  ASSERT_TRUE(set);
  const json::object& ios = *set->definition("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  EXPECT_EQ(ios.at("format"), "int-or-string");
  EXPECT_EQ(ios.at("oneOf").as_array().size(), 2u);
  const json::object& q = *set->definition("io.k8s.apimachinery.pkg.api.resource.Quantity");
  EXPECT_EQ(q.at("oneOf").as_array().size(), 2u);
  const json::object& time = *set->definition("meta.v1.Time");
  EXPECT_EQ(time.at("format"), "date-time");
  const json::object& meta = *set->definition("meta.v1.ObjectMeta");
  EXPECT_EQ(meta.at("properties").at("creationTimestamp").at("allOf").at(0).at("$ref"),
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time");
  const json::object& limits =
      set->definition("core.v1.ResourceRequirements")->at("properties").at("limits").as_object();
  EXPECT_EQ(limits.at("additionalProperties").at("$ref"),
            "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity");
  EXPECT_EQ(set->definition("meta.v1.FieldsV1")->at("type"), "object");
}

TEST(SchemaLoader, FindsKinds) {
  auto set = SchemaSet::loadBuiltin();
  ASSERT_TRUE(set);
  EXPECT_EQ(set->rootName("", "v1", "Pod"), "io.k8s.api.core.v1.Pod");
  EXPECT_EQ(set->rootName("autoscaling", "v1", "Scale"), "io.k8s.api.autoscaling.v1.Scale");
  EXPECT_EQ(set->rootName("", "v1", "DeleteOptions"), "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
  EXPECT_EQ(set->rootName("", "v1", "NoSuchKind"), "");
  EXPECT_EQ(set->rootFor("", "v1", "Nope"), nullptr);
  const json::array& gvk = set->rootFor("", "v1", "Pod")->at("x-kubernetes-group-version-kind").as_array();
  EXPECT_EQ(gvk, (json::array{json::object{{"group", ""}, {"kind", "Pod"}, {"version", "v1"}}}));
}

TEST(SchemaLoader, ClosureAndGroupVersionSchemas) {
  auto set = SchemaSet::loadBuiltin();
  ASSERT_TRUE(set);
  auto names = set->closure({"io.k8s.api.core.v1.ConfigMap"});
  EXPECT_NE(std::find(names.begin(), names.end(), "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
            names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "io.k8s.apimachinery.pkg.apis.meta.v1.Time"),
            names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "io.k8s.api.core.v1.PodSpec"), names.end());
  json::object core = set->schemasForGroupVersion("", "v1");
  EXPECT_TRUE(core.contains("io.k8s.api.core.v1.Container"));
  EXPECT_TRUE(core.contains("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"));
  EXPECT_FALSE(core.contains("io.k8s.api.autoscaling.v1.Scale"));
  json::object withScale = set->schemasForGroupVersion("", "v1", {"io.k8s.api.autoscaling.v1.Scale"});
  EXPECT_TRUE(withScale.contains("io.k8s.api.autoscaling.v1.ScaleSpec"));
}

TEST(SchemaLoader, ShortNames) {
  EXPECT_EQ(fullDefinitionName("core.v1.Pod"), "io.k8s.api.core.v1.Pod");
  EXPECT_EQ(fullDefinitionName("apps.v1.Deployment"), "io.k8s.api.apps.v1.Deployment");
  EXPECT_EQ(fullDefinitionName("networking.v1.Ingress"), "io.k8s.api.networking.v1.Ingress");
  EXPECT_EQ(fullDefinitionName("meta.v1.Time"), "io.k8s.apimachinery.pkg.apis.meta.v1.Time");
  EXPECT_EQ(fullDefinitionName("io.k8s.apimachinery.pkg.runtime.RawExtension"),
            "io.k8s.apimachinery.pkg.runtime.RawExtension");
  EXPECT_EQ(fullDefinitionName("foo.v1.Bar"), "");
  EXPECT_EQ(fullDefinitionName("core.Pod"), "");
  EXPECT_EQ(fullDefinitionName("core.v1.pod"), "");
}

TEST(SchemaLoader, ReferencesMayCrossFiles) {
  SchemaFile files[] = {
      {"a.yaml", "definitions:\n  core.v1.A:\n    fields:\n      b: {type: \"[]core.v1.B\"}\n"},
      {"b.yaml", "definitions:\n  core.v1.B:\n    type: string\n"}};
  SchemaSet set = loadOk({files[0], files[1]});
  EXPECT_NE(set.definition("core.v1.B"), nullptr);
}

TEST(SchemaLoader, TypesDefaultsByFieldType) {
  SchemaSet set = loadOk({{"a.yaml",
                           "definitions:\n  core.v1.A:\n    fields:\n"
                           "      n: {type: int32, default: 30}\n"
                           "      s: {type: string, default: \"10\", enum: [\"10\", Always]}\n"
                           "      b: {type: boolean, default: true}\n"
                           "      o: {type: core.v1.A, default: {}}\n"
                           "      free: {type: object}\n"}});
  const json::object& p = set.definition("core.v1.A")->at("properties").as_object();
  EXPECT_EQ(p.at("n").at("default"), 30);
  EXPECT_EQ(p.at("s").at("default"), "10");
  EXPECT_EQ(p.at("s").at("enum"), (json::array{"10", "Always"}));
  EXPECT_EQ(p.at("b").at("default"), true);
  EXPECT_EQ(p.at("o").at("default"), json::object());
  EXPECT_EQ(p.at("o").at("allOf").at(0).at("$ref"), "#/components/schemas/io.k8s.api.core.v1.A");
  EXPECT_EQ(p.at("free").at("x-kubernetes-preserve-unknown-fields"), true);
}

TEST(SchemaLoader, RejectsBadData) {
  EXPECT_EQ(loadError("definitions:\n  core.v1.A:\n    fields:\n      x: {type: string}\n"), "");
  EXPECT_EQ(loadError("definitions:\n  core.v1.A:\n    fields:\n      x: {type: string, defualt: a}\n"),
            "schema data test.yaml: core.v1.A.x: unknown key \"defualt\"");
  EXPECT_EQ(loadError("definitions:\n  core.v1.A:\n    feilds: {}\n"),
            "schema data test.yaml: core.v1.A: unknown key \"feilds\"");
  EXPECT_EQ(loadError("definitions:\n  core.v1.A:\n    fields:\n      x: {type: core.v1.Missing}\n"),
            "schema data test.yaml: core.v1.A.x: references \"io.k8s.api.core.v1.Missing\", which "
            "no file defines");
  EXPECT_EQ(loadError("definitions:\n  core.v1.A:\n    fields:\n      x: {type: \"[]strin\"}\n"),
            "schema data test.yaml: core.v1.A.x: type \"[]strin\": type \"strin\": neither a built-in "
            "type word nor a definition name (group.version.Name or io.k8s.…)");
  EXPECT_NE(loadError("definitions:\n  core.v1.A:\n    fields:\n      x: {description: d}\n"), "");
  EXPECT_NE(loadError("definitions:\n  core.v1.A:\n    type: string\n  core.v1.A:\n    type: string\n"),
            "");
  EXPECT_NE(loadError("definitions:\n  core.v1.A:\n    type: string\n    fields: {}\n"), "");
  EXPECT_NE(loadError("definitions:\n  core.v1.A:\n    kind: [v1]\n    type: string\n"), "");
  EXPECT_NE(loadError("definitions:\n  core.v1.A:\n    fields:\n      x: {type: string, list: {type: map}}\n"),
            "");
  EXPECT_NE(loadError("definitions:\n  core.v1.A:\n    fields:\n      x: {type: string, patch: {strategy: x}}\n"),
            "");
  EXPECT_NE(loadError("definitions: [\n"), "");
  EXPECT_NE(loadError("types: {}\n"), "");
}

TEST(SchemaLoader, RejectsAKindGivenTwice) {
  SchemaFile files[] = {{"a.yaml", "definitions:\n  core.v1.A:\n    kind: [v1, A]\n    type: object\n"},
                        {"b.yaml", "definitions:\n  core.v1.B:\n    kind: [v1, A]\n    type: object\n"}};
  auto set = SchemaSet::load(files);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().message,
            "schema data b.yaml: core.v1.B: kind A is already given by io.k8s.api.core.v1.A");
}

TEST(SchemaLoader, SeveralKinds) {
  SchemaSet set = loadOk({{"a.yaml",
                           "definitions:\n  meta.v1.D:\n    kind:\n      - [v1, D]\n      - [apps/v1, D]\n"
                           "    type: object\n"}});
  EXPECT_EQ(set.rootName("apps", "v1", "D"), "io.k8s.apimachinery.pkg.apis.meta.v1.D");
  EXPECT_EQ(set.rootName("", "v1", "D"), "io.k8s.apimachinery.pkg.apis.meta.v1.D");
}

}  // namespace
}  // namespace kcpp::api
