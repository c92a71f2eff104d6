#pragma once
// The namespaced Roles and RoleBindings of the bootstrap policy (upstream's
// namespace_policy.go, v1.33): in kube-system, the reader of the
// extension-apiserver-authentication ConfigMap, the bootstrap signer's and token
// cleaner's roles, the deprecated cloud-provider role and the leader-locking roles
// of the controller-manager and scheduler; in kube-public, the bootstrap signer's
// role on the cluster-info ConfigMap.

#include <boost/json.hpp>
#include <vector>

namespace kcpp::apiserver::rbac::bootstrap {

// Roles, each with metadata.namespace set.
std::vector<boost::json::object> namespaceRoles();
// RoleBindings, each with metadata.namespace set.
std::vector<boost::json::object> namespaceRoleBindings();

}  // namespace kcpp::apiserver::rbac::bootstrap
