#pragma once
// The bootstrap RBAC policy `kcpp server` ensures at every start, as upstream's
// rbac/bootstrappolicy and its PostStartHook: the default ClusterRoles
// (cluster-admin, admin/edit/view with their aggregation, system:* roles) and
// their bindings. Missing objects are created; existing ones annotated
// rbac.authorization.kubernetes.io/autoupdate: "true" get missing rules,
// labels and subjects added (never removed); others are left as users edited them.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <atomic>

#include "apiserver/registry/registry.h"
#include "util/error.h"

namespace kcpp::cmd {

// The rules of the system:node ClusterRole (upstream's NodeRules), which the Node
// authorizer applies to kubelets for what its graph does not decide.
boost::json::array nodeRules();

boost::asio::awaitable<Result<void>> ensureRbacBootstrapPolicy(
    apiserver::Registry& clusterRoles, apiserver::Registry& clusterRoleBindings);

// Upstream's ClusterRoleAggregationController: the rules of every ClusterRole with
// an aggregationRule become the union (deduplicated, in name order) of the rules
// of the ClusterRoles its selectors match. One pass over the current roles,
// repeated until nothing changes (admin aggregates edit, which aggregates view).
boost::asio::awaitable<Result<void>> aggregateClusterRoles(apiserver::Registry& clusterRoles);

// Runs aggregateClusterRoles after every ClusterRole change until `stopping`.
boost::asio::awaitable<void> runClusterRoleAggregation(apiserver::Registry& clusterRoles,
                                                       const std::atomic<bool>& stopping);

}  // namespace kcpp::cmd
