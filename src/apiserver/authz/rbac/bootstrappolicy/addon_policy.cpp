#include "apiserver/authz/rbac/bootstrappolicy/addon_policy.h"

#include "apiserver/authz/rbac/bootstrappolicy/policy_builders.h"

namespace kcpp::apiserver::rbac::bootstrap {

namespace json = boost::json;

std::vector<json::object> addonClusterRoles() {
  json::array rules{rule({"get"}, {""}, {"nodes"}),
                    rule({"get", "list", "watch", "update"}, {""}, {"persistentvolumeclaims"}),
                    rule({"get", "list", "watch", "create", "patch", "update", "delete"}, {""},
                         {"persistentvolumes"}),
                    rule({"create", "patch"}, {""}, {"events"}),
                    rule({"get", "list", "watch"}, {"storage.k8s.io"}, {"storageclasses"})};
  return {clusterRole("local-path-provisioner-role", std::move(rules))};
}

std::vector<json::object> addonClusterRoleBindings() {
  return {clusterRoleBinding("local-path-provisioner-bind", "local-path-provisioner-role",
                             json::array{serviceAccountSubject("kube-system", kLocalPathServiceAccount)})};
}

}  // namespace kcpp::apiserver::rbac::bootstrap
