#include "apiserver/authz/rbac/escalation.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver::rbac {
namespace {

json::object obj(const char* text) { return json::parse(text).as_object(); }
PolicyRule rule(const char* text) { return parseRule(obj(text)); }

TEST(Escalation, CompactStringIsUpstreams) {
  EXPECT_EQ(compactString(rule(R"({"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]})")),
            R"({APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]})");
  EXPECT_EQ(compactString(rule(R"({"verbs":["get"],"nonResourceURLs":["/healthz"]})")),
            R"({NonResourceURLs:["/healthz"], Verbs:["get"]})");
  EXPECT_EQ(compactString(rule(R"({"verbs":["get"],"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["d"]})")),
            R"({APIGroups:["apps"], Resources:["deployments"], ResourceNames:["d"], Verbs:["get"]})");
}

TEST(Escalation, CoversAsUpstream) {
  std::vector<PolicyRule> owner = {
      rule(R"({"verbs":["get","list"],"apiGroups":[""],"resources":["pods","*/status"]})"),
      rule(R"({"verbs":["get"],"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["a"]})"),
      rule(R"({"verbs":["get"],"nonResourceURLs":["/logs/*"]})")};
  EXPECT_TRUE(uncoveredRules(owner, {rule(R"({"verbs":["get"],"apiGroups":[""],"resources":["pods","pods/status"]})")}).empty());
  EXPECT_TRUE(uncoveredRules(owner, {rule(R"({"verbs":["get"],"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["a"]})")}).empty());
  // A name-restricted owner rule does not cover all names.
  EXPECT_EQ(uncoveredRules(owner, {rule(R"({"verbs":["get"],"apiGroups":["apps"],"resources":["deployments"]})")}).size(), 1u);
  EXPECT_TRUE(uncoveredRules(owner, {rule(R"({"verbs":["get"],"nonResourceURLs":["/logs/x"]})")}).empty());
  EXPECT_EQ(uncoveredRules(owner, {rule(R"({"verbs":["get","delete"],"apiGroups":[""],"resources":["pods","secrets"]})")}).size(), 3u);
}

TEST(Escalation, MessageListsCompactedMissingRulesSorted) {
  UserInfo user{"u", "", {"g1", "system:authenticated"}};
  std::vector<PolicyRule> owner = {rule(R"({"verbs":["get"],"apiGroups":[""],"resources":["pods"]})")};
  std::vector<PolicyRule> granted = {
      rule(R"({"verbs":["get","list","watch"],"apiGroups":[""],"resources":["pods","configmaps"]})"),
      rule(R"({"verbs":["get"],"nonResourceURLs":["/healthz"]})")};
  EXPECT_EQ(escalationError(user, owner, {}, granted),
            "user \"u\" (groups=[\"g1\" \"system:authenticated\"]) is attempting to grant RBAC "
            "permissions not currently held:\n"
            "{APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"get\" \"list\" \"watch\"]}\n"
            "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"list\" \"watch\"]}\n"
            "{NonResourceURLs:[\"/healthz\"], Verbs:[\"get\"]}");
  EXPECT_EQ(escalationError(user, owner, {}, {owner[0]}), "");
  EXPECT_EQ(escalationError(user, {}, {"clusterrole.rbac.authorization.k8s.io \"x\" not found"},
                            {owner[0]}),
            "user \"u\" (groups=[\"g1\" \"system:authenticated\"]) is attempting to grant RBAC "
            "permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}"
            "; resolution errors: [clusterrole.rbac.authorization.k8s.io \"x\" not found]");
}

TEST(RbacRulesFor, ClusterBindingsThenNamespaceBindingsAndMissingRoles) {
  RbacAuthorizer rbac;
  rbac.upsert(Kind::ClusterRole, obj(R"({"metadata":{"name":"reader"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["nodes"]}]})"));
  rbac.upsert(Kind::Role, obj(R"({"metadata":{"name":"cm","namespace":"a"},"rules":[{"verbs":["list"],"apiGroups":[""],"resources":["configmaps"]},{"verbs":["get"],"nonResourceURLs":["/x"]}]})"));
  rbac.upsert(Kind::RoleBinding, obj(R"({"metadata":{"name":"b1","namespace":"a"},"roleRef":{"kind":"Role","name":"cm"},"subjects":[{"kind":"User","name":"bob"}]})"));
  rbac.upsert(Kind::ClusterRoleBinding, obj(R"({"metadata":{"name":"c1"},"roleRef":{"kind":"ClusterRole","name":"reader"},"subjects":[{"kind":"Group","name":"devs"}]})"));
  rbac.upsert(Kind::ClusterRoleBinding, obj(R"({"metadata":{"name":"c2"},"roleRef":{"kind":"ClusterRole","name":"gone"},"subjects":[{"kind":"User","name":"bob"}]})"));
  UserInfo bob{"bob", "", {"devs"}};
  std::vector<std::string> errors;
  auto rules = rbac.policyRulesFor(bob, "a", &errors);
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].resources, std::vector<std::string>{"nodes"});
  EXPECT_EQ(rules[1].resources, std::vector<std::string>{"configmaps"});
  EXPECT_EQ(errors, std::vector<std::string>{"clusterrole.rbac.authorization.k8s.io \"gone\" not found"});
  EXPECT_EQ(rbac.policyRulesFor(bob, "b").size(), 1u);
  UserRules split;
  rbac.rulesFor(bob, "a", split);
  EXPECT_EQ(split.resourceRules.size(), 2u);
  ASSERT_EQ(split.nonResourceRules.size(), 1u);
  EXPECT_EQ(split.nonResourceRules[0].nonResourceURLs, std::vector<std::string>{"/x"});
  auto missing = rbac.roleReferenceRules("Role", "cm", "b");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "role.rbac.authorization.k8s.io \"cm\" not found");
  EXPECT_TRUE(rbac.roleReferenceRules("Role", "cm", "a").ok());
  EXPECT_TRUE(rbac.roleReferenceRules("ClusterRole", "reader", "a").ok());
}

}  // namespace
}  // namespace kcpp::apiserver::rbac
