#include <gtest/gtest.h>

#include "api/validation/test_support.h"

namespace kcpp::api::validation {
namespace {

using namespace testing;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const ResourceType kConfigMaps = type("", "configmaps", "ConfigMap");
const ResourceType kSecrets = type("", "secrets", "Secret");
const ResourceType kNamespaces = type("", "namespaces", "Namespace", false);
const ResourceType kQuotas = type("", "resourcequotas", "ResourceQuota");
const ResourceType kLimits = type("", "limitranges", "LimitRange");
const ResourceType kPvcs = type("", "persistentvolumeclaims", "PersistentVolumeClaim");

TEST(ConfigMap, Keys) {
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"c"},"data":{"a.b_c-D":"x"}})"), IsEmpty());
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"c"},"data":{"bad key":"x","..x":"y"}})"),
              ElementsAre("data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric "
                          "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                          "validation is '[-._a-zA-Z0-9]+')",
                          "data[..x]: Invalid value: \"..x\": must not start with '..'"));
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"c"},"data":{"k":"x"},"binaryData":{"k":"eA=="}})"),
              ElementsAre("data[k]: Invalid value: \"k\": duplicate of key present in binaryData"));
}

TEST(ConfigMap, TotalSize) {
  std::string big(1024 * 1024 + 1, 'x');
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"c"},"data":{"k":")" + big + "\"}}"),
              ElementsAre("[]: Too long: may not be more than 1048576 bytes"));
}

TEST(ConfigMap, ImmutableData) {
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"c"},"immutable":true,"data":{"k":"2"}})",
                    R"({"metadata":{"name":"c"},"immutable":true,"data":{"k":"1"}})"),
              ElementsAre("data: Forbidden: field is immutable when `immutable` is set"));
  EXPECT_THAT(check(kConfigMaps, R"({"metadata":{"name":"c"},"data":{"k":"1"}})",
                    R"({"metadata":{"name":"c"},"immutable":true,"data":{"k":"1"}})"),
              ElementsAre("immutable: Forbidden: field is immutable when `immutable` is set"));
}

TEST(Secret, TypesAndUpdates) {
  EXPECT_THAT(check(kSecrets, R"({"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA=="}})"),
              ElementsAre("data[tls.key]: Required value"));
  EXPECT_THAT(check(kSecrets, R"({"metadata":{"name":"s"},"type":"kubernetes.io/dockerconfigjson","data":{}})"),
              ElementsAre("data[.dockerconfigjson]: Required value"));
  EXPECT_THAT(check(kSecrets, R"({"metadata":{"name":"s"},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"eA=="}})"),
              ElementsAre("data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character 'x' looking for beginning of value"));
  EXPECT_THAT(check(kSecrets, R"({"metadata":{"name":"s"},"type":"kubernetes.io/service-account-token"})"),
              ElementsAre("metadata.annotations[kubernetes.io/service-account.name]: Required value"));
  EXPECT_THAT(check(kSecrets, R"({"metadata":{"name":"s"},"type":"Other"})", R"({"metadata":{"name":"s"},"type":"Opaque"})"),
              ElementsAre("type: Invalid value: \"Other\": field is immutable"));
}

TEST(Namespace, SpecFinalizers) {
  EXPECT_THAT(check(kNamespaces, R"({"metadata":{"name":"n"},"spec":{"finalizers":["kubernetes","bad"]}})"),
              ElementsAre("spec.finalizers: Invalid value: \"bad\": name is neither a standard finalizer name nor is it fully qualified"));
}

TEST(ResourceQuota, NamesQuantitiesAndScopes) {
  EXPECT_THAT(check(kQuotas, R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"10","cpu":"-1","storage":"1Gi"}}})"),
              ElementsAre("spec.hard[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
                          "spec.hard[storage]: Invalid value: \"storage\": must be a standard resource for quota"));
  EXPECT_THAT(check(kQuotas, R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"1"},"scopes":["BestEffort","NotBestEffort"]}})"),
              ElementsAre("spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\"}: conflicting scopes"));
}

TEST(LimitRange, MinAboveMax) {
  auto causes = check(kLimits, R"({"metadata":{"name":"l"},"spec":{"limits":[{"type":"Container","min":{"cpu":"2"},"max":{"cpu":"1"}}]}})");
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_THAT(causes[0], ::testing::StartsWith("spec.limits[0].min[cpu]: Invalid value: resource.Quantity{"));
  EXPECT_THAT(causes[0], ::testing::EndsWith(": min value 2 is greater than max value 1"));
}

TEST(PersistentVolumeClaim, AccessModesAndStorage) {
  EXPECT_THAT(check(kPvcs, R"({"metadata":{"name":"c"},"spec":{}})"),
              ElementsAre("spec.accessModes: Required value: at least 1 access mode is required",
                          "spec.resources[storage]: Required value"));
  EXPECT_THAT(check(kPvcs, R"({"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}})"),
              IsEmpty());
}

}  // namespace
}  // namespace kcpp::api::validation
