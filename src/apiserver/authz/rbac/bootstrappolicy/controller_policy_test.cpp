#include "apiserver/authz/rbac/bootstrappolicy/controller_policy.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "apiserver/authz/rbac/bootstrappolicy/cluster_policy.h"
#include "apiserver/authz/rbac/bootstrappolicy/namespace_policy.h"

namespace kcpp::apiserver::rbac::bootstrap {
namespace {

namespace json = boost::json;

// A rule as upstream's testdata writes it (sorted lists).
json::value yamlRule(const char* text) { return json::parse(text); }

const json::object& find(const std::vector<json::object>& objects, const std::string& name,
                         const std::string& ns = "") {
  for (const auto& o : objects) {
    const auto& meta = o.at("metadata").as_object();
    std::string objectNs =
        meta.contains("namespace") ? std::string(meta.at("namespace").as_string()) : std::string();
    if (meta.at("name").as_string() == name && objectNs == ns) return o;
  }
  static const json::object none;
  ADD_FAILURE() << "no " << name << " in " << ns;
  return none;
}

TEST(ControllerPolicy, ReplicaSetControllerHasUpstreamsExactRules) {
  auto roles = controllerRoles();
  const json::object& role = find(roles, "system:controller:replicaset-controller");
  json::array want{
      yamlRule(R"({"verbs":["get","list","update","watch"],"apiGroups":["apps","extensions"],
                   "resources":["replicasets"]})"),
      yamlRule(R"({"verbs":["update"],"apiGroups":["apps","extensions"],
                   "resources":["replicasets/status"]})"),
      yamlRule(R"({"verbs":["update"],"apiGroups":["apps","extensions"],
                   "resources":["replicasets/finalizers"]})"),
      yamlRule(R"({"verbs":["create","delete","list","patch","watch"],"apiGroups":[""],
                   "resources":["pods"]})"),
      yamlRule(R"({"verbs":["create","patch","update"],"apiGroups":["","events.k8s.io"],
                   "resources":["events"]})")};
  EXPECT_EQ(role.at("rules"), json::value(want));
  EXPECT_EQ(role.at("kind"), "ClusterRole");
  const auto& meta = role.at("metadata").as_object();
  EXPECT_EQ(meta.at("labels").at("kubernetes.io/bootstrapping"), "rbac-defaults");
  EXPECT_EQ(meta.at("annotations").at("rbac.authorization.kubernetes.io/autoupdate"), "true");
}

TEST(ControllerPolicy, DeploymentNamespaceAndCertificateControllers) {
  auto roles = controllerRoles();
  const json::array& deployment =
      find(roles, "system:controller:deployment-controller").at("rules").as_array();
  ASSERT_EQ(deployment.size(), 6u);
  EXPECT_EQ(deployment[3], yamlRule(R"({"verbs":["create","delete","get","list","patch","update",
      "watch"],"apiGroups":["apps","extensions"],"resources":["replicasets"]})"));
  EXPECT_EQ(deployment[4], yamlRule(R"({"verbs":["get","list","update","watch"],"apiGroups":[""],
      "resources":["pods"]})"));

  const json::array& ns =
      find(roles, "system:controller:namespace-controller").at("rules").as_array();
  ASSERT_EQ(ns.size(), 3u);
  EXPECT_EQ(ns[1], yamlRule(R"({"verbs":["update"],"apiGroups":[""],
      "resources":["namespaces/finalize","namespaces/status"]})"));
  EXPECT_EQ(ns[2], yamlRule(R"({"verbs":["delete","deletecollection","get","list","watch"],
      "apiGroups":["*"],"resources":["*"]})"));

  const json::array& csr =
      find(roles, "system:controller:certificate-controller").at("rules").as_array();
  ASSERT_EQ(csr.size(), 6u);
  EXPECT_EQ(csr[3], yamlRule(R"({"verbs":["sign"],"apiGroups":["certificates.k8s.io"],
      "resources":["signers"],"resourceNames":["kubernetes.io/kube-apiserver-client",
      "kubernetes.io/kube-apiserver-client-kubelet","kubernetes.io/kubelet-serving",
      "kubernetes.io/legacy-unknown"]})"));
}

