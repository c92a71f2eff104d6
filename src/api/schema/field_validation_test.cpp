#include <gtest/gtest.h>

#include "api/schema/field_validation.h"

namespace kcpp::api {
namespace {

namespace json = boost::json;

class FieldValidation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto set = SchemaSet::loadBuiltin();
    ASSERT_TRUE(set) << set.error().message;
    schemas_ = new SchemaSet(std::move(*set));
  }
  static void TearDownTestSuite() {
    delete schemas_;
    schemas_ = nullptr;
  }

  FieldCheck check(std::string_view kindRoot, std::string_view text, bool prune = false) {
    object_ = json::parse(text).as_object();
    return checkFields(*schemas_, kindRoot, object_, FieldCheckOptions{prune, false});
  }

  static SchemaSet* schemas_;
  json::object object_;
};
SchemaSet* FieldValidation::schemas_ = nullptr;

constexpr std::string_view kPod = "io.k8s.api.core.v1.Pod";
constexpr std::string_view kController = "io.k8s.api.core.v1.ReplicationController";

TEST_F(FieldValidation, AValidPodHasNoProblems) {
  auto r = check(kPod, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labels":{"x":"y"},
    "creationTimestamp":null,"managedFields":[{"manager":"m","fieldsV1":{"f:metadata":{"f:x":{}}}}]},
    "spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],
      "resources":{"limits":{"cpu":"100m","memory":"1Gi"},"requests":{"cpu":1}},
      "livenessProbe":{"httpGet":{"port":"http","path":"/"},"periodSeconds":5},
      "readinessProbe":{"tcpSocket":{"port":8080}}}],
      "nodeSelector":{"a":"b"},"restartPolicy":"Never","terminationGracePeriodSeconds":0}})");
  EXPECT_TRUE(r.unknownFields.empty());
  EXPECT_FALSE(r.typeError) << *r.typeError;
}

TEST_F(FieldValidation, UnknownFieldsInDocumentOrder) {
  auto r = check(kPod, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","nmae":"b"},
    "spec":{"contaners":[{"name":"c"}],"containers":[{"name":"c","image":"i","imagee":"x",
      "ports":[{"containerPort":1},{"containerPort":2,"prot":"TCP"}]}]},"extra":{"deep":{"x":1}}})");
  EXPECT_EQ(r.unknownFields,
            (std::vector<std::string>{"unknown field \"metadata.nmae\"", "unknown field \"spec.contaners\"",
                                      "unknown field \"spec.containers[0].imagee\"",
                                      "unknown field \"spec.containers[0].ports[1].prot\"",
                                      "unknown field \"extra\""}));
  EXPECT_FALSE(r.typeError);
  EXPECT_EQ(strictDecodingMessage({r.unknownFields[1], r.unknownFields[2]}),
            "strict decoding error: unknown field \"spec.contaners\", unknown field "
            "\"spec.containers[0].imagee\"");
}

TEST_F(FieldValidation, MapKeysAreInStrictPaths) {
  auto r = check(kPod, R"({"spec":{"containers":[{"name":"c",
    "resources":{"limits":{"cpu":"1"}},"env":[{"name":"a","valueFrom":{"secretKeyRef":{"nam":"s"}}}]}]}})");
  EXPECT_EQ(r.unknownFields,
            std::vector<std::string>{"unknown field \"spec.containers[0].env[0].valueFrom.secretKeyRef.nam\""});
}

TEST_F(FieldValidation, PruneRemovesUnknownFields) {
  auto r = check(kPod, R"({"metadata":{"name":"a","bogus":1},"spec":{"contaners":[],"containers":[{"name":"c","x":1}]}})",
                 true);
  EXPECT_EQ(r.unknownFields.size(), 3u);
  EXPECT_EQ(json::serialize(object_), R"({"metadata":{"name":"a"},"spec":{"containers":[{"name":"c"}]}})");
}

TEST_F(FieldValidation, FreeFormValuesAreNotWalked) {
  auto r = check("io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
                 R"({"type":"ADDED","object":{"anything":{"goes":[1,2]}}})");
  EXPECT_TRUE(r.unknownFields.empty());
  EXPECT_FALSE(r.typeError);
}

TEST_F(FieldValidation, ScalarTypeErrorsInGoWords) {
  EXPECT_EQ(check(kController, R"({"spec":{"replicas":"three"}})").typeError,
            "json: cannot unmarshal string into Go struct field ReplicationControllerSpec.spec.replicas of type int32");
  EXPECT_EQ(check(kController, R"({"spec":{"replicas":1.5}})").typeError,
            "json: cannot unmarshal number 1.5 into Go struct field ReplicationControllerSpec.spec.replicas of type int32");
  EXPECT_EQ(check(kController, R"({"spec":{"replicas":3000000000}})").typeError,
            "json: cannot unmarshal number 3000000000 into Go struct field ReplicationControllerSpec.spec.replicas of "
            "type int32");
  EXPECT_EQ(check(kPod, R"({"metadata":{"labels":{"a":1}}})").typeError,
            "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string");
  EXPECT_EQ(check(kPod, R"({"spec":{"containers":[{"name":"c","args":[true]}]}})").typeError,
            "json: cannot unmarshal bool into Go struct field Container.spec.containers.args of type string");
  EXPECT_EQ(check(kPod, R"({"spec":{"hostNetwork":"yes"}})").typeError,
            "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool");
}

