#include <gtest/gtest.h>

#include "api/meta/status.h"
#include "api/validation/test_support.h"

namespace kcpp::api::validation {
namespace {

using namespace testing;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const ResourceType kConfigMaps = type("", "configmaps", "ConfigMap");

TEST(ObjectMeta, LabelKeysAndValues) {
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","labels":{"bad key":"v"}}})"),
              ElementsAre("metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric "
                          "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                          "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                          "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
  auto long_value = std::string(64, 'v');
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","labels":{"k":")" + long_value + "\"}}}"),
              ElementsAre("metadata.labels: Invalid value: \"" + long_value +
                          "\": must be no more than 63 characters"));
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","labels":{"example.com/app":"web-1"}}})"), IsEmpty());
}

TEST(ObjectMeta, AnnotationKeysAreCaseInsensitiveAndSizeIsBounded) {
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","annotations":{"Example.COM/Key":"v"}}})"), IsEmpty());
  std::string big(256 * 1024, 'x');
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","annotations":{"k":")" + big + "\"}}}"),
              ElementsAre("metadata.annotations: Too long: may not be more than 262144 bytes"));
}

TEST(ObjectMeta, Finalizers) {
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","finalizers":["example.com/f","kubernetes"]}})"),
              IsEmpty());
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","finalizers":["custom"]}})"),
              ElementsAre("metadata.finalizers[0]: Invalid value: \"custom\": name is neither a standard finalizer "
                          "name nor is it fully qualified"));
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","finalizers":["orphan","foregroundDeletion"]}})"),
              ElementsAre("metadata.finalizers: Invalid value: []string{\"orphan\", \"foregroundDeletion\"}: "
                          "finalizer orphan and foregroundDeletion cannot be both set"));
}

TEST(ObjectMeta, OwnerReferences) {
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","ownerReferences":[{"apiVersion":"","kind":"X","name":"n","uid":"u"}]}})"),
              ElementsAre("metadata.ownerReferences.apiVersion: Invalid value: \"\": version must not be empty"));
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","ownerReferences":[
        {"apiVersion":"v1","kind":"A","name":"a","uid":"1","controller":true},
        {"apiVersion":"v1","kind":"B","name":"b","uid":"2","controller":true}]}})")[0],
              ::testing::EndsWith("Only one reference can have Controller set to true. Found \"true\" in references "
                                  "for A/a and B/b"));
}

TEST(ObjectMeta, GenerateNameAllowsATrailingDash) {
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"web-x1","generateName":"web-"}})"), IsEmpty());
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"web-x1","generateName":"Web-"}})"),
              ElementsAre(::testing::StartsWith("metadata.generateName: Invalid value: \"Web-\": a lowercase RFC 1123 subdomain")));
}

TEST(ObjectMeta, IdentityIsImmutableOnUpdate) {
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"a","uid":"2"}})", R"({"metadata":{"name":"a","uid":"1"}})"),
              ElementsAre("metadata.uid: Invalid value: \"2\": field is immutable"));
}

TEST(ObjectMeta, InvalidMessageNamesTheGroup) {
  Error e = api::invalid("Deployment", "apps", "web", {fieldRequired("spec.selector", "")});
  EXPECT_EQ(e.message, "Deployment.apps \"web\" is invalid: spec.selector: Required value");
  Error two = api::invalid("ConfigMap", "", "c", {fieldRequired("a", ""), fieldRequired("a", ""), fieldRequired("b", "")});
  EXPECT_EQ(two.message, "ConfigMap \"c\" is invalid: [a: Required value, b: Required value]");
  EXPECT_EQ(two.causes.size(), 3u);
}

}  // namespace
}  // namespace kcpp::api::validation
