#include "apiserver/admission/rbacescalation/rbac_escalation.h"

#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using admission::Chain;
using admission::RbacEscalationCheck;
using rbac::Kind;

class RbacEscalationTest : public RegistryTest {
 protected:
  void SetUp() override {
    roles = &add("rbac.authorization.k8s.io", "clusterroles");
    bindings = &add("rbac.authorization.k8s.io", "clusterrolebindings");
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<RbacEscalationCheck>(rbac, rbac));
    chain = std::make_unique<Chain>(std::move(plugins));
    roles->setAdmission(*chain);
    bindings->setAdmission(*chain);
    rbac.upsert(Kind::ClusterRole, parse(R"({"metadata":{"name":"cluster-admin"},
      "rules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]},{"verbs":["*"],"nonResourceURLs":["*"]}]})"));
    rbac.upsert(Kind::ClusterRole, parse(R"({"metadata":{"name":"pod-reader"},
      "rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]},
               {"verbs":["create"],"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles","clusterrolebindings"]}]})"));
    rbac.upsert(Kind::ClusterRoleBinding, parse(R"({"metadata":{"name":"alice"},
      "roleRef":{"kind":"ClusterRole","name":"pod-reader"},"subjects":[{"kind":"User","name":"alice"}]})"));
    asAlice.requester.user = &alice;
  }

  static json::object bindingTo(const std::string& name, const std::string& role) {
    json::object b = parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding",
      "metadata":{},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole"},
      "subjects":[{"kind":"User","name":"mallory"}]})");
    b["metadata"].as_object()["name"] = name;
    b["roleRef"].as_object()["name"] = role;
    return b;
  }

  static json::object roleWith(const std::string& name, const char* rules) {
    json::object r = parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{}})");
    r["metadata"].as_object()["name"] = name;
    r["rules"] = json::parse(rules);
    return r;
  }

  rbac::RbacAuthorizer rbac;
  Registry* roles = nullptr;
  Registry* bindings = nullptr;
  std::unique_ptr<Chain> chain;
  UserInfo alice{"alice", "", {"system:authenticated"}};
  WriteOptions asAlice;
  const std::string clusterScope;
};

TEST_F(RbacEscalationTest, BindingToARoleNotHeldIs403WithUpstreamsMessage) {
  auto created = await(bindings->create(clusterScope, bindingTo("evil", "cluster-admin"), asAlice));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 403);
  EXPECT_EQ(created.error().message,
            "clusterrolebindings.rbac.authorization.k8s.io \"evil\" is forbidden: user \"alice\" "
            "(groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not "
            "currently held:\n{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n"
            "{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}");
  EXPECT_TRUE(await(bindings->create(clusterScope, bindingTo("ok", "pod-reader"), asAlice)).ok());
  auto missing = await(bindings->create(clusterScope, bindingTo("m", "nope"), asAlice));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "clusterrolebindings.rbac.authorization.k8s.io \"m\" is forbidden: "
            "clusterrole.rbac.authorization.k8s.io \"nope\" not found");
}

TEST_F(RbacEscalationTest, BindVerbAllowsBinding) {
  rbac.upsert(Kind::ClusterRole, parse(R"({"metadata":{"name":"binder"},
    "rules":[{"verbs":["bind"],"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"],"resourceNames":["cluster-admin"]}]})"));
  rbac.upsert(Kind::ClusterRoleBinding, parse(R"({"metadata":{"name":"alice-binder"},
    "roleRef":{"kind":"ClusterRole","name":"binder"},"subjects":[{"kind":"User","name":"alice"}]})"));
  EXPECT_TRUE(await(bindings->create(clusterScope, bindingTo("granted", "cluster-admin"), asAlice)).ok());
}

TEST_F(RbacEscalationTest, RolesOnlyWithHeldRulesUnlessEscalate) {
  EXPECT_TRUE(await(roles->create(clusterScope,
                                  roleWith("sub", R"([{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}])"),
                                  asAlice)).ok());
  auto more = await(roles->create(
      clusterScope, roleWith("more", R"([{"verbs":["get","delete"],"apiGroups":[""],"resources":["pods"]}])"),
      asAlice));
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.error().message,
            "clusterroles.rbac.authorization.k8s.io \"more\" is forbidden: user \"alice\" "
            "(groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not "
            "currently held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}");
  json::object aggregated = roleWith("agg", "[]");
  aggregated["aggregationRule"] = json::object{{"clusterRoleSelectors", json::array{}}};
  auto agg = await(roles->create(clusterScope, aggregated, asAlice));
  ASSERT_FALSE(agg.ok());
  EXPECT_EQ(agg.error().message, "clusterroles.rbac.authorization.k8s.io \"agg\" is forbidden: "
                                 "must have cluster-admin privileges to use the aggregationRule");
  rbac.upsert(Kind::ClusterRole, parse(R"({"metadata":{"name":"escalator"},
    "rules":[{"verbs":["escalate"],"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"]}]})"));
  rbac.upsert(Kind::ClusterRoleBinding, parse(R"({"metadata":{"name":"alice-esc"},
    "roleRef":{"kind":"ClusterRole","name":"escalator"},"subjects":[{"kind":"User","name":"alice"}]})"));
  EXPECT_TRUE(await(roles->create(
      clusterScope, roleWith("more", R"([{"verbs":["get","delete"],"apiGroups":[""],"resources":["pods"]}])"),
      asAlice)).ok());
}

TEST_F(RbacEscalationTest, MastersAndServerWritesBypass) {
  UserInfo admin{"admin", "", {"system:masters", "system:authenticated"}};
  WriteOptions asAdmin;
  asAdmin.requester.user = &admin;
  EXPECT_TRUE(await(bindings->create(clusterScope, bindingTo("a", "cluster-admin"), asAdmin)).ok());
  EXPECT_TRUE(await(bindings->create(clusterScope, bindingTo("b", "cluster-admin"), noOptions)).ok());
}

TEST_F(RbacEscalationTest, OnlyGcFieldChangesAreNotChecked) {
  json::object a = parse(R"({"metadata":{"name":"x","resourceVersion":"1"},"rules":[1]})");
  json::object b = parse(R"({"metadata":{"name":"x","resourceVersion":"2","finalizers":["f"],
                            "ownerReferences":[{"name":"o"}]},"rules":[1]})");
  EXPECT_TRUE(admission::onlyGcFieldsChanged(b, a));
  b["rules"] = json::array{2};
  EXPECT_FALSE(admission::onlyGcFieldsChanged(b, a));
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
