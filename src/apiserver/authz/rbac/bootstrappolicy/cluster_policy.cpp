#include "apiserver/authz/rbac/bootstrappolicy/cluster_policy.h"

#include <string>

#include "apiserver/authz/rbac/bootstrappolicy/policy_builders.h"

namespace kcpp::apiserver::rbac::bootstrap {

namespace {

constexpr const char* kStorage = "storage.k8s.io";
constexpr const char* kCoordination = "coordination.k8s.io";

// The label that makes a role part of the aggregated role `role`.
json::object aggregatesTo(const char* role) {
  return {{std::string(kAggregateLabelPrefix) + role, "true"}};
}

json::object aggregateToAdmin() {
  return clusterRole(
      "system:aggregate-to-admin",
      json::array{rule({"create"}, {"authorization.k8s.io"}, {"localsubjectaccessreviews"}),
                  rule(kReadWrite, {"rbac.authorization.k8s.io"}, {"rolebindings", "roles"})},
      aggregatesTo("admin"));
}

json::object aggregateToEdit() {
  return clusterRole(
      "system:aggregate-to-edit",
      json::array{rule(kRead, {""},
                       {"pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                        "services/proxy"}),
                  rule({"impersonate"}, {""}, {"serviceaccounts"}),
                  rule(kWrite, {""},
                       {"pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"}),
                  rule({"create"}, {""}, {"pods/eviction"}),
                  rule(kWrite, {""},
                       {"configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                        "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
                        "services/proxy"}),
                  rule({"create"}, {""}, {"serviceaccounts/token"}),
                  rule(kWrite, {"apps"},
                       {"daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                        "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"}),
                  rule(kWrite, {"autoscaling"}, {"horizontalpodautoscalers"}),
                  rule(kWrite, {"batch"}, {"cronjobs", "jobs"}),
                  rule(kWrite, {"policy"}, {"poddisruptionbudgets"}),
                  rule(kWrite, {"networking.k8s.io"}, {"ingresses", "networkpolicies"}),
                  rule(kReadWrite, {kCoordination}, {"leases"})},
      aggregatesTo("edit"));
}

json::object aggregateToView() {
  return clusterRole(
      "system:aggregate-to-view",
      json::array{
          rule(kRead, {""},
               {"configmaps", "endpoints", "persistentvolumeclaims",
                "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"}),
          rule(kRead, {""},
               {"bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"}),
          rule(kRead, {""}, {"namespaces"}), rule(kRead, {"discovery.k8s.io"}, {"endpointslices"}),
          rule(kRead, {"apps"},
               {"controllerrevisions", "daemonsets", "daemonsets/status", "deployments",
                "deployments/scale", "deployments/status", "replicasets", "replicasets/scale",
                "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"}),
          rule(kRead, {"autoscaling"},
               {"horizontalpodautoscalers", "horizontalpodautoscalers/status"}),
          rule(kRead, {"batch"}, {"cronjobs", "cronjobs/status", "jobs", "jobs/status"}),
          rule(kRead, {"policy"}, {"poddisruptionbudgets", "poddisruptionbudgets/status"}),
          rule(kRead, {"networking.k8s.io"}, {"ingresses", "ingresses/status", "networkpolicies"})},
      aggregatesTo("view"));
}

// What the scheduler reads to place pods, binds them with, and its leader lease.
json::object kubeScheduler() {
  return clusterRole(
      "system:kube-scheduler",
      json::array{eventsRule(),
                  // Leader election (the lease is named after the component).
                  rule({"create"}, {kCoordination}, {"leases"}),
                  namedRule({"get", "update"}, {kCoordination}, {"leases"}, {"kube-scheduler"}),
                  rule(kRead, {""}, {"nodes"}),
                  rule({"get", "list", "watch", "delete"}, {""}, {"pods"}),
                  rule({"create"}, {""}, {"pods/binding", "bindings"}),
                  rule({"patch", "update"}, {""}, {"pods/status"}),
                  // Things that select pods.
                  rule(kRead, {""}, {"services", "replicationcontrollers"}),
                  rule(kRead, {"apps", "extensions"}, {"replicasets"}),
                  rule(kRead, {"apps"}, {"statefulsets"}),
                  // Things pods use or that apply to them.
                  rule(kRead, {"policy"}, {"poddisruptionbudgets"}),
                  rule(kRead, {""}, {"persistentvolumeclaims", "persistentvolumes"}),
                  // API access checks (delegated authentication and authorization).
                  rule({"create"}, {"authentication.k8s.io"}, {"tokenreviews"}),
                  rule({"create"}, {"authorization.k8s.io"}, {"subjectaccessreviews"}),
                  rule(kRead, {kStorage}, {"csinodes"}), rule(kRead, {""}, {"namespaces"}),
                  rule(kRead, {kStorage}, {"csidrivers"}),
                  rule(kRead, {kStorage}, {"csistoragecapacities"})});
}

// What the controller-manager needs with its own identity: its shared
// informers, its leader lease, and the service accounts and tokens it hands
// to each controller (--use-service-account-credentials).
json::object kubeControllerManager() {
  return clusterRole(
      "system:kube-controller-manager",
      json::array{
          eventsRule(), rule({"create"}, {kCoordination}, {"leases"}),
          namedRule({"get", "update"}, {kCoordination}, {"leases"}, {"kube-controller-manager"}),
          rule({"create"}, {""}, {"secrets", "serviceaccounts"}),
          rule({"delete"}, {""}, {"secrets"}),
          rule({"get"}, {""}, {"namespaces", "secrets", "serviceaccounts", "configmaps"}),
          rule({"update"}, {""}, {"secrets", "serviceaccounts"}),
          rule({"create"}, {"authentication.k8s.io"}, {"tokenreviews"}),
          rule({"create"}, {"authorization.k8s.io"}, {"subjectaccessreviews"}),
          // Every shared informer.
          rule({"list", "watch"}, {"*"}, {"*"}),
          rule({"create"}, {""}, {"serviceaccounts/token"})});
}

// The scheduler's volume binding: it binds claims and volumes itself.
json::object volumeScheduler() {
  return clusterRole(
      "system:volume-scheduler",
      json::array{
          rule({"get", "list", "watch", "update", "patch"}, {""}, {"persistentvolumes"}),
          rule(kRead, {kStorage}, {"storageclasses"}),
          rule({"get", "list", "watch", "update", "patch"}, {""}, {"persistentvolumeclaims"})});
}

// The approval of a CSR for one signer (the csrapprover's check).
json::object signerApprover(const std::string& role, const char* signer) {
  return clusterRole(
      role, json::array{namedRule({"approve"}, {"certificates.k8s.io"}, {"signers"}, {signer})});
}

// Upstream's roles for other components and add-ons, which manifests bind to.
void addComponentRoles(std::vector<json::object>& roles) {
  // Delegated authentication and authorization (aggregated API servers,
  // metrics-server); both creates are non-mutating.
  roles.push_back(clusterRole(
      "system:auth-delegator",
      json::array{rule({"create"}, {"authentication.k8s.io"}, {"tokenreviews"}),
                  rule({"create"}, {"authorization.k8s.io"}, {"subjectaccessreviews"})}));
  roles.push_back(clusterRole(
      "system:heapster", json::array{rule(kRead, {""}, {"events", "pods", "nodes", "namespaces"}),
                                     rule(kRead, {"extensions"}, {"deployments"})}));
  // The aggregator sees every service, to know whether the ones it points to exist.
  roles.push_back(clusterRole("system:kube-aggregator",
                              json::array{rule(kRead, {""}, {"services", "endpoints"})}));
  roles.push_back(clusterRole(
      "system:kube-dns", json::array{rule({"list", "watch"}, {""}, {"endpoints", "services"})}));
  // What the API server may do on kubelets (logs, exec, port-forward, stats).
  roles.push_back(clusterRole(
      "system:kubelet-api-admin",
      json::array{rule(kRead, {""}, {"nodes"}), rule({"proxy"}, {""}, {"nodes"}),
                  rule({"*"}, {""}, {"nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log"})}));
  roles.push_back(clusterRole(
      "system:monitoring",
      json::array{urlRule({"get"}, {"/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics",
                                    "/metrics/slis", "/readyz", "/readyz/*"})}));
  roles.push_back(clusterRole("system:node-problem-detector",
                              json::array{rule({"get"}, {""}, {"nodes"}),
                                          rule({"patch"}, {""}, {"nodes/status"}), eventsRule()}));
  roles.push_back(
      clusterRole("system:node-proxier",
                  json::array{rule({"list", "watch"}, {""}, {"services", "endpoints"}),
                              rule(kRead, {""}, {"nodes"}), eventsRule(),
                              rule({"list", "watch"}, {"discovery.k8s.io"}, {"endpointslices"})}));
  // An external persistent volume provisioner (update: lock annotations on claims;
  // watch events: provisioning outcomes).
  roles.push_back(clusterRole(
      "system:persistent-volume-provisioner",
      json::array{rule({"get", "list", "watch", "create", "delete"}, {""}, {"persistentvolumes"}),
                  rule({"get", "list", "watch", "update"}, {""}, {"persistentvolumeclaims"}),
                  rule(kRead, {kStorage}, {"storageclasses"}), rule({"watch"}, {""}, {"events"}),
                  eventsRule()}));
  roles.push_back(clusterRole(
      "system:service-account-issuer-discovery",
      json::array{urlRule({"get"}, {"/.well-known/openid-configuration", "/openid/v1/jwks"})}));
  // The csrapprover's checks of who may have node client certificates approved.
  roles.push_back(clusterRole("system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                              json::array{rule({"create"}, {"certificates.k8s.io"},
                                               {"certificatesigningrequests/nodeclient"})}));
  roles.push_back(
      clusterRole("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
                  json::array{rule({"create"}, {"certificates.k8s.io"},
                                   {"certificatesigningrequests/selfnodeclient"})}));
  roles.push_back(signerApprover("system:certificates.k8s.io:legacy-unknown-approver",
                                 "kubernetes.io/legacy-unknown"));
  roles.push_back(signerApprover("system:certificates.k8s.io:kubelet-serving-approver",
                                 "kubernetes.io/kubelet-serving"));
  roles.push_back(signerApprover("system:certificates.k8s.io:kube-apiserver-client-approver",
                                 "kubernetes.io/kube-apiserver-client"));
  roles.push_back(
      signerApprover("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
                     "kubernetes.io/kube-apiserver-client-kubelet"));
}

}  // namespace

// Upstream's NodeRules.
json::array nodeRules() {
  return json::array{
      rule({"create"}, {"authentication.k8s.io"}, {"tokenreviews"}),
      rule({"create"}, {"authorization.k8s.io"},
           {"localsubjectaccessreviews", "subjectaccessreviews"}),
      rule(kRead, {""}, {"services"}),
      rule({"create", "get", "list", "watch"}, {""}, {"nodes"}),
      rule({"patch", "update"}, {""}, {"nodes/status"}),
      rule({"patch", "update"}, {""}, {"nodes"}),
      rule({"create", "patch", "update"}, {"", "events.k8s.io"}, {"events"}),
      rule(kRead, {""}, {"pods"}),
      rule({"create", "delete"}, {""}, {"pods"}),
      rule({"patch", "update"}, {""}, {"pods/status"}),
      rule({"create"}, {""}, {"pods/eviction"}),
      rule({"get"}, {""}, {"configmaps", "secrets"}),
      rule({"get"}, {""}, {"persistentvolumeclaims", "persistentvolumes"}),
      rule({"get"}, {""}, {"endpoints"}),
      rule({"create", "get", "list", "watch"}, {"certificates.k8s.io"},
           {"certificatesigningrequests"}),
      rule({"create", "delete", "get", "patch", "update"}, {kCoordination}, {"leases"}),
      rule({"get"}, {kStorage}, {"volumeattachments"}),
      rule({"create"}, {""}, {"serviceaccounts/token"}),
      rule(kRead, {"node.k8s.io"}, {"runtimeclasses"})};
}

std::vector<json::object> clusterRoles() {
  std::vector<json::object> roles;
  roles.push_back(
      clusterRole("cluster-admin", json::array{rule({"*"}, {"*"}, {"*"}), urlRule({"*"}, {"*"})}));
  roles.push_back(clusterRole(
      "system:discovery",
      json::array{
          urlRule({"get"}, {"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
                            "/openapi/*", "/readyz", "/version", "/version/"})}));
  roles.push_back(clusterRole(
      "system:public-info-viewer",
      json::array{urlRule({"get"}, {"/healthz", "/livez", "/readyz", "/version", "/version/"})}));
  roles.push_back(clusterRole(
      "system:basic-user",
      json::array{rule({"create"}, {"authorization.k8s.io"},
                       {"selfsubjectaccessreviews", "selfsubjectrulesreviews"}),
                  rule({"create"}, {"authentication.k8s.io"}, {"selfsubjectreviews"})}));
  // admin ⊇ edit ⊇ view through aggregation, as upstream.
  roles.push_back(aggregatedClusterRole("admin", "admin", {}));
  roles.push_back(aggregatedClusterRole("edit", "edit", aggregatesTo("admin")));
  roles.push_back(aggregatedClusterRole("view", "view", aggregatesTo("edit")));
  roles.push_back(aggregateToAdmin());
  roles.push_back(aggregateToEdit());
  roles.push_back(aggregateToView());
  roles.push_back(kubeScheduler());
  roles.push_back(volumeScheduler());
  roles.push_back(kubeControllerManager());
  roles.push_back(clusterRole("system:node", nodeRules()));
  // Upstream's role for kubelets' TLS bootstrap (bound by kcpp to the joining
  // identities below).
  roles.push_back(
      clusterRole("system:node-bootstrapper",
                  json::array{rule({"create", "get", "list", "watch"}, {"certificates.k8s.io"},
                                   {"certificatesigningrequests"})}));
  addComponentRoles(roles);
  return roles;
}

std::vector<json::object> clusterRoleBindings() {
  std::vector<json::object> bindings;
  bindings.push_back(clusterRoleBinding("cluster-admin", "cluster-admin",
                                        json::array{groupSubject("system:masters")}));
  bindings.push_back(clusterRoleBinding("system:discovery", "system:discovery",
                                        json::array{groupSubject("system:authenticated")}));
  bindings.push_back(clusterRoleBinding("system:basic-user", "system:basic-user",
                                        json::array{groupSubject("system:authenticated")}));
  bindings.push_back(clusterRoleBinding(
      "system:public-info-viewer", "system:public-info-viewer",
      json::array{groupSubject("system:authenticated"), groupSubject("system:unauthenticated")}));
  bindings.push_back(clusterRoleBinding("system:kube-scheduler", "system:kube-scheduler",
                                        json::array{userSubject("system:kube-scheduler")}));
  bindings.push_back(clusterRoleBinding("system:volume-scheduler", "system:volume-scheduler",
                                        json::array{userSubject("system:kube-scheduler")}));
  bindings.push_back(
      clusterRoleBinding("system:kube-controller-manager", "system:kube-controller-manager",
                         json::array{userSubject("system:kube-controller-manager")}));
  // As upstream: system:node is bound to no one; the Node authorizer grants
  // kubelets their permissions (and only for their own node's objects).
  bindings.push_back(clusterRoleBinding("system:node", "system:node", json::array{}));
  // The server's join token and bootstrap tokens (group system:bootstrappers)
  // may ask for node client certificates, as kubeadm's kubeadm:kubelet-bootstrap.
  bindings.push_back(clusterRoleBinding("kcpp:node-bootstrapper", "system:node-bootstrapper",
                                        json::array{groupSubject("system:bootstrappers")}));
  // What csrapproving asks before approving kubelet client certificates, as
  // kubeadm binds it: joining machines may get node client certificates, nodes
  // may renew their own.
  bindings.push_back(clusterRoleBinding("kcpp:node-autoapprove-bootstrap",
                                        "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                                        json::array{groupSubject("system:bootstrappers")}));
  bindings.push_back(clusterRoleBinding("kcpp:node-autoapprove-certificate-rotation",
                                        "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
                                        json::array{groupSubject("system:nodes")}));
  bindings.push_back(
      clusterRoleBinding("system:kube-dns", "system:kube-dns",
                         json::array{serviceAccountSubject("kube-system", "kube-dns")}));
  // The API server's client certificate towards kubelets (user
  // kube-apiserver-kubelet-client), as k3s's kube-apiserver-kubelet-admin.
  bindings.push_back(clusterRoleBinding("kube-apiserver-kubelet-admin", "system:kubelet-api-admin",
                                        json::array{userSubject("kube-apiserver-kubelet-client")}));
  bindings.push_back(clusterRoleBinding("system:monitoring", "system:monitoring",
                                        json::array{groupSubject("system:monitoring")}));
  bindings.push_back(clusterRoleBinding("system:node-proxier", "system:node-proxier",
                                        json::array{userSubject("system:kube-proxy")}));
  bindings.push_back(clusterRoleBinding("system:service-account-issuer-discovery",
                                        "system:service-account-issuer-discovery",
                                        json::array{groupSubject("system:serviceaccounts")}));
  return bindings;
}

}  // namespace kcpp::apiserver::rbac::bootstrap
