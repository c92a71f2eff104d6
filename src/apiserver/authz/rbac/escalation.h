#pragma once
// RBAC escalation prevention (upstream pkg/registry/rbac/validation and
// component-helpers' policy comparator): whether the rules a user holds cover the
// rules a Role grants, and upstream's message when they do not.

#include <string>
#include <vector>

#include "apiserver/authz/rbac/rbac_authorizer.h"

namespace kcpp::apiserver::rbac {

// Upstream's BreakdownRule: one rule per (group, resource, verb[, name]) and per
// (URL, verb).
std::vector<PolicyRule> breakdownRule(const PolicyRule& rule);
// Upstream's ruleCovers for an owner rule and a broken-down rule.
bool ruleCovers(const PolicyRule& owner, const PolicyRule& sub);
// The broken-down rules of `servant` no owner rule covers (upstream's Covers).
std::vector<PolicyRule> uncoveredRules(const std::vector<PolicyRule>& owner,
                                       const std::vector<PolicyRule>& servant);
// Upstream's CompactRules: simple rules (one group, one resource, no names) that
// differ only in verbs are merged.
std::vector<PolicyRule> compactRules(const std::vector<PolicyRule>& rules);
// Upstream's CompactString: {APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}.
std::string compactString(const PolicyRule& rule);

// Upstream's ConfirmNoEscalation: empty when `owner` covers `granted`, else the
// message `user "u" (groups=["a" "b"]) is attempting to grant RBAC permissions
// not currently held:\n{...}\n{...}` (sorted), with the owner's rule resolution
// errors appended.
std::string escalationError(const UserInfo& user, const std::vector<PolicyRule>& owner,
                            const std::vector<std::string>& resolutionErrors,
                            const std::vector<PolicyRule>& granted);

}  // namespace kcpp::apiserver::rbac
