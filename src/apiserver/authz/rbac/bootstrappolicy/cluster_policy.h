#pragma once
// The cluster-wide bootstrap policy (upstream's policy.go, v1.33): the default
// ClusterRoles (cluster-admin, admin/edit/view with their aggregation, the
// system:* roles of discovery, users, nodes, the scheduler, the controller-manager
// and the components and add-ons manifests bind to) and their ClusterRoleBindings.
// The per-controller roles are in controller_policy.h.

#include <boost/json.hpp>
#include <vector>

namespace kcpp::apiserver::rbac::bootstrap {

// The rules of the system:node ClusterRole (upstream's NodeRules), which the Node
// authorizer applies to kubelets for what its graph does not decide.
boost::json::array nodeRules();

std::vector<boost::json::object> clusterRoles();
std::vector<boost::json::object> clusterRoleBindings();

}  // namespace kcpp::apiserver::rbac::bootstrap
