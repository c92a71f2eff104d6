#include "apiserver/authz/rbac/bootstrappolicy/controller_policy.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "apiserver/authz/rbac/bootstrappolicy/policy_builders.h"

namespace kcpp::apiserver::rbac::bootstrap {

namespace {

// A controller's name and the rules of its role.
using ControllerRules = std::pair<const char*, json::array>;

constexpr const char* kApps = "apps";
constexpr const char* kExtensions = "extensions";
constexpr const char* kBatch = "batch";
constexpr const char* kStorage = "storage.k8s.io";
constexpr const char* kCertificates = "certificates.k8s.io";
constexpr const char* kDiscovery = "discovery.k8s.io";
constexpr const char* kNetworking = "networking.k8s.io";

// Controllers of workloads: apps, batch and autoscaling.
void addWorkloadControllers(std::vector<ControllerRules>& out) {
  out.emplace_back("cronjob-controller",
                   json::array{rule({"get", "list", "watch", "update"}, {kBatch}, {"cronjobs"}),
                               rule({"get", "list", "watch", "create", "update", "delete", "patch"},
                                    {kBatch}, {"jobs"}),
                               rule({"update"}, {kBatch}, {"cronjobs/status"}),
                               rule({"update"}, {kBatch}, {"cronjobs/finalizers"}),
                               rule({"list", "watch", "delete"}, {""}, {"pods"}), eventsRule()});
  out.emplace_back("daemon-set-controller",
                   json::array{rule(kRead, {kExtensions, kApps}, {"daemonsets"}),
                               rule({"update"}, {kExtensions, kApps}, {"daemonsets/status"}),
                               rule({"update"}, {kExtensions, kApps}, {"daemonsets/finalizers"}),
                               rule({"list", "watch"}, {""}, {"nodes"}),
                               rule({"list", "watch", "create", "delete", "patch"}, {""}, {"pods"}),
                               rule({"create"}, {""}, {"pods/binding"}),
                               rule({"get", "list", "watch", "create", "delete", "update", "patch"},
                                    {kApps}, {"controllerrevisions"}),
                               eventsRule()});
  out.emplace_back(
      "deployment-controller",
      json::array{rule({"get", "list", "watch", "update"}, {kExtensions, kApps}, {"deployments"}),
                  rule({"update"}, {kExtensions, kApps}, {"deployments/status"}),
                  rule({"update"}, {kExtensions, kApps}, {"deployments/finalizers"}),
                  rule({"get", "list", "watch", "create", "update", "patch", "delete"},
                       {kApps, kExtensions}, {"replicasets"}),
                  // Upstream keeps "update" on pods (kubernetes#36897).
                  rule({"get", "list", "watch", "update"}, {""}, {"pods"}), eventsRule()});
  out.emplace_back("disruption-controller",
                   json::array{rule(kRead, {kExtensions, kApps}, {"deployments"}),
                               rule(kRead, {kApps, kExtensions}, {"replicasets"}),
                               rule(kRead, {""}, {"replicationcontrollers"}),
                               rule(kRead, {"policy"}, {"poddisruptionbudgets"}),
                               rule(kRead, {kApps}, {"statefulsets"}),
                               rule({"update"}, {"policy"}, {"poddisruptionbudgets/status"}),
                               rule({"patch", "update"}, {""}, {"pods/status"}),
                               rule({"get"}, {"*"}, {"*/scale"}), eventsRule()});
  out.emplace_back(
      "horizontal-pod-autoscaler",
      json::array{rule(kRead, {"autoscaling"}, {"horizontalpodautoscalers"}),
                  rule({"update"}, {"autoscaling"}, {"horizontalpodautoscalers/status"}),
                  rule({"get", "update"}, {"*"}, {"*/scale"}),
                  rule({"list", "watch"}, {""}, {"pods"}),
                  // The resource, custom and external metrics APIs.
                  rule({"list", "watch"}, {"metrics.k8s.io"}, {"pods"}),
                  rule(kRead, {"custom.metrics.k8s.io"}, {"*"}),
                  rule(kRead, {"external.metrics.k8s.io"}, {"*"}), eventsRule()});
  out.emplace_back(
      "job-controller",
      json::array{rule({"get", "list", "watch", "update", "patch"}, {kBatch}, {"jobs"}),
                  rule({"update"}, {kBatch}, {"jobs/status"}),
                  rule({"update"}, {kBatch}, {"jobs/finalizers"}),
                  rule({"list", "watch", "create", "delete", "patch"}, {""}, {"pods"}),
                  eventsRule()});
  out.emplace_back(
      "replicaset-controller",
      json::array{rule({"get", "list", "watch", "update"}, {kApps, kExtensions}, {"replicasets"}),
                  rule({"update"}, {kApps, kExtensions}, {"replicasets/status"}),
                  rule({"update"}, {kApps, kExtensions}, {"replicasets/finalizers"}),
                  rule({"list", "watch", "patch", "create", "delete"}, {""}, {"pods"}),
                  eventsRule()});
  out.emplace_back(
      "replication-controller",
      json::array{rule({"get", "list", "watch", "update"}, {""}, {"replicationcontrollers"}),
                  rule({"update"}, {""}, {"replicationcontrollers/status"}),
                  rule({"update"}, {""}, {"replicationcontrollers/finalizers"}),
                  rule({"list", "watch", "patch", "create", "delete"}, {""}, {"pods"}),
                  eventsRule()});
  out.emplace_back(
      "statefulset-controller",
      json::array{rule({"list", "watch"}, {""}, {"pods"}), rule(kRead, {kApps}, {"statefulsets"}),
                  rule({"update"}, {kApps}, {"statefulsets/status"}),
                  rule({"update"}, {kApps}, {"statefulsets/finalizers"}),
                  rule({"get", "create", "delete", "update", "patch"}, {""}, {"pods"}),
                  rule({"get", "create", "delete", "update", "patch", "list", "watch"}, {kApps},
                       {"controllerrevisions"}),
                  rule({"get", "create", "list", "watch"}, {""}, {"persistentvolumeclaims"}),
                  rule({"update", "delete"}, {""}, {"persistentvolumeclaims"}),
                  rule({"update"}, {""}, {"pods/finalizers"}), eventsRule()});
  out.emplace_back(
      "ttl-after-finished-controller",
      json::array{rule({"get", "list", "watch", "delete"}, {kBatch}, {"jobs"}), eventsRule()});
}

// Controllers of services and their endpoints.
void addNetworkControllers(std::vector<ControllerRules>& out) {
  out.emplace_back(
      "endpoint-controller",
      json::array{rule(kRead, {""}, {"services", "pods"}),
                  rule({"get", "list", "watch", "create", "update", "delete"}, {""}, {"endpoints"}),
                  rule({"create"}, {""}, {"endpoints/restricted"}), eventsRule()});
  // Both EndpointSlice controllers set finalizers on what owns the slices they
  // create (blockOwnerDeletion in the ownerReference).
  out.emplace_back("endpointslice-controller",
                   json::array{rule(kRead, {""}, {"services", "pods", "nodes"}),
                               rule({"update"}, {""}, {"services/finalizers"}),
                               rule({"get", "list", "watch", "create", "update", "delete"},
                                    {kDiscovery}, {"endpointslices"}),
                               eventsRule()});
  out.emplace_back("endpointslicemirroring-controller",
                   json::array{rule(kRead, {""}, {"services", "endpoints"}),
                               rule({"update"}, {""}, {"services/finalizers"}),
                               rule({"update"}, {""}, {"endpoints/finalizers"}),
                               rule({"get", "list", "watch", "create", "update", "delete"},
                                    {kDiscovery}, {"endpointslices"}),
                               eventsRule()});
  out.emplace_back("route-controller",
                   json::array{rule({"list", "watch"}, {""}, {"nodes"}),
                               rule({"patch"}, {""}, {"nodes/status"}), eventsRule()});
  out.emplace_back("service-controller",
                   json::array{rule(kRead, {""}, {"services"}),
                               rule({"patch", "update"}, {""}, {"services/status"}),
                               rule({"list", "watch"}, {""}, {"nodes"}), eventsRule()});
  // MultiCIDRServiceAllocator is GA (on) in v1.33.
  out.emplace_back(
      "service-cidrs-controller",
      json::array{
          rule({"get", "list", "watch", "patch", "update"}, {kNetworking}, {"servicecidrs"}),
          rule({"patch", "update"}, {kNetworking}, {"servicecidrs/finalizers"}),
          rule({"patch", "update"}, {kNetworking}, {"servicecidrs/status"}),
          rule(kRead, {kNetworking}, {"ipaddresses"}), eventsRule()});
}

// Controllers of nodes, volumes and claims.
void addNodeAndStorageControllers(std::vector<ControllerRules>& out) {
  out.emplace_back(
      "attachdetach-controller",
      json::array{
          rule({"list", "watch"}, {""}, {"persistentvolumes", "persistentvolumeclaims"}),
          rule(kRead, {""}, {"nodes"}), rule({"patch", "update"}, {""}, {"nodes/status"}),
          rule({"list", "watch"}, {""}, {"pods"}), eventsRule(),
          rule({"get", "create", "delete", "list", "watch"}, {kStorage}, {"volumeattachments"}),
          rule(kRead, {kStorage}, {"csidrivers"}), rule(kRead, {kStorage}, {"csinodes"})});
  out.emplace_back(
      "expand-controller",
      json::array{rule({"get", "list", "watch", "update", "patch"}, {""}, {"persistentvolumes"}),
                  rule({"update", "patch"}, {""}, {"persistentvolumeclaims/status"}),
                  rule(kRead, {""}, {"persistentvolumeclaims"}), eventsRule(),
                  // The portworx volume plugin.
                  rule({"get"}, {""}, {"services"})});
  out.emplace_back(
      "ephemeral-volume-controller",
      json::array{rule(kRead, {""}, {"pods"}), rule({"update"}, {""}, {"pods/finalizers"}),
                  rule({"get", "list", "watch", "create"}, {""}, {"persistentvolumeclaims"}),
                  eventsRule()});
  out.emplace_back(
      "node-controller",
      json::array{rule({"get", "list", "watch", "update", "delete", "patch"}, {""}, {"nodes"}),
                  rule({"patch", "update"}, {""}, {"nodes/status"}),
                  // To mark pods of lost nodes before deleting them.
                  rule({"patch", "update"}, {""}, {"pods/status"}),
                  rule({"list", "watch", "get", "delete"}, {""}, {"pods"}), eventsRule()});
  out.emplace_back(
      "persistent-volume-binder",
      json::array{
          rule({"get", "list", "watch", "update", "create", "delete"}, {""}, {"persistentvolumes"}),
          rule({"update"}, {""}, {"persistentvolumes/status"}),
          rule({"get", "list", "watch", "update"}, {""}, {"persistentvolumeclaims"}),
          rule({"update"}, {""}, {"persistentvolumeclaims/status"}),
          rule({"list", "watch", "get", "create", "delete"}, {""}, {"pods"}),
          rule(kRead, {kStorage}, {"storageclasses"}), rule({"list", "watch"}, {""}, {"nodes"}),
          eventsRule(),
          // The recycler watches its pod's events.
          rule({"watch"}, {""}, {"events"}),
          // The portworx volume plugin.
          rule({"get"}, {""}, {"services"})});
  out.emplace_back(
      "pod-garbage-collector",
      json::array{rule({"list", "watch", "delete"}, {""}, {"pods"}), rule(kRead, {""}, {"nodes"}),
                  rule({"patch"}, {""}, {"pods/status"})});
  out.emplace_back(
      "ttl-controller",
      json::array{rule({"update", "patch", "list", "watch"}, {""}, {"nodes"}), eventsRule()});
  out.emplace_back(
      "pvc-protection-controller",
      json::array{rule({"get", "list", "watch", "update"}, {""}, {"persistentvolumeclaims"}),
                  rule({"list", "watch", "get"}, {""}, {"pods"}), eventsRule()});
  out.emplace_back("pv-protection-controller", json::array{rule({"get", "list", "watch", "update"},
                                                                {""}, {"persistentvolumes"}),
                                                           eventsRule()});
  // SELinuxChangePolicy is beta (on) in v1.33.
  out.emplace_back(
      "selinux-warning-controller",
      json::array{eventsRule(), rule(kRead, {""}, {"persistentvolumes"}),
                  rule(kRead, {""}, {"persistentvolumeclaims"}), rule(kRead, {""}, {"pods"}),
                  rule(kRead, {kStorage}, {"csidrivers"})});
}

// Controllers of the API machinery: garbage collection, namespaces, quota,
// service accounts, certificates and policies.
void addApiMachineryControllers(std::vector<ControllerRules>& out) {
  // Full power on cluster roles, so that it may write any aggregated rule.
  out.emplace_back("clusterrole-aggregation-controller",
                   json::array{rule({"escalate", "get", "list", "watch", "update", "patch"},
                                    {"rbac.authorization.k8s.io"}, {"clusterroles"})});
  out.emplace_back(
      "generic-garbage-collector",
      json::array{rule({"get", "list", "watch", "patch", "update", "delete"}, {"*"}, {"*"}),
                  eventsRule()});
  out.emplace_back(
      "namespace-controller",
      json::array{rule({"get", "list", "watch", "delete"}, {""}, {"namespaces"}),
                  rule({"update"}, {""}, {"namespaces/finalize", "namespaces/status"}),
                  rule({"get", "list", "watch", "delete", "deletecollection"}, {"*"}, {"*"})});
  // Quota counts any resource, so it lists and watches everything.
  out.emplace_back("resourcequota-controller",
                   json::array{rule({"list", "watch"}, {"*"}, {"*"}),
                               rule({"update"}, {""}, {"resourcequotas/status"}), eventsRule()});
  out.emplace_back("service-account-controller",
                   json::array{rule({"create"}, {""}, {"serviceaccounts"}), eventsRule()});
  out.emplace_back(
      "certificate-controller",
      json::array{
          rule({"get", "list", "watch", "delete"}, {kCertificates}, {"certificatesigningrequests"}),
          rule({"update"}, {kCertificates},
               {"certificatesigningrequests/status", "certificatesigningrequests/approval"}),
          namedRule({"approve"}, {kCertificates}, {"signers"},
                    {"kubernetes.io/kube-apiserver-client-kubelet"}),
          namedRule(
              {"sign"}, {kCertificates}, {"signers"},
              {"kubernetes.io/legacy-unknown", "kubernetes.io/kube-apiserver-client",
               "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving"}),
          rule({"create"}, {"authorization.k8s.io"}, {"subjectaccessreviews"}), eventsRule()});
  out.emplace_back("root-ca-cert-publisher",
                   json::array{rule({"create", "update"}, {""}, {"configmaps"}), eventsRule()});
  out.emplace_back(
      "validatingadmissionpolicy-status-controller",
      json::array{rule(kRead, {"admissionregistration.k8s.io"}, {"validatingadmissionpolicies"}),
                  rule({"get", "patch", "update"}, {"admissionregistration.k8s.io"},
                       {"validatingadmissionpolicies/status"}),
                  eventsRule()});
  out.emplace_back("legacy-service-account-token-cleaner",
                   json::array{namedRule({"get"}, {""}, {"configmaps"},
                                         {"kube-apiserver-legacy-service-account-token-tracking"}),
                               rule({"patch", "delete"}, {""}, {"secrets"})});
}

std::vector<ControllerRules> allControllerRules() {
  std::vector<ControllerRules> out;
  addNodeAndStorageControllers(out);
  addWorkloadControllers(out);
  addNetworkControllers(out);
  addApiMachineryControllers(out);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return std::string_view(a.first) < b.first; });
  return out;
}

}  // namespace

std::vector<json::object> controllerRoles() {
  std::vector<json::object> roles;
  for (auto& [controller, rules] : allControllerRules()) {
    roles.push_back(clusterRole(std::string(kControllerRolePrefix) + controller, std::move(rules)));
  }
  return roles;
}

std::vector<json::object> controllerRoleBindings(const std::vector<json::object>& roles) {
  std::vector<json::object> bindings;
  bindings.reserve(roles.size());
  for (const auto& role : roles) {
    std::string name(role.at("metadata").at("name").as_string());
    std::string controller = name.substr(std::string_view(kControllerRolePrefix).size());
    bindings.push_back(clusterRoleBinding(
        name, name, json::array{serviceAccountSubject("kube-system", controller)}));
  }
  return bindings;
}

}  // namespace kcpp::apiserver::rbac::bootstrap
