#include <gtest/gtest.h>

#include "api/validation/test_support.h"

namespace kcpp::api::validation {
namespace {

using namespace testing;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const ResourceType kRoleBindings = type("rbac.authorization.k8s.io", "rolebindings", "RoleBinding");
const ResourceType kRoles = type("rbac.authorization.k8s.io", "roles", "Role");
const ResourceType kPdbs = type("policy", "poddisruptionbudgets", "PodDisruptionBudget");
const ResourceType kPriorityClasses = type("scheduling.k8s.io", "priorityclasses", "PriorityClass", false);
const ResourceType kLeases = type("coordination.k8s.io", "leases", "Lease");
const ResourceType kSlices = type("discovery.k8s.io", "endpointslices", "EndpointSlice");

TEST(Rbac, RoleRefIsImmutableAndSubjectsHaveKnownKinds) {
  std::string before = R"({"metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"a"},
      "subjects":[{"kind":"User","name":"alice"}]})";
  std::string after = R"({"metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"z"},
      "subjects":[{"kind":"Robot","name":"r2"}]})";
  EXPECT_THAT(check(kRoleBindings, before), IsEmpty());
  EXPECT_THAT(check(kRoleBindings, after, before),
              ElementsAre("subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
                          "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"z\"}: cannot change roleRef"));
}

TEST(Rbac, RulesNeedVerbsGroupsAndResources) {
  EXPECT_THAT(check(kRoles, R"({"metadata":{"name":"r"},"rules":[{"resources":["pods"]}]})"),
              ElementsAre("rules[0].verbs: Required value: verbs must contain at least one value",
                          "rules[0].apiGroups: Required value: resource rules must supply at least one api group"));
}

TEST(PodDisruptionBudget, MinAvailableXorMaxUnavailable) {
  EXPECT_THAT(check(kPdbs, R"({"metadata":{"name":"p"},"spec":{"minAvailable":1,"maxUnavailable":"50%"}})"),
              ElementsAre("spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000000000), "
                          "Selector:(*v1.LabelSelector)(nil), MaxUnavailable:(*intstr.IntOrString)(0xc000000000), "
                          "UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: "
                          "minAvailable and maxUnavailable cannot be both set"));
  EXPECT_THAT(check(kPdbs, R"({"metadata":{"name":"p"},"spec":{"minAvailable":"120%"}})"),
              ElementsAre("spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"120%\"}: must not be greater than 100%"));
}

TEST(PriorityClass, ValueRangeAndSystemNames) {
  EXPECT_THAT(check(kPriorityClasses, R"({"metadata":{"name":"high"},"value":2000000000})"),
              ElementsAre("value: Forbidden: maximum allowed value of a user defined priority is 1000000000"));
  EXPECT_THAT(check(kPriorityClasses, R"({"metadata":{"name":"system-x"},"value":1})"),
              ElementsAre("metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system "
                          "use only. error: system-x is not a known system priority class"));
  EXPECT_THAT(check(kPriorityClasses, R"({"metadata":{"name":"p"},"value":2})", R"({"metadata":{"name":"p"},"value":1})"),
              ElementsAre("value: Forbidden: may not be changed in an update."));
}

TEST(Lease, Durations) {
  EXPECT_THAT(check(kLeases, R"({"metadata":{"name":"l"},"spec":{"leaseDurationSeconds":0,"leaseTransitions":-1}})"),
              ElementsAre("spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
                          "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"));
}

TEST(EndpointSlice, SpecialAddressesAndDomainNames) {
  EXPECT_THAT(check(kSlices, R"({"metadata":{"name":"e"},"addressType":"IPv4","endpoints":[{"addresses":["127.0.0.1"]}]})"),
              ElementsAre("endpoints[0].addresses[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  EXPECT_THAT(check(kSlices, R"({"metadata":{"name":"e"},"addressType":"FQDN","endpoints":[{"addresses":["db.example.com","local"]}]})"),
              ElementsAre("endpoints[0].addresses[1]: Invalid value: \"local\": should be a domain with at least two segments separated by dots"));
}

TEST(EndpointSlice, AddressesAndPorts) {
  EXPECT_THAT(check(kSlices, R"({"metadata":{"name":"e"},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]},
      {"addresses":["fe80::1"]},{"addresses":[]}],"ports":[{"name":"http","port":80,"protocol":"TCP"},{"name":"http"}]})"),
              ElementsAre("endpoints[1].addresses[0]: Invalid value: \"fe80::1\": must be a valid IPv4 address",
                          "endpoints[1].addresses[0]: Invalid value: \"fe80::1\": may not be in the link-local range (169.254.0.0/16, fe80::/10)",
                          "endpoints[2].addresses: Required value: must contain at least 1 address",
                          "ports[1].name: Duplicate value: \"http\""));
}

const ResourceType kStorageClasses = type("storage.k8s.io", "storageclasses", "StorageClass", false);
const ResourceType kNodes = type("", "nodes", "Node", false);

TEST(StorageClass, ProvisionerAndImmutableFields) {
  EXPECT_THAT(check(kStorageClasses, R"({"metadata":{"name":"s"},"provisioner":"example.com/disk"})"), IsEmpty());
  EXPECT_THAT(check(kStorageClasses, R"({"metadata":{"name":"s"},"volumeBindingMode":"Later"})"),
              ElementsAre("provisioner: Required value",
                          "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", \"WaitForFirstConsumer\""));
  EXPECT_THAT(check(kStorageClasses, R"({"metadata":{"name":"s"},"provisioner":"b.io/x","parameters":{"a":"2"}})",
                    R"({"metadata":{"name":"s"},"provisioner":"a.io/x","parameters":{"a":"1"}})"),
              ElementsAre("parameters: Forbidden: updates to parameters are forbidden.",
                          "provisioner: Forbidden: updates to provisioner are forbidden."));
}

TEST(Node, TaintsAndPodCIDRs) {
  EXPECT_THAT(check(kNodes, R"({"metadata":{"name":"n"},"spec":{"taints":[{"key":"k","effect":"NoSchedule"},
      {"key":"k","effect":"NoSchedule"},{"key":"j"}]}})"),
              ElementsAre("metadata.taints[1]: Duplicate value: core.Taint{Key:\"k\", Value:\"\", Effect:\"NoSchedule\", "
                          "TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair",
                          "metadata.taints[2].effect: Required value"));
  EXPECT_THAT(check(kNodes, R"({"metadata":{"name":"n"},"spec":{"podCIDRs":["10.1.0.0/24"]}})",
                    R"({"metadata":{"name":"n"},"spec":{"podCIDRs":["10.0.0.0/24"]}})"),
              ElementsAre("spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid"));
}

}  // namespace
}  // namespace kcpp::api::validation
