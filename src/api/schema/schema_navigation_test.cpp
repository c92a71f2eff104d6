#include <gtest/gtest.h>

#include "api/schema/schema_navigation.h"

namespace kcpp::api {
namespace {

namespace json = boost::json;

class SchemaNavigation : public ::testing::Test {
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
  const json::object& pod() const { return *schemas_->rootFor("", "v1", "Pod"); }
  static SchemaSet* schemas_;
};
SchemaSet* SchemaNavigation::schemas_ = nullptr;

TEST_F(SchemaNavigation, ResolvesReferences) {
  json::object ref{{"$ref", "#/components/schemas/io.k8s.api.core.v1.PodSpec"}};
  EXPECT_EQ(&resolveSchema(*schemas_, ref), schemas_->definition("core.v1.PodSpec"));
  json::object allOf{{"allOf", json::array{ref}}, {"description", "d"}};
  EXPECT_EQ(&resolveSchema(*schemas_, allOf), schemas_->definition("core.v1.PodSpec"));
  EXPECT_EQ(referencedName(allOf), "io.k8s.api.core.v1.PodSpec");
  json::object plain{{"type", "string"}};
  EXPECT_EQ(&resolveSchema(*schemas_, plain), &plain);
  EXPECT_EQ(referencedName(plain), "");
}

TEST_F(SchemaNavigation, FieldSchema) {
  auto spec = fieldSchema(*schemas_, pod(), "spec");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->schema, schemas_->definition("core.v1.PodSpec"));
  EXPECT_TRUE(spec->property->contains("description"));
  auto containers = fieldSchema(*schemas_, *spec->schema, "containers");
  ASSERT_TRUE(containers);
  EXPECT_EQ(containers->schema->at("type"), "array");
  EXPECT_EQ(elementSchema(*schemas_, *containers->schema), schemas_->definition("core.v1.Container"));
  EXPECT_FALSE(fieldSchema(*schemas_, *spec->schema, "contaners"));
  auto nodeSelector = fieldSchema(*schemas_, *spec->schema, "nodeSelector");
  ASSERT_TRUE(nodeSelector);
  EXPECT_EQ(elementSchema(*schemas_, *nodeSelector->schema)->at("type"), "string");
  auto name = fieldSchema(*schemas_, *schemas_->definition("core.v1.Container"), "name");
  ASSERT_TRUE(name);
  EXPECT_EQ(elementSchema(*schemas_, *name->schema), nullptr);
}

TEST_F(SchemaNavigation, PatchMetadataAlongPaths) {
  auto containers = patchMetadata(*schemas_, pod(), "spec.containers");
  ASSERT_TRUE(containers);
  EXPECT_EQ(containers->strategy, "merge");
  EXPECT_EQ(containers->mergeKey, "name");
  EXPECT_EQ(containers->listType, "map");
  EXPECT_EQ(containers->listMapKeys, std::vector<std::string>{"name"});

  auto ports = patchMetadata(*schemas_, pod(), "spec.containers.ports");
  ASSERT_TRUE(ports);
  EXPECT_EQ(ports->mergeKey, "containerPort");
  EXPECT_EQ(ports->listMapKeys, (std::vector<std::string>{"containerPort", "protocol"}));

  auto volumes = patchMetadata(*schemas_, pod(), "spec.volumes");
  ASSERT_TRUE(volumes);
  EXPECT_EQ(volumes->strategy, "merge,retainKeys");

  auto finalizers = patchMetadata(*schemas_, pod(), "metadata.finalizers");
  ASSERT_TRUE(finalizers);
  EXPECT_EQ(finalizers->strategy, "merge");
  EXPECT_EQ(finalizers->listType, "set");

  auto labels = patchMetadata(*schemas_, pod(), "metadata.labels");
  ASSERT_TRUE(labels);
  EXPECT_EQ(labels->strategy, "");

  auto selector = patchMetadata(*schemas_, pod(), "spec.nodeSelector");
  ASSERT_TRUE(selector);
  EXPECT_EQ(selector->mapType, "atomic");

  EXPECT_FALSE(patchMetadata(*schemas_, pod(), "spec.contaners"));
  EXPECT_FALSE(patchMetadata(*schemas_, pod(), "metadata.labels.app"));  // a key, no field
  const json::object& limitRange = *schemas_->rootFor("", "v1", "LimitRange");
  auto limits = patchMetadata(*schemas_, limitRange, "spec.limits");
  ASSERT_TRUE(limits);
  EXPECT_EQ(limits->listType, "atomic");
}

TEST_F(SchemaNavigation, FreeForm) {
  EXPECT_TRUE(isFreeForm(*schemas_->definition("meta.v1.FieldsV1")));
  EXPECT_TRUE(isFreeForm(*schemas_->definition("io.k8s.apimachinery.pkg.runtime.RawExtension")));
  EXPECT_TRUE(isFreeForm(json::object{{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}));
  EXPECT_FALSE(isFreeForm(*schemas_->definition("core.v1.PodSpec")));
  EXPECT_FALSE(isFreeForm(json::object{{"type", "object"}, {"additionalProperties", json::object()}}));
}

}  // namespace
}  // namespace kcpp::api