TEST(ControllerPolicy, EveryRoleHasABindingToItsServiceAccount) {
  auto roles = controllerRoles();
  auto bindings = controllerRoleBindings(roles);
  ASSERT_EQ(roles.size(), bindings.size());
  std::set<std::string> names;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    std::string name(roles[i].at("metadata").at("name").as_string());
    ASSERT_EQ(name.rfind("system:controller:", 0), 0u) << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
    const json::object& b = bindings[i];
    EXPECT_EQ(b.at("kind"), "ClusterRoleBinding");
    EXPECT_EQ(b.at("metadata").at("name"), json::value(name));
    EXPECT_EQ(b.at("roleRef"), json::parse(R"({"apiGroup":"rbac.authorization.k8s.io",
        "kind":"ClusterRole","name":")" + name +
                                           "\"}"));
    json::array subjects{
        json::object{{"kind", "ServiceAccount"},
                     {"name", name.substr(std::string("system:controller:").size())},
                     {"namespace", "kube-system"}}};
    EXPECT_EQ(b.at("subjects"), json::value(subjects));
  }
  // Upstream v1.33's roles with default feature gates.
  for (const char* controller : {"attachdetach-controller",
                                 "certificate-controller",
                                 "clusterrole-aggregation-controller",
                                 "cronjob-controller",
                                 "daemon-set-controller",
                                 "deployment-controller",
                                 "disruption-controller",
                                 "endpoint-controller",
                                 "endpointslice-controller",
                                 "endpointslicemirroring-controller",
                                 "ephemeral-volume-controller",
                                 "expand-controller",
                                 "generic-garbage-collector",
                                 "horizontal-pod-autoscaler",
                                 "job-controller",
                                 "legacy-service-account-token-cleaner",
                                 "namespace-controller",
                                 "node-controller",
                                 "persistent-volume-binder",
                                 "pod-garbage-collector",
                                 "pv-protection-controller",
                                 "pvc-protection-controller",
                                 "replicaset-controller",
                                 "replication-controller",
                                 "resourcequota-controller",
                                 "root-ca-cert-publisher",
                                 "route-controller",
                                 "selinux-warning-controller",
                                 "service-account-controller",
                                 "service-cidrs-controller",
                                 "service-controller",
                                 "statefulset-controller",
                                 "ttl-after-finished-controller",
                                 "ttl-controller",
                                 "validatingadmissionpolicy-status-controller"}) {
    EXPECT_EQ(names.count(std::string("system:controller:") + controller), 1u) << controller;
  }
  EXPECT_EQ(names.size(), 35u);
}

TEST(ClusterPolicy, SchedulerAndControllerManagerAsUpstream) {
  auto roles = clusterRoles();
  const json::array& scheduler = find(roles, "system:kube-scheduler").at("rules").as_array();
  ASSERT_EQ(scheduler.size(), 18u);
  EXPECT_EQ(scheduler[2], yamlRule(R"({"verbs":["get","update"],"apiGroups":["coordination.k8s.io"],
      "resources":["leases"],"resourceNames":["kube-scheduler"]})"));
  EXPECT_EQ(scheduler[5], yamlRule(R"({"verbs":["create"],"apiGroups":[""],
      "resources":["bindings","pods/binding"]})"));
  EXPECT_EQ(scheduler[14], yamlRule(R"({"verbs":["get","list","watch"],
      "apiGroups":["storage.k8s.io"],"resources":["csinodes"]})"));

  const json::array& kcm = find(roles, "system:kube-controller-manager").at("rules").as_array();
  ASSERT_EQ(kcm.size(), 11u);
  EXPECT_EQ(kcm[2], yamlRule(R"({"verbs":["get","update"],"apiGroups":["coordination.k8s.io"],
      "resources":["leases"],"resourceNames":["kube-controller-manager"]})"));
  EXPECT_EQ(kcm[10], yamlRule(R"({"verbs":["create"],"apiGroups":[""],
      "resources":["serviceaccounts/token"]})"));

  const json::array& volume = find(roles, "system:volume-scheduler").at("rules").as_array();
  EXPECT_EQ(volume[0], yamlRule(R"({"verbs":["get","list","patch","update","watch"],
      "apiGroups":[""],"resources":["persistentvolumes"]})"));

  auto bindings = clusterRoleBindings();
  EXPECT_EQ(find(bindings, "system:volume-scheduler").at("subjects"),
            json::parse(R"([{"kind":"User","apiGroup":"rbac.authorization.k8s.io",
                             "name":"system:kube-scheduler"}])"));
}

