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
#include "util/error.h"

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
  // SelfSubjectRulesReview: the rules of policyRulesFor, split as upstream does
  // (a rule with resources is a resource rule, one with URLs a non-resource rule).
  void rulesFor(const UserInfo& user, const std::string& ns, UserRules& out) const override;

  // Upstream's RulesFor: the rules of every ClusterRoleBinding that applies to the
  // user, then of every RoleBinding in `ns` that does; roles that do not exist
  // are skipped and named in `errors` (upstream's lister message).
  std::vector<PolicyRule> policyRulesFor(const UserInfo& user, const std::string& ns,
                                         std::vector<std::string>* errors = nullptr) const;
  // Upstream's GetRoleReferenceRules: the rules of the role a binding in
  // `bindingNs` ("" for a ClusterRoleBinding) refers to; NotFound when missing.
  Result<std::vector<PolicyRule>> roleReferenceRules(const std::string& kind,
                                                     const std::string& name,
                                                     const std::string& bindingNs) const;

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
