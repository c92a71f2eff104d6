#pragma once
// The bootstrap RBAC policy `kcpp server` ensures at every start, as upstream's
// rbac/bootstrappolicy and its PostStartHook: the default ClusterRoles
// (cluster-admin, admin/edit/view with their aggregation, system:* roles), the
// controllers' system:controller:* roles, the namespaced Roles of kube-system and
// kube-public, and their bindings (src/apiserver/authz/rbac/bootstrappolicy).
// Missing objects are created; existing ones are reconciled as upstream
// (bootstrappolicy/reconcile.h): missing rules, labels, annotations and subjects
// are added, never removed, unless annotated
// rbac.authorization.kubernetes.io/autoupdate: "false".

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <atomic>

#include "apiserver/authz/rbac/bootstrappolicy/cluster_policy.h"
#include "apiserver/registry/registry.h"
#include "util/error.h"

namespace kcpp::cmd {

// The rules of the system:node ClusterRole (upstream's NodeRules), which the Node
// authorizer applies to kubelets for what its graph does not decide.
using apiserver::rbac::bootstrap::nodeRules;

// The four RBAC registries the bootstrap policy is written to.
struct RbacRegistries {
  apiserver::Registry& clusterRoles;
  apiserver::Registry& clusterRoleBindings;
  apiserver::Registry& roles;
  apiserver::Registry& roleBindings;
};

boost::asio::awaitable<Result<void>> ensureRbacBootstrapPolicy(const RbacRegistries& rbac);

// Upstream's ClusterRoleAggregationController: the rules of every ClusterRole with
// an aggregationRule become the union (deduplicated, in name order) of the rules
// of the ClusterRoles its selectors match. One pass over the current roles,
// repeated until nothing changes (admin aggregates edit, which aggregates view).
boost::asio::awaitable<Result<void>> aggregateClusterRoles(apiserver::Registry& clusterRoles);

// Runs aggregateClusterRoles after every ClusterRole change until `stopping`.
boost::asio::awaitable<void> runClusterRoleAggregation(apiserver::Registry& clusterRoles,
                                                       const std::atomic<bool>& stopping);

}  // namespace kcpp::cmd
