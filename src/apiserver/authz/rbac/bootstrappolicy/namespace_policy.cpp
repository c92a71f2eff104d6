#include "apiserver/authz/rbac/bootstrappolicy/namespace_policy.h"

#include <string>

#include "apiserver/authz/rbac/bootstrappolicy/policy_builders.h"

namespace kcpp::apiserver::rbac::bootstrap {

namespace {

constexpr const char* kSystem = "kube-system";
constexpr const char* kPublic = "kube-public";
constexpr const char* kControllerManager = "system:kube-controller-manager";
constexpr const char* kScheduler = "system:kube-scheduler";

std::string controllerRole(const char* name) { return std::string(kControllerRolePrefix) + name; }

}  // namespace

std::vector<json::object> namespaceRoles() {
  std::vector<json::object> roles;
  // What an aggregated or extension API server reads to learn how the main one
  // authenticates its callers.
  roles.push_back(role(
      kSystem, "extension-apiserver-authentication-reader",
      json::array{namedRule(kRead, {""}, {"configmaps"}, {"extension-apiserver-authentication"})}));
  // The bootstrap signer inspects the bootstrap token Secrets of kube-system.
  roles.push_back(role(kSystem, controllerRole("bootstrap-signer"),
                       json::array{rule(kRead, {""}, {"secrets"})}));
  // Deprecated since 1.10; upstream still creates it.
  roles.push_back(
      role(kSystem, controllerRole("cloud-provider"),
           json::array{rule({"create", "get", "list", "watch"}, {""}, {"configmaps"})}));
  // The token cleaner deletes expired bootstrap token Secrets, only in kube-system.
  roles.push_back(
      role(kSystem, controllerRole("token-cleaner"),
           json::array{rule({"get", "list", "watch", "delete"}, {""}, {"secrets"}), eventsRule()}));
  roles.push_back(role(
      kSystem, "system::leader-locking-kube-controller-manager",
      json::array{rule({"watch"}, {""}, {"configmaps"}),
                  namedRule({"get", "update"}, {""}, {"configmaps"}, {"kube-controller-manager"}),
                  rule({"get", "watch", "list", "create", "update"}, {"coordination.k8s.io"},
                       {"leases"})}));
  roles.push_back(
      role(kSystem, "system::leader-locking-kube-scheduler",
           json::array{rule({"watch"}, {""}, {"configmaps"}),
                       namedRule({"get", "update"}, {""}, {"configmaps"}, {"kube-scheduler"})}));
  // The bootstrap signer signs the cluster-info ConfigMap of kube-public.
  roles.push_back(role(
      kPublic, controllerRole("bootstrap-signer"),
      json::array{rule(kRead, {""}, {"configmaps"}),
                  namedRule({"update"}, {""}, {"configmaps"}, {"cluster-info"}), eventsRule()}));
  // Joining nodes read the cluster CA (and check it against their token's hash).
  roles.push_back(role(kPublic, "kcpp:bootstrap-root-ca-reader",
                       json::array{namedRule({"get"}, {""}, {"configmaps"}, {"kube-root-ca.crt"})}));
  return roles;
}

std::vector<json::object> namespaceRoleBindings() {
  std::vector<json::object> bindings;
  bindings.push_back(
      roleBinding(kSystem, "system::extension-apiserver-authentication-reader",
                  "extension-apiserver-authentication-reader",
                  json::array{userSubject(kControllerManager), userSubject(kScheduler)}));
  // leader-election-controller: the coordinated leader election's identity.
  bindings.push_back(
      roleBinding(kSystem, "system::leader-locking-kube-controller-manager",
                  "system::leader-locking-kube-controller-manager",
                  json::array{userSubject(kControllerManager),
                              serviceAccountSubject(kSystem, "kube-controller-manager"),
                              serviceAccountSubject(kSystem, "leader-election-controller")}));
  bindings.push_back(roleBinding(
      kSystem, "system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler",
      json::array{userSubject(kScheduler), serviceAccountSubject(kSystem, "kube-scheduler")}));
  for (const char* controller : {"bootstrap-signer", "cloud-provider", "token-cleaner"}) {
    bindings.push_back(roleBinding(kSystem, controllerRole(controller), controllerRole(controller),
                                   json::array{serviceAccountSubject(kSystem, controller)}));
  }
  bindings.push_back(roleBinding(kPublic, "kcpp:bootstrap-root-ca-reader", "kcpp:bootstrap-root-ca-reader",
                                 json::array{groupSubject("system:bootstrappers")}));
  bindings.push_back(roleBinding(kPublic, controllerRole("bootstrap-signer"),
                                 controllerRole("bootstrap-signer"),
                                 json::array{serviceAccountSubject(kSystem, "bootstrap-signer")}));
  return bindings;
}

}  // namespace kcpp::apiserver::rbac::bootstrap
