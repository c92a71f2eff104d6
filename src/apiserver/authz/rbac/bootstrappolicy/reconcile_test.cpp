#include "apiserver/authz/rbac/bootstrappolicy/reconcile.h"

#include <gtest/gtest.h>

#include "apiserver/authz/rbac/bootstrappolicy/policy_builders.h"

namespace kcpp::apiserver::rbac::bootstrap {
namespace {

namespace json = boost::json;

json::object expectedRole() {
  return clusterRole("system:controller:x",
                     json::array{rule({"get", "list"}, {""}, {"pods"}), eventsRule()});
}

TEST(Reconcile, RoleThatCoversTheExpectedRulesIsLeftAlone) {
  json::object existing = expectedRole();
  // Broader rules, other order: still covered.
  existing["rules"] = json::array{rule({"*"}, {"", "events.k8s.io"}, {"*"})};
  Reconciled r = reconcileRole(existing, expectedRole());
  EXPECT_EQ(r.operation, ReconcileOperation::None);
  EXPECT_FALSE(r.isProtected);
}

TEST(Reconcile, MissingRulesAreAppendedBrokenDown) {
  json::object existing = expectedRole();
  existing["rules"] = json::array{rule({"get"}, {""}, {"pods"}), rule({"delete"}, {""}, {"nodes"})};
  Reconciled r = reconcileRole(existing, expectedRole());
  ASSERT_EQ(r.operation, ReconcileOperation::Update);
  const json::array& rules = r.object.at("rules").as_array();
  // The existing rules stay (never removed); list on pods and the six atomic
  // event rules are added.
  ASSERT_EQ(rules.size(), 2u + 1u + 6u);
  EXPECT_EQ(rules[1], json::value(rule({"delete"}, {""}, {"nodes"})));
  EXPECT_EQ(rules[2], json::parse(R"({"verbs":["list"],"apiGroups":[""],"resources":["pods"]})"));
  EXPECT_EQ(rules[3],
            json::parse(R"({"verbs":["create"],"apiGroups":[""],"resources":["events"]})"));
  // A second pass finds nothing more to do.
  EXPECT_EQ(reconcileRole(r.object, expectedRole()).operation, ReconcileOperation::None);
}

TEST(Reconcile, AutoupdateFalseProtectsTheObject) {
  json::object existing = expectedRole();
  existing["rules"] = json::array{};
  existing["metadata"].as_object()["annotations"] =
      json::object{{"rbac.authorization.kubernetes.io/autoupdate", "false"}};
  Reconciled r = reconcileRole(existing, expectedRole());
  EXPECT_TRUE(r.isProtected);
  EXPECT_EQ(r.operation, ReconcileOperation::None);

  json::object binding = clusterRoleBinding("b", "r", json::array{userSubject("u")});
  json::object edited = binding;
  edited["subjects"] = json::array{};
  edited["metadata"].as_object()["annotations"] =
      json::object{{"rbac.authorization.kubernetes.io/autoupdate", "false"}};
  EXPECT_TRUE(reconcileBinding(edited, binding).isProtected);
}

TEST(Reconcile, MissingLabelsAndAnnotationsAreAddedExistingValuesWin) {
  json::object existing = expectedRole();
  auto& meta = existing["metadata"].as_object();
  meta.erase("annotations");  // absent annotation: not protected (upstream)
  meta["labels"] = json::object{{"kubernetes.io/bootstrapping", "mine"}, {"team", "a"}};
  Reconciled r = reconcileRole(existing, expectedRole());
  ASSERT_EQ(r.operation, ReconcileOperation::Update);
  const auto& out = r.object.at("metadata").as_object();
  EXPECT_EQ(out.at("labels").at("kubernetes.io/bootstrapping"), "mine");
  EXPECT_EQ(out.at("labels").at("team"), "a");
  EXPECT_EQ(out.at("annotations").at("rbac.authorization.kubernetes.io/autoupdate"), "true");
}

TEST(Reconcile, AggregationSelectorsAreAddedAndUnexpectedOnesDropped) {
  json::object expected = aggregatedClusterRole("edit", "edit", {});
  json::object existing = expected;
  existing["aggregationRule"] =
      json::object{{"clusterRoleSelectors",
                    json::array{json::object{{"matchLabels", json::object{{"custom", "true"}}}}}}};
  existing["rules"] = json::array{rule({"get"}, {""}, {"pods"})};  // from aggregation: kept
  Reconciled r = reconcileRole(existing, expected);
  ASSERT_EQ(r.operation, ReconcileOperation::Update);
  EXPECT_EQ(r.object.at("aggregationRule").at("clusterRoleSelectors").as_array().size(), 2u);
  EXPECT_EQ(r.object.at("rules").as_array().size(), 1u);

  json::object plain = expectedRole();
  json::object withAggregation = plain;
  withAggregation["aggregationRule"] = existing["aggregationRule"];
  Reconciled dropped = reconcileRole(withAggregation, plain);
  ASSERT_EQ(dropped.operation, ReconcileOperation::Update);
  EXPECT_FALSE(dropped.object.contains("aggregationRule"));
}

TEST(Reconcile, BindingGetsMissingSubjectsAndKeepsOthers) {
  json::object expected =
      clusterRoleBinding("system:controller:x", "system:controller:x",
                         json::array{serviceAccountSubject("kube-system", "x")});
  json::object existing = expected;
  // Stored with an explicit empty apiGroup: the same subject.
  existing["subjects"] = json::array{json::object{
      {"kind", "ServiceAccount"}, {"apiGroup", ""}, {"name", "x"}, {"namespace", "kube-system"}}};
  EXPECT_EQ(reconcileBinding(existing, expected).operation, ReconcileOperation::None);

  existing["subjects"] = json::array{userSubject("someone")};
  Reconciled r = reconcileBinding(existing, expected);
  ASSERT_EQ(r.operation, ReconcileOperation::Update);
  ASSERT_EQ(r.object.at("subjects").as_array().size(), 2u);
  EXPECT_EQ(r.object.at("subjects").as_array()[0], json::value(userSubject("someone")));
}

TEST(Reconcile, BindingWithAnotherRoleRefIsRecreated) {
  json::object expected = roleBinding("kube-system", "b", "r", json::array{userSubject("u")});
  json::object existing = expected;
  existing["roleRef"].as_object()["name"] = "other";
  existing["metadata"].as_object()["resourceVersion"] = "5";
  Reconciled r = reconcileBinding(existing, expected);
  ASSERT_EQ(r.operation, ReconcileOperation::Recreate);
  EXPECT_EQ(r.object, expected);
}

}  // namespace
}  // namespace kcpp::apiserver::rbac::bootstrap
