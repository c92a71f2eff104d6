#include <gtest/gtest.h>

#include <vector>

#include "api/defaults/schema_defaults.h"
#include "api/schema/schema_navigation.h"

namespace kcpp::api::defaults {
namespace {

namespace json = boost::json;

constexpr std::string_view kTestSchema = R"(definitions:
  core.v1.Outer:
    fields:
      name: {type: string}
      mode: {type: string, default: Auto}
      count: {type: int32, default: 3}
      flag: {type: boolean, default: true}
      size: {type: int-or-string, default: 25%}
      tags: {type: "[]string", default: [a]}
      inner: {type: core.v1.Inner}
      made: {type: core.v1.Inner, default: {}}
      items: {type: "[]core.v1.Inner"}
      byName: {type: "map[string]core.v1.Inner"}
      raw: {type: object}
      left: {type: string, default: code}
  core.v1.Inner:
    fields:
      path: {type: string, default: /}
      port: {type: int32, default: 80}
)";

class SchemaDefaults : public ::testing::Test {
 protected:
  SchemaDefaults() {
    // The test types, with meta_v1.yaml for IntOrString.
    std::vector<SchemaFile> files = {{"test.yaml", kTestSchema}};
    for (const SchemaFile& f : embeddedSchemaFiles()) {
      if (f.name == "meta_v1.yaml") files.push_back(f);
    }
    auto set = SchemaSet::load(files);
    EXPECT_TRUE(set) << set.error().message;
    if (set) schemas_ = std::move(*set);
  }

  json::object defaulted(std::string_view text, const SchemaDefaultsOptions& options = {}) {
    json::object obj = json::parse(text).as_object();
    applySchemaDefaults(schemas_, "core.v1.Outer", obj, options);
    return obj;
  }

  SchemaSet schemas_;
};

TEST_F(SchemaDefaults, SetsUnsetFieldsAndKeepsGivenOnes) {
  json::object o = defaulted(R"({"name":"x","count":0,"flag":false})");
  EXPECT_EQ(o, json::parse(R"({"name":"x","count":0,"flag":false,"mode":"Auto","size":"25%",
      "tags":["a"],"made":{"path":"/","port":80},"left":"code"})"));
}

TEST_F(SchemaDefaults, NullIsUnsetAndAnEmptyStringIsUnsetForStringFields) {
  json::object o = defaulted(R"({"mode":"","count":null,"size":"","tags":null,"made":null})");
  EXPECT_EQ(o.at("mode"), "Auto");
  EXPECT_EQ(o.at("count"), 3);
  EXPECT_EQ(o.at("size"), "");  // int-or-string: "" is a value, left for validation
  EXPECT_EQ(o.at("tags"), json::array{"a"});
  EXPECT_EQ(o.at("made"), json::parse(R"({"path":"/","port":80})"));
}

TEST_F(SchemaDefaults, NestedStructsOnlyWhereTheyExist) {
  json::object o = defaulted(R"({})");
  EXPECT_FALSE(o.contains("inner"));
  EXPECT_FALSE(o.contains("items"));
  o = defaulted(R"({"inner":{"port":8080}})");
  EXPECT_EQ(o.at("inner"), json::parse(R"({"port":8080,"path":"/"})"));
}

TEST_F(SchemaDefaults, WalksArraysAndMaps) {
  json::object o = defaulted(R"({"items":[{},{"path":"/x"},"odd"],
      "byName":{"a":{},"b":{"port":1}}})");
  EXPECT_EQ(o.at("items"), json::parse(R"([{"path":"/","port":80},{"path":"/x","port":80},"odd"])"));
  EXPECT_EQ(o.at("byName"), json::parse(R"({"a":{"path":"/","port":80},"b":{"port":1,"path":"/"}})"));
}

TEST_F(SchemaDefaults, LeavesFreeFormAndMistypedValuesAlone) {
  json::object o = defaulted(R"({"raw":{"path":null},"inner":"text","items":{"k":{}}})");
  EXPECT_EQ(o.at("raw"), json::parse(R"({"path":null})"));
  EXPECT_EQ(o.at("inner"), "text");
  EXPECT_EQ(o.at("items"), json::parse(R"({"k":{}})"));
}

TEST_F(SchemaDefaults, SkipsTheGivenProperties) {
  SchemaDefaultsOptions options;
  options.skip.push_back(fieldSchema(schemas_, *schemas_.definition("core.v1.Outer"), "left")->property);
  json::object o = defaulted("{}", options);
  EXPECT_FALSE(o.contains("left"));
  EXPECT_EQ(o.at("mode"), "Auto");
}

TEST_F(SchemaDefaults, UnknownDefinitionDoesNothing) {
  json::object o = json::parse(R"({"a":1})").as_object();
  applySchemaDefaults(schemas_, "core.v1.Missing", o);
  EXPECT_EQ(o, json::parse(R"({"a":1})"));
}

TEST_F(SchemaDefaults, IsIdempotent) {
  json::object once = defaulted(R"({"items":[{}],"made":{}})");
  json::object twice = once;
  applySchemaDefaults(schemas_, "core.v1.Outer", twice);
  EXPECT_EQ(once, twice);
}

// The built-in data: a pod's nested defaults, each only where its parent exists.
TEST(BuiltinSchemaDefaults, PodFields) {
  auto set = SchemaSet::loadBuiltin();
  ASSERT_TRUE(set) << set.error().message;
  json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],
      "env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
      "readinessProbe":{"httpGet":{"port":80}}}],
      "volumes":[{"name":"v","configMap":{"name":"cm"}},{"name":"s","secret":{"secretName":"s"}}]}})")
                         .as_object();
  applySchemaDefaults(*set, "io.k8s.api.core.v1.Pod", pod);
  const json::object& spec = pod.at("spec").as_object();
  EXPECT_EQ(spec.at("restartPolicy"), "Always");
  EXPECT_EQ(spec.at("dnsPolicy"), "ClusterFirst");
  EXPECT_EQ(spec.at("schedulerName"), "default-scheduler");
  EXPECT_EQ(spec.at("terminationGracePeriodSeconds"), 30);
  EXPECT_EQ(spec.at("securityContext"), json::object());
  const json::object& c = spec.at("containers").at(0).as_object();
  EXPECT_EQ(c.at("terminationMessagePath"), "/dev/termination-log");
  EXPECT_EQ(c.at("terminationMessagePolicy"), "File");
  EXPECT_EQ(c.at("ports").at(0).at("protocol"), "TCP");
  EXPECT_EQ(c.at("env").at(0).at("valueFrom").at("fieldRef").at("apiVersion"), "v1");
  EXPECT_EQ(c.at("readinessProbe"), json::parse(R"({"httpGet":{"port":80,"path":"/","scheme":"HTTP"},
      "timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3})"));
  EXPECT_FALSE(c.contains("livenessProbe"));
  EXPECT_EQ(spec.at("volumes").at(0).at("configMap").at("defaultMode"), 420);
  EXPECT_EQ(spec.at("volumes").at(1).at("secret").at("defaultMode"), 420);
  EXPECT_FALSE(pod.contains("status"));
}

}  // namespace
}  // namespace kcpp::api::defaults
