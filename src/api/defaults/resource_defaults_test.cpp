#include <gtest/gtest.h>

#include "api/defaults/resource_defaults.h"

namespace kcpp::api::defaults {
namespace {

namespace json = boost::json;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(ResourceDefaults, PersistentVolumesAndClaimsHaveAStatus) {
  json::object pv = parse(R"({"spec":{"hostPath":{"path":"/data"}}})");
  defaultPersistentVolume(pv);
  EXPECT_EQ(pv, json::parse(R"({"spec":{"hostPath":{"path":"/data","type":""}},"status":{}})"));
  json::object pvc = parse(R"({"spec":{},"status":{"phase":"Bound"}})");
  defaultPersistentVolumeClaim(pvc);
  EXPECT_EQ(pvc.at("status"), json::parse(R"({"phase":"Bound"})"));
  pvc = parse(R"({"spec":{}})");
  defaultPersistentVolumeClaim(pvc);
  EXPECT_EQ(pvc.at("status"), json::object());
}

TEST(ResourceDefaults, NodeAllocatableFromCapacity) {
  json::object node = parse(R"({"status":{"capacity":{"cpu":"4","pods":"110"}}})");
  defaultNode(node);
  EXPECT_EQ(node.at("status").at("allocatable"), json::parse(R"({"cpu":"4","pods":"110"})"));
  node = parse(R"({"status":{"capacity":{"cpu":"4"},"allocatable":{"cpu":"3"}}})");
  defaultNode(node);
  EXPECT_EQ(node.at("status").at("allocatable"), json::parse(R"({"cpu":"3"})"));
  node = parse(R"({"spec":{}})");
  defaultNode(node);
  EXPECT_EQ(node, json::parse(R"({"spec":{}})"));
}

TEST(ResourceDefaults, LimitRangeContainerItems) {
  json::object lr = parse(R"({"spec":{"limits":[
      {"type":"Container","max":{"cpu":"2","memory":"1Gi"},"min":{"cpu":"100m","ephemeral-storage":"1Gi"},
       "default":{"memory":"512Mi"}},
      {"type":"Container"},
      {"type":"Pod","max":{"cpu":"4"}}]}})");
  defaultLimitRange(lr);
  const json::array& items = lr.at("spec").at("limits").as_array();
  EXPECT_EQ(items[0].at("default"), json::parse(R"({"memory":"512Mi","cpu":"2"})"));
  EXPECT_EQ(items[0].at("defaultRequest"),
            json::parse(R"({"memory":"512Mi","cpu":"2","ephemeral-storage":"1Gi"})"));
  EXPECT_EQ(items[1], json::parse(R"({"type":"Container"})"));
  EXPECT_EQ(items[2], json::parse(R"({"type":"Pod","max":{"cpu":"4"}})"));
}

TEST(ResourceDefaults, NetworkPolicyTypes) {
  json::object np = parse(R"({"spec":{"podSelector":{}}})");
  defaultNetworkPolicy(np);
  EXPECT_EQ(np.at("spec").at("policyTypes"), json::array{"Ingress"});
  np = parse(R"({"spec":{"egress":[{}]}})");
  defaultNetworkPolicy(np);
  EXPECT_EQ(np.at("spec").at("policyTypes"), (json::array{"Ingress", "Egress"}));
  np = parse(R"({"spec":{"egress":[{}],"policyTypes":["Egress"]}})");
  defaultNetworkPolicy(np);
  EXPECT_EQ(np.at("spec").at("policyTypes"), json::array{"Egress"});
  np = parse(R"({"metadata":{}})");
  defaultNetworkPolicy(np);
  EXPECT_EQ(np.at("spec").at("policyTypes"), json::array{"Ingress"});
}

TEST(ResourceDefaults, SubjectGroupsByKind) {
  json::object rb = parse(R"({"subjects":[{"kind":"User","name":"u"},{"kind":"Group","name":"g",
      "apiGroup":""},{"kind":"ServiceAccount","name":"s","namespace":"n"},
      {"kind":"User","name":"x","apiGroup":"example.com"},{"name":"nokind"}]})");
  defaultRoleBinding(rb);
  const json::array& s = rb.at("subjects").as_array();
  EXPECT_EQ(s[0].at("apiGroup"), "rbac.authorization.k8s.io");
  EXPECT_EQ(s[1].at("apiGroup"), "rbac.authorization.k8s.io");
  EXPECT_FALSE(s[2].as_object().contains("apiGroup"));
  EXPECT_EQ(s[3].at("apiGroup"), "example.com");
  EXPECT_FALSE(s[4].as_object().contains("apiGroup"));
}

}  // namespace
}  // namespace kcpp::api::defaults