TEST(ClusterPolicy, ComponentRolesAndBindings) {
  auto roles = clusterRoles();
  EXPECT_EQ(find(roles, "system:auth-delegator").at("rules"),
            json::parse(R"([{"verbs":["create"],"apiGroups":["authentication.k8s.io"],
                             "resources":["tokenreviews"]},
                            {"verbs":["create"],"apiGroups":["authorization.k8s.io"],
                             "resources":["subjectaccessreviews"]}])"));
  EXPECT_EQ(find(roles, "system:monitoring").at("rules"),
            json::parse(R"([{"verbs":["get"],"nonResourceURLs":["/healthz","/healthz/*","/livez",
                             "/livez/*","/metrics","/metrics/slis","/readyz","/readyz/*"]}])"));
  EXPECT_EQ(find(roles, "system:certificates.k8s.io:kubelet-serving-approver").at("rules"),
            json::parse(R"([{"verbs":["approve"],"apiGroups":["certificates.k8s.io"],
                             "resources":["signers"],"resourceNames":["kubernetes.io/kubelet-serving"]}])"));
  std::set<std::string> names;
  for (const auto& r : roles) names.insert(std::string(r.at("metadata").at("name").as_string()));
  EXPECT_EQ(names.size(), roles.size());
  auto bindings = clusterRoleBindings();
  EXPECT_EQ(find(bindings, "system:service-account-issuer-discovery").at("subjects"),
            json::parse(R"([{"kind":"Group","apiGroup":"rbac.authorization.k8s.io",
                             "name":"system:serviceaccounts"}])"));
  EXPECT_EQ(find(bindings, "system:node-proxier").at("subjects"),
            json::parse(R"([{"kind":"User","apiGroup":"rbac.authorization.k8s.io",
                             "name":"system:kube-proxy"}])"));
  for (const auto& b : bindings) {
    const auto& ref = b.at("roleRef").at("name").as_string();
    EXPECT_TRUE(names.count(std::string(ref))) << ref;
  }
}

TEST(NamespacePolicy, RolesAndBindingsOfKubeSystemAndKubePublic) {
  auto roles = namespaceRoles();
  EXPECT_EQ(roles.size(), 8u);  // upstream's 7, and kcpp's bootstrap CA reader
  const json::object& reader =
      find(roles, "extension-apiserver-authentication-reader", "kube-system");
  EXPECT_EQ(reader.at("kind"), "Role");
  EXPECT_EQ(reader.at("rules"), json::parse(R"([{"verbs":["get","list","watch"],"apiGroups":[""],
      "resources":["configmaps"],"resourceNames":["extension-apiserver-authentication"]}])"));
  const json::object& signer = find(roles, "system:controller:bootstrap-signer", "kube-public");
  EXPECT_EQ(signer.at("rules").as_array()[1], yamlRule(R"({"verbs":["update"],"apiGroups":[""],
      "resources":["configmaps"],"resourceNames":["cluster-info"]})"));
  find(roles, "system:controller:bootstrap-signer", "kube-system");
  find(roles, "system:controller:token-cleaner", "kube-system");
  find(roles, "system::leader-locking-kube-scheduler", "kube-system");

  // Joining nodes (system:bootstrappers) may read the cluster CA, nothing else there.
  EXPECT_EQ(find(roles, "kcpp:bootstrap-root-ca-reader", "kube-public").at("rules"),
            json::value(json::array{yamlRule(R"({"verbs":["get"],"apiGroups":[""],"resources":["configmaps"],
                                                 "resourceNames":["kube-root-ca.crt"]})")}));

  auto bindings = namespaceRoleBindings();
  EXPECT_EQ(bindings.size(), 8u);
  EXPECT_EQ(find(bindings, "kcpp:bootstrap-root-ca-reader", "kube-public").at("subjects"),
            json::parse(R"([{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"system:bootstrappers"}])"));
  const json::object& lock =
      find(bindings, "system::leader-locking-kube-controller-manager", "kube-system");
  EXPECT_EQ(lock.at("roleRef").at("kind"), "Role");
  EXPECT_EQ(lock.at("subjects").as_array().size(), 3u);
  const json::object& publicSigner =
      find(bindings, "system:controller:bootstrap-signer", "kube-public");
  EXPECT_EQ(publicSigner.at("subjects"),
            json::parse(R"([{"kind":"ServiceAccount","name":"bootstrap-signer",
                             "namespace":"kube-system"}])"));
}

}  // namespace
}  // namespace kcpp::apiserver::rbac::bootstrap
