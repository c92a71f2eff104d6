#pragma once
// The bootstrap RBAC policy `kcpp server` ensures at every start, as upstream's
// rbac/bootstrappolicy and its PostStartHook: the default ClusterRoles
// (cluster-admin, admin/edit/view with their aggregation, system:* roles) and
// their bindings. Missing objects are created; existing ones annotated
// rbac.authorization.kubernetes.io/autoupdate: "true" get missing rules,
// labels and subjects added (never removed); others are left as users edited them.

#include <boost/asio/awaitable.hpp>

#include "apiserver/registry/registry.h"
#include "util/error.h"

namespace kcpp::cmd {

boost::asio::awaitable<Result<void>> ensureRbacBootstrapPolicy(
    apiserver::Registry& clusterRoles, apiserver::Registry& clusterRoleBindings);

}  // namespace kcpp::cmd
