#pragma once
// RbacAuthorizer: upstream's RBAC authorizer (plugin/pkg/auth/authorizer/rbac).
// Roles, ClusterRoles and their bindings are kept in an in-memory index fed by
// watch events: bindings are indexed by subject ("user" / "group" key, with
// ServiceAccount subjects as the user system:serviceaccount:<ns>:<name>), so a
// decision only looks at the bindings of the requesting user and its groups,
// never at every binding. Aggregated ClusterRoles (aggregationRule) get the union
// of their own rules and those of every ClusterRole their selectors match,
// recomputed whenever a ClusterRole changes (upstream's aggregation controller
// writes the same union into the role). Allow or NoOpinion, never Deny.

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "apiserver/authz/authorizer.h"

namespace kcpp::apiserver::rbac {

namespace json = boost::json;

struct PolicyRule {
  std::vector<std::string> verbs;
  std::vector<std::string> apiGroups;
  std::vector<std::string> resources;
  std::vector<std::string> resourceNames;
  std::vector<std::string> nonResourceURLs;
};

PolicyRule parseRule(const json::object& rule);
std::vector<PolicyRule> parseRules(const json::value* rules);

// Upstream's RuleAllows: verbs, apiGroups, resources ("res", "res/sub", "*/sub",
// "*"), resourceNames; nonResourceURLs with a trailing "*" as a prefix.
bool ruleAllows(const RequestInfo& request, const PolicyRule& rule);

enum class Kind { Role, ClusterRole, RoleBinding, ClusterRoleBinding };

class RbacAuthorizer : public Authorizer {
 public:
  RbacAuthorizer();
  ~RbacAuthorizer() override;
  Decision authorize(const UserInfo& user, const RequestInfo& request) const override;

  // Index maintenance, from watch events (thread-safe).
  void upsert(Kind kind, const json::object& obj);
  void remove(Kind kind, const std::string& ns, const std::string& name);
  // Drops every object of one kind (before replaying a relisted cache).
  void clear(Kind kind);

  std::size_t bindingCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A label selector's matchLabels / matchExpressions against labels.
bool selectorMatches(const json::object& selector, const std::map<std::string, std::string>& labels);

}  // namespace kcpp::apiserver::rbac
