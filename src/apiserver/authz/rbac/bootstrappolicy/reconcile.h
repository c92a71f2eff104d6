#pragma once
// Upstream's reconciliation of bootstrap RBAC objects (pkg/registry/rbac/
// reconciliation, as its PostStartHook runs it: union, never removal):
//  - an existing object annotated rbac.authorization.kubernetes.io/autoupdate:
//    "false" is protected and left as it is;
//  - otherwise the expected labels and annotations it lacks are added (its own
//    values win);
//  - a Role or ClusterRole gets the expected rules its rules do not cover
//    (upstream's Covers), appended broken down one verb/group/resource each, and
//    the expected aggregation selectors it lacks; an aggregationRule the
//    expected role does not have is dropped;
//  - a binding whose roleRef differs is recreated as expected (a roleRef cannot
//    be updated); otherwise the expected subjects it lacks are appended.

#include <boost/json.hpp>

namespace kcpp::apiserver::rbac::bootstrap {

enum class ReconcileOperation { None, Update, Recreate };

struct Reconciled {
  ReconcileOperation operation = ReconcileOperation::None;
  bool isProtected = false;    // autoupdate "false": nothing is written
  boost::json::object object;  // what to write (Update / Recreate)
};

Reconciled reconcileRole(const boost::json::object& existing, const boost::json::object& expected);
Reconciled reconcileBinding(const boost::json::object& existing,
                            const boost::json::object& expected);

}  // namespace kcpp::apiserver::rbac::bootstrap
