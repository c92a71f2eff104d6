#pragma once
// Roles of the components k3s ships as add-ons and kcpp runs built in: the
// local-path provisioner's local-path-provisioner-role, bound by
// local-path-provisioner-bind to kube-system/local-path-provisioner-service-account
// (k3s's manifests/local-storage.yaml).

#include <boost/json.hpp>
#include <vector>

namespace kcpp::apiserver::rbac::bootstrap {

inline constexpr const char* kLocalPathServiceAccount = "local-path-provisioner-service-account";

std::vector<boost::json::object> addonClusterRoles();
std::vector<boost::json::object> addonClusterRoleBindings();

}  // namespace kcpp::apiserver::rbac::bootstrap