TEST_F(FieldValidation, StructAndContainerTypeErrors) {
  EXPECT_EQ(check(kPod, R"({"spec":"x"})").typeError,
            "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec");
  EXPECT_EQ(check(kPod, R"({"spec":{"containers":{"name":"c"}}})").typeError,
            "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container");
  EXPECT_EQ(check(kPod, R"({"spec":{"containers":["c"]}})").typeError,
            "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container");
  EXPECT_EQ(check(kPod, R"({"metadata":{"labels":["a"]}})").typeError,
            "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type "
            "map[string]string");
  EXPECT_EQ(check("io.k8s.api.core.v1.Secret", R"({"data":{"a":1}})").typeError,
            "json: cannot unmarshal number into Go struct field Secret.data of type []uint8");
}

TEST_F(FieldValidation, IntOrStringAndQuantity) {
  EXPECT_FALSE(check(kPod, R"({"spec":{"containers":[{"name":"c","livenessProbe":{"httpGet":{"port":8080}}}]}})")
                   .typeError);
  EXPECT_EQ(check(kPod, R"({"spec":{"containers":[{"name":"c","livenessProbe":{"httpGet":{"port":true}}}]}})")
                .typeError,
            "json: cannot unmarshal bool into Go struct field HTTPGetAction.spec.containers.livenessProbe."
            "httpGet.port of type int32");
  EXPECT_EQ(check(kPod, R"({"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"lots"}}}]}})")
                .typeError,
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  EXPECT_FALSE(check(kPod, R"({"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":0.5,"memory":"1e3"}}}]}})")
                   .typeError);
}

TEST_F(FieldValidation, NullsAreAlwaysAccepted) {
  auto r = check(kPod, R"({"metadata":{"labels":null,"creationTimestamp":null},"spec":{"containers":null}})");
  EXPECT_FALSE(r.typeError);
  EXPECT_TRUE(r.unknownFields.empty());
}

TEST_F(FieldValidation, MergePatchDeletionsAndDirectivesAreNotUnknown) {
  json::object patch = json::parse(R"({"metadata":{"bogus":null,"labels":{"a":null}},
    "spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"name":"c","$patch":"delete"}],
    "oops":1}})").as_object();
  auto r = checkFields(*schemas_, kPod, patch, FieldCheckOptions{true, true});
  EXPECT_EQ(r.unknownFields, std::vector<std::string>{"unknown field \"spec.oops\""});
  EXPECT_FALSE(patch.at("spec").as_object().contains("oops"));
  EXPECT_TRUE(patch.at("metadata").as_object().contains("bogus"));  // a deletion, kept
  json::object object = json::parse(R"({"metadata":{"bogus":null}})").as_object();
  EXPECT_EQ(checkFields(*schemas_, kPod, object).unknownFields.size(), 1u);
}

TEST_F(FieldValidation, UnknownRootIsNoProblem) {
  json::object o = json::parse(R"({"x":1})").as_object();
  auto r = checkFields(*schemas_, "io.k8s.api.core.v1.NoSuchThing", o);
  EXPECT_TRUE(r.unknownFields.empty());
}

TEST_F(FieldValidation, ByteFieldsMustBeBase64AsGoDecodesThem) {
  auto secret = [&](std::string_view value) {
    return check("io.k8s.api.core.v1.Secret",
                 std::string(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":")") +
                     std::string(value) + "\"}}");
  };
  for (std::string_view good : {"", "YWJj", "YWI=", "YQ==", "YW\\nJj", "YWJjZA==\\r\\n"}) {
    EXPECT_FALSE(secret(good).typeError) << good;
  }
  const std::pair<std::string_view, int> bad[] = {
      {"!!notbase64", 0}, {"YWI", 0}, {"YWJj=", 4}, {"YQ==x", 4}, {"Y===", 1}, {"YWJ*", 3}, {"YQ=", 3}};
  for (const auto& [value, offset] : bad) {
    auto r = secret(value);
    ASSERT_TRUE(r.typeError) << value;
    EXPECT_EQ(*r.typeError, "illegal base64 data at input byte " + std::to_string(offset)) << value;
  }
  auto cm = check("io.k8s.api.core.v1.ConfigMap",
                  R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"binaryData":{"b":"%%"}})");
  ASSERT_TRUE(cm.typeError);
  EXPECT_EQ(*cm.typeError, "illegal base64 data at input byte 0");
}

}  // namespace
}  // namespace kcpp::api

