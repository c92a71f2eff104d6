#pragma once
// Builders for bootstrap RBAC objects, as upstream's rbacv1helpers: every list
// in a rule is sorted (upstream's RuleOrDie sorts verbs, groups, resources,
// names and URLs), and every object carries the kubernetes.io/bootstrapping
// label and the autoupdate annotation.

#include <boost/json.hpp>
#include <initializer_list>
#include <string>

namespace kcpp::apiserver::rbac::bootstrap {

namespace json = boost::json;
using Strings = std::initializer_list<const char*>;

inline constexpr const char* kAutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";
inline constexpr const char* kAggregateLabelPrefix = "rbac.authorization.k8s.io/aggregate-to-";
// The prefix of the roles (and of their bindings) of the controller-manager's
// per-controller service accounts.
inline constexpr const char* kControllerRolePrefix = "system:controller:";

// The verb sets upstream names Read, Write and ReadWrite.
inline const Strings kRead = {"get", "list", "watch"};
inline const Strings kWrite = {"create", "delete", "deletecollection", "patch", "update"};
inline const Strings kReadWrite = {"create", "delete", "deletecollection", "get",
                                   "list",   "patch",  "update",           "watch"};

json::object rule(Strings verbs, Strings groups, Strings resources);
json::object namedRule(Strings verbs, Strings groups, Strings resources, Strings names);
json::object urlRule(Strings verbs, Strings urls);
// create/update/patch of events in the core and events.k8s.io groups.
json::object eventsRule();

json::object clusterRole(const std::string& name, json::array rules, json::object labels = {});
// A ClusterRole whose rules come from the roles labelled aggregate-to-<selects>.
json::object aggregatedClusterRole(const std::string& name, const std::string& selects,
                                   json::object labels);
json::object role(const std::string& ns, const std::string& name, json::array rules);

json::object userSubject(const std::string& name);
json::object groupSubject(const std::string& name);
json::object serviceAccountSubject(const std::string& ns, const std::string& name);

// A binding without subjects has no subjects field (upstream omits it).
json::object clusterRoleBinding(const std::string& name, const std::string& clusterRole,
                                json::array subjects);
json::object roleBinding(const std::string& ns, const std::string& name, const std::string& role,
                         json::array subjects);

}  // namespace kcpp::apiserver::rbac::bootstrap
