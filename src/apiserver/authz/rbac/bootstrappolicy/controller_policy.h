#pragma once
// The roles of the controller-manager's controllers (upstream's controller_policy.go
// as of v1.33 with its default feature gates). Upstream's kube-controller-manager
// runs with --use-service-account-credentials: each controller calls the API as
// the ServiceAccount kube-system/<controller>, bound by the ClusterRoleBinding
// system:controller:<controller> to the ClusterRole of the same name.

#include <boost/json.hpp>
#include <vector>

namespace kcpp::apiserver::rbac::bootstrap {

// The system:controller:* ClusterRoles, in name order.
std::vector<boost::json::object> controllerRoles();
// One ClusterRoleBinding per controller role (same name and order), its subject the controller's
// ServiceAccount in kube-system.
std::vector<boost::json::object> controllerRoleBindings(
    const std::vector<boost::json::object>& controllerRoles);

}  // namespace kcpp::apiserver::rbac::bootstrap
