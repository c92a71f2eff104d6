#include <gtest/gtest.h>

#include "api/validation/test_support.h"

namespace kcpp::api::validation {
namespace {

using namespace testing;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const ResourceType kIngresses = type("networking.k8s.io", "ingresses", "Ingress");
const ResourceType kPolicies = type("networking.k8s.io", "networkpolicies", "NetworkPolicy");

TEST(Ingress, RulesOrDefaultBackend) {
  EXPECT_THAT(check(kIngresses, R"({"metadata":{"name":"i"},"spec":{}})"),
              ElementsAre("spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"));
  EXPECT_THAT(check(kIngresses, R"({"metadata":{"name":"i"},"spec":{"rules":[{"host":"example.com","http":{"paths":[
      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"svc","port":{"number":80}}}}]}}]}})"),
              IsEmpty());
}

TEST(Ingress, PathsAndBackends) {
  EXPECT_THAT(check(kIngresses, R"({"metadata":{"name":"i"},"spec":{"rules":[{"host":"10.0.0.1","http":{"paths":[
      {"path":"x","pathType":"Exact","backend":{"service":{"name":"svc"}}},
      {"path":"/a","backend":{}},
      {"path":"/b","pathType":"Prefix","backend":{"service":{"name":"svc","port":{"name":"http","number":80}}}}]}}]}})"),
              ElementsAre("spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address",
                          "spec.rules[0].http.paths[0].path: Invalid value: \"x\": must be an absolute path",
                          "spec.rules[0].http.paths[0].backend: Required value: port name or number is required",
                          "spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified",
                          "spec.rules[0].http.paths[2].backend: Invalid value: \"\": cannot set both port name & port number"));
}

TEST(NetworkPolicy, PortsAndPeers) {
  EXPECT_THAT(check(kPolicies, R"({"metadata":{"name":"n"},"spec":{"podSelector":{},"ingress":[{"ports":[{"port":0},
      {"port":"http","endPort":90}],"from":[{}]}],"policyTypes":["Sideways"]}})"),
              ElementsAre("spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                          "spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
                          "spec.ingress[0].from[0]: Required value: must specify a peer",
                          "spec.policyTypes[0]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\""));
  EXPECT_THAT(check(kPolicies, R"({"metadata":{"name":"n"},"spec":{"podSelector":{},"egress":[{"to":[{"ipBlock":
      {"cidr":"10.0.0.0/8","except":["11.0.0.0/16"]}}]}]}})"),
              IsEmpty());
  EXPECT_THAT(check(kPolicies, R"({"metadata":{"name":"n"},"spec":{"podSelector":{},"egress":[{"to":[{"ipBlock":
      {"cidr":"10.0.0.0/8","except":["10.0.0.0/8"]}}]}]}})"),
              ElementsAre(StartsWith("spec.egress[0].to[0].ipBlock.except[0]: Invalid value: \"10.0.0.0/8\": must be a strict subset")));
}

}  // namespace
}  // namespace kcpp::api::validation
