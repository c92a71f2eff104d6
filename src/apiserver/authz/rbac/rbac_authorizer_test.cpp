#include "apiserver/authz/rbac/rbac_authorizer.h"

#include <gtest/gtest.h>

#include <chrono>

namespace kcpp::apiserver::rbac {

namespace {

json::object obj(const char* text) { return json::parse(text).as_object(); }

RequestInfo req(const char* method, const char* path) {
  return parseRequestInfo(method, path, {});
}

PolicyRule rule(const char* text) { return parseRule(obj(text)); }

}  // namespace

// Upstream's rule matching cases (rbac.RuleAllows / validation tests).
TEST(RbacRules, VerbsGroupsResources) {
  PolicyRule r = rule(R"({"verbs":["get","list"],"apiGroups":[""],"resources":["configmaps"]})");
  EXPECT_TRUE(ruleAllows(req("GET", "/api/v1/namespaces/a/configmaps/x"), r));
  EXPECT_TRUE(ruleAllows(req("GET", "/api/v1/namespaces/a/configmaps"), r));
  EXPECT_FALSE(ruleAllows(req("POST", "/api/v1/namespaces/a/configmaps"), r));
  EXPECT_FALSE(ruleAllows(req("GET", "/api/v1/namespaces/a/secrets"), r));
  EXPECT_FALSE(ruleAllows(req("GET", "/apis/apps/v1/namespaces/a/configmaps"), r));
  PolicyRule star = rule(R"({"verbs":["*"],"apiGroups":["*"],"resources":["*"]})");
  EXPECT_TRUE(ruleAllows(req("DELETE", "/apis/apps/v1/namespaces/a/deployments/d"), star));
  EXPECT_TRUE(ruleAllows(req("GET", "/api/v1/namespaces/a/pods/p/log"), star));
  EXPECT_FALSE(ruleAllows(req("GET", "/healthz"), star));
}

TEST(RbacRules, Subresources) {
  PolicyRule pods = rule(R"({"verbs":["get"],"apiGroups":[""],"resources":["pods"]})");
  EXPECT_FALSE(ruleAllows(req("GET", "/api/v1/namespaces/a/pods/p/log"), pods));
  PolicyRule log = rule(R"({"verbs":["get"],"apiGroups":[""],"resources":["pods/log"]})");
  EXPECT_TRUE(ruleAllows(req("GET", "/api/v1/namespaces/a/pods/p/log"), log));
  EXPECT_FALSE(ruleAllows(req("GET", "/api/v1/namespaces/a/pods/p"), log));
  PolicyRule anyScale =
      rule(R"({"verbs":["update"],"apiGroups":["*"],"resources":["*/scale"]})");
  EXPECT_TRUE(ruleAllows(req("PUT", "/apis/apps/v1/namespaces/a/deployments/d/scale"), anyScale));
  EXPECT_FALSE(ruleAllows(req("PUT", "/apis/apps/v1/namespaces/a/deployments/d/status"), anyScale));
  EXPECT_FALSE(ruleAllows(req("PUT", "/apis/apps/v1/namespaces/a/deployments/d"), anyScale));
}

TEST(RbacRules, ResourceNames) {
  PolicyRule r = rule(
      R"({"verbs":["get","list"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["x"]})");
  EXPECT_TRUE(ruleAllows(req("GET", "/api/v1/namespaces/a/configmaps/x"), r));
  EXPECT_FALSE(ruleAllows(req("GET", "/api/v1/namespaces/a/configmaps/y"), r));
  EXPECT_FALSE(ruleAllows(req("GET", "/api/v1/namespaces/a/configmaps"), r));  // list: no name
}

TEST(RbacRules, NonResourceURLs) {
  PolicyRule r = rule(R"({"verbs":["get"],"nonResourceURLs":["/healthz","/apis/*"]})");
  EXPECT_TRUE(ruleAllows(req("GET", "/healthz"), r));
  EXPECT_FALSE(ruleAllows(req("GET", "/healthz/ping"), r));
  EXPECT_TRUE(ruleAllows(req("GET", "/apis/"), r));
  EXPECT_TRUE(ruleAllows(req("GET", "/apis/apps"), r));
  EXPECT_FALSE(ruleAllows(req("GET", "/apis"), r));
  EXPECT_FALSE(ruleAllows(req("POST", "/healthz"), r));
  PolicyRule all = rule(R"({"verbs":["*"],"nonResourceURLs":["*"]})");
  EXPECT_TRUE(ruleAllows(req("GET", "/metrics"), all));
  // A non-resource rule never grants resource requests.
  EXPECT_FALSE(ruleAllows(req("GET", "/api/v1/namespaces/a/configmaps"), all));
}

TEST(RbacIndex, RoleBindingGrantsOnlyInItsNamespace) {
  RbacAuthorizer a;
  a.upsert(Kind::ClusterRole, obj(R"({"metadata":{"name":"cm-writer"},
      "rules":[{"verbs":["create","get"],"apiGroups":[""],"resources":["configmaps"]}]})"));
  UserInfo alice{"alice", "", {"system:authenticated"}};
  auto create = req("POST", "/api/v1/namespaces/a/configmaps");
  EXPECT_EQ(a.authorize(alice, create), Decision::NoOpinion);
  a.upsert(Kind::RoleBinding, obj(R"({"metadata":{"name":"b","namespace":"a"},
      "roleRef":{"kind":"ClusterRole","name":"cm-writer"},
      "subjects":[{"kind":"User","name":"alice"}]})"));
  EXPECT_EQ(a.authorize(alice, create), Decision::Allow);
  EXPECT_EQ(a.authorize(alice, req("POST", "/api/v1/namespaces/b/configmaps")), Decision::NoOpinion);
  EXPECT_EQ(a.authorize(alice, req("GET", "/api/v1/configmaps")), Decision::NoOpinion);
  EXPECT_EQ(a.authorize(UserInfo{"bob", "", {}}, create), Decision::NoOpinion);
  // The binding changes its subjects, then goes away.
  a.upsert(Kind::RoleBinding, obj(R"({"metadata":{"name":"b","namespace":"a"},
      "roleRef":{"kind":"ClusterRole","name":"cm-writer"},
      "subjects":[{"kind":"User","name":"bob"}]})"));
  EXPECT_EQ(a.authorize(alice, create), Decision::NoOpinion);
  EXPECT_EQ(a.authorize(UserInfo{"bob", "", {}}, create), Decision::Allow);
  a.remove(Kind::RoleBinding, "a", "b");
  EXPECT_EQ(a.authorize(UserInfo{"bob", "", {}}, create), Decision::NoOpinion);
  EXPECT_EQ(a.bindingCount(), 0u);
}

TEST(RbacIndex, RolesGroupsServiceAccountsAndClusterBindings) {
  RbacAuthorizer a;
  a.upsert(Kind::Role, obj(R"({"metadata":{"name":"r","namespace":"a"},
      "rules":[{"verbs":["get"],"apiGroups":[""],"resources":["secrets"]}]})"));
  a.upsert(Kind::RoleBinding, obj(R"({"metadata":{"name":"b","namespace":"a"},
      "roleRef":{"kind":"Role","name":"r"},
      "subjects":[{"kind":"Group","name":"devs"},{"kind":"ServiceAccount","name":"sa"}]})"));
  auto get = req("GET", "/api/v1/namespaces/a/secrets/s");
  EXPECT_EQ(a.authorize(UserInfo{"x", "", {"devs"}}, get), Decision::Allow);
  EXPECT_EQ(a.authorize(UserInfo{"system:serviceaccount:a:sa", "", {}}, get), Decision::Allow);
  EXPECT_EQ(a.authorize(UserInfo{"system:serviceaccount:b:sa", "", {}}, get), Decision::NoOpinion);
  // The Role goes away: the binding grants nothing.
  a.remove(Kind::Role, "a", "r");
  EXPECT_EQ(a.authorize(UserInfo{"x", "", {"devs"}}, get), Decision::NoOpinion);

  a.upsert(Kind::ClusterRole, obj(R"({"metadata":{"name":"nodes"},
      "rules":[{"verbs":["list"],"apiGroups":[""],"resources":["nodes"]},
               {"verbs":["get"],"nonResourceURLs":["/healthz"]}]})"));
  a.upsert(Kind::ClusterRoleBinding, obj(R"({"metadata":{"name":"n"},
      "roleRef":{"kind":"ClusterRole","name":"nodes"},
      "subjects":[{"kind":"ServiceAccount","name":"ctl","namespace":"kube-system"}]})"));
  UserInfo ctl{"system:serviceaccount:kube-system:ctl", "", {}};
  EXPECT_EQ(a.authorize(ctl, req("GET", "/api/v1/nodes")), Decision::Allow);
  EXPECT_EQ(a.authorize(ctl, req("GET", "/healthz")), Decision::Allow);
  EXPECT_EQ(a.authorize(ctl, req("DELETE", "/api/v1/nodes/n1")), Decision::NoOpinion);
  a.clear(Kind::ClusterRoleBinding);
  EXPECT_EQ(a.authorize(ctl, req("GET", "/api/v1/nodes")), Decision::NoOpinion);
}

TEST(RbacIndex, AggregatedClusterRoles) {
  RbacAuthorizer a;
  a.upsert(Kind::ClusterRole, obj(R"({"metadata":{"name":"edit",
      "labels":{"rbac.authorization.k8s.io/aggregate-to-admin":"true"}},
      "aggregationRule":{"clusterRoleSelectors":[
        {"matchLabels":{"rbac.authorization.k8s.io/aggregate-to-edit":"true"}}]}})"));
  a.upsert(Kind::ClusterRole, obj(R"({"metadata":{"name":"admin"},
      "aggregationRule":{"clusterRoleSelectors":[
        {"matchLabels":{"rbac.authorization.k8s.io/aggregate-to-admin":"true"}}]}})"));
  a.upsert(Kind::ClusterRoleBinding, obj(R"({"metadata":{"name":"b"},
      "roleRef":{"kind":"ClusterRole","name":"admin"},"subjects":[{"kind":"User","name":"u"}]})"));
  UserInfo u{"u", "", {}};
  auto create = req("POST", "/apis/example.com/v1/namespaces/a/widgets");
  EXPECT_EQ(a.authorize(u, create), Decision::NoOpinion);
  // A role labelled for edit is selected by edit, and (through edit) by admin.
  a.upsert(Kind::ClusterRole, obj(R"({"metadata":{"name":"widgets",
      "labels":{"rbac.authorization.k8s.io/aggregate-to-edit":"true"}},
      "rules":[{"verbs":["create"],"apiGroups":["example.com"],"resources":["widgets"]}]})"));
  EXPECT_EQ(a.authorize(u, create), Decision::Allow);
  a.remove(Kind::ClusterRole, "", "widgets");
  EXPECT_EQ(a.authorize(u, create), Decision::NoOpinion);
}

TEST(RbacSelector, Expressions) {
  std::map<std::string, std::string> labels{{"a", "1"}};
  EXPECT_TRUE(selectorMatches(obj(R"({"matchExpressions":[{"key":"a","operator":"In","values":["1","2"]}]})"), labels));
  EXPECT_FALSE(selectorMatches(obj(R"({"matchExpressions":[{"key":"a","operator":"NotIn","values":["1"]}]})"), labels));
  EXPECT_TRUE(selectorMatches(obj(R"({"matchExpressions":[{"key":"b","operator":"DoesNotExist"}]})"), labels));
  EXPECT_FALSE(selectorMatches(obj(R"({"matchLabels":{"a":"2"}})"), labels));
}

// The decision cost with 1,000 RoleBindings across namespaces: it depends on the
// user's bindings only.
TEST(RbacIndex, ThousandBindingsDecisionCost) {
  RbacAuthorizer a;
  a.upsert(Kind::ClusterRole, obj(R"({"metadata":{"name":"edit"},
      "rules":[{"verbs":["create","get","list"],"apiGroups":[""],"resources":["configmaps"]}]})"));
  for (int i = 0; i < 1000; ++i) {
    json::object b = obj(R"({"metadata":{},"roleRef":{"kind":"ClusterRole","name":"edit"}})");
    std::string ns = "ns" + std::to_string(i);
    b["metadata"].as_object()["name"] = "b";
    b["metadata"].as_object()["namespace"] = ns;
    b["subjects"] = json::array{json::object{{"kind", "User"}, {"name", "user" + std::to_string(i)}}};
    a.upsert(Kind::RoleBinding, b);
  }
  EXPECT_EQ(a.bindingCount(), 1000u);
  UserInfo u{"user500", "", {"system:authenticated"}};
  auto allowed = req("POST", "/api/v1/namespaces/ns500/configmaps");
  auto denied = req("POST", "/api/v1/namespaces/ns501/configmaps");
  ASSERT_EQ(a.authorize(u, allowed), Decision::Allow);
  ASSERT_EQ(a.authorize(u, denied), Decision::NoOpinion);
  constexpr int kRounds = 100000;
  auto t0 = std::chrono::steady_clock::now();
  int allows = 0;
  for (int i = 0; i < kRounds; ++i) {
    allows += a.authorize(u, i % 2 ? allowed : denied) == Decision::Allow;
  }
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::steady_clock::now() - t0).count() / kRounds;
  EXPECT_EQ(allows, kRounds / 2);
  std::printf("decision cost with 1000 RoleBindings: %lld ns\n", static_cast<long long>(ns));
  EXPECT_LT(ns, 20000);
}

}  // namespace kcpp::apiserver::rbac
