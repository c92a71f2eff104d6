#include "apiserver/authz/node/node_authorizer.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver::node {
namespace {

json::object obj(const char* text) { return json::parse(text).as_object(); }

RequestInfo req(const char* method, const char* path, QueryParams q = {}) {
  return parseRequestInfo(method, path, q);
}

UserInfo nodeUser(const std::string& name) {
  return UserInfo{"system:node:" + name, "", {"system:nodes", "system:authenticated"}};
}

class NodeAuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph.upsertPod(obj(R"({"metadata":{"namespace":"ns","name":"web"},
      "spec":{"nodeName":"n1","serviceAccountName":"sa1",
        "imagePullSecrets":[{"name":"pull"}],
        "containers":[{"name":"c","env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"env-secret","key":"k"}}},
                                           {"name":"B","valueFrom":{"configMapKeyRef":{"name":"env-cm","key":"k"}}}],
                       "envFrom":[{"secretRef":{"name":"from-secret"}}]}],
        "volumes":[{"name":"v1","secret":{"secretName":"vol-secret"}},
                   {"name":"v2","configMap":{"name":"vol-cm"}},
                   {"name":"v3","projected":{"sources":[{"secret":{"name":"proj-secret"}}]}},
                   {"name":"v4","persistentVolumeClaim":{"claimName":"data"}},
                   {"name":"scratch","ephemeral":{"volumeClaimTemplate":{}}}]}})"));
    graph.upsertPod(obj(R"({"metadata":{"namespace":"ns","name":"other"},
      "spec":{"nodeName":"n2","containers":[{"name":"c"}],
        "volumes":[{"name":"v","secret":{"secretName":"n2-secret"}}]}})"));
    graph.upsertPvc(obj(R"({"metadata":{"namespace":"ns","name":"data"},"spec":{"volumeName":"pv1"}})"));
    graph.upsertPv(obj(R"({"metadata":{"name":"pv1"},
      "spec":{"csi":{"driver":"d","volumeHandle":"h","nodePublishSecretRef":{"name":"csi-secret","namespace":"store"}}}})"));
    std::vector<rbac::PolicyRule> rules;
    rules.push_back(rbac::parseRule(obj(R"({"verbs":["get","list","watch"],"apiGroups":[""],"resources":["services"]})")));
    rules.push_back(rbac::parseRule(obj(R"({"verbs":["create","patch","update"],"apiGroups":[""],"resources":["events"]})")));
    authz = std::make_unique<NodeAuthorizer>(graph, std::move(rules));
  }
  Verdict as(const std::string& node, const RequestInfo& r) { return authz->decide(nodeUser(node), r); }
  bool allowed(const std::string& node, const RequestInfo& r) {
    return as(node, r).decision == Decision::Allow;
  }

  NodeGraph graph;
  std::unique_ptr<NodeAuthorizer> authz;
};

TEST_F(NodeAuthorizerTest, NonNodesGetNoOpinion) {
  UserInfo bob{"bob", "", {"system:nodes"}};
  EXPECT_EQ(authz->decide(bob, req("GET", "/api/v1/namespaces/ns/secrets/vol-secret")).decision,
            Decision::NoOpinion);
  UserInfo notInGroup{"system:node:n1", "", {"system:authenticated"}};
  EXPECT_EQ(authz->decide(notInGroup, req("GET", "/api/v1/namespaces/ns/secrets/vol-secret")).decision,
            Decision::NoOpinion);
  UserInfo empty{"system:node:", "", {"system:nodes"}};
  EXPECT_EQ(authz->decide(empty, req("GET", "/api/v1/services")).reason,
            "unknown node for user \"system:node:\"");
}

TEST_F(NodeAuthorizerTest, SecretsAndConfigMapsOnlyWhenReferencedByItsPods) {
  for (const char* s : {"pull", "env-secret", "from-secret", "vol-secret", "proj-secret"}) {
    EXPECT_TRUE(allowed("n1", req("GET", ("/api/v1/namespaces/ns/secrets/" + std::string(s)).c_str()))) << s;
  }
  for (const char* c : {"env-cm", "vol-cm"}) {
    EXPECT_TRUE(allowed("n1", req("GET", ("/api/v1/namespaces/ns/configmaps/" + std::string(c)).c_str()))) << c;
  }
  Verdict other = as("n1", req("GET", "/api/v1/namespaces/ns/secrets/n2-secret"));
  EXPECT_EQ(other.decision, Decision::NoOpinion);
  EXPECT_EQ(other.reason, "no relationship found between node 'n1' and this object");
  EXPECT_TRUE(allowed("n2", req("GET", "/api/v1/namespaces/ns/secrets/n2-secret")));
  EXPECT_FALSE(allowed("n1", req("GET", "/api/v1/namespaces/other/secrets/vol-secret")));
  // A watch pinned to the name is a read of that object.
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/namespaces/ns/secrets",
                                {{"watch", "1"}, {"fieldSelector", "metadata.name=vol-secret"}})));
  EXPECT_EQ(as("n1", req("GET", "/api/v1/namespaces/ns/secrets")).reason, "No Object name found");
  EXPECT_EQ(as("n1", req("DELETE", "/api/v1/namespaces/ns/secrets/vol-secret")).reason,
            "can only read resources of this type");
  EXPECT_EQ(as("n1", req("GET", "/api/v1/secrets")).reason,
            "can only read namespaced object of this type");
}

TEST_F(NodeAuthorizerTest, PvcPvAndTheirSecretsAndServiceAccountTokens) {
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/namespaces/ns/persistentvolumeclaims/data")));
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/namespaces/ns/persistentvolumeclaims/web-scratch")));
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/persistentvolumes/pv1")));
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/namespaces/store/secrets/csi-secret")));
  EXPECT_FALSE(allowed("n2", req("GET", "/api/v1/persistentvolumes/pv1")));
  EXPECT_EQ(as("n1", req("GET", "/api/v1/persistentvolumes")).reason,
            "can only get individual resources of this type");
  EXPECT_TRUE(allowed("n1", req("PATCH", "/api/v1/namespaces/ns/persistentvolumeclaims/data/status")));
  EXPECT_TRUE(allowed("n1", req("POST", "/api/v1/namespaces/ns/serviceaccounts/sa1/token")));
  EXPECT_FALSE(allowed("n1", req("POST", "/api/v1/namespaces/ns/serviceaccounts/default/token")));
  EXPECT_EQ(as("n1", req("GET", "/api/v1/namespaces/ns/serviceaccounts/sa1")).reason,
            "can only create tokens for individual service accounts");
  graph.removePod("ns", "web");
  EXPECT_FALSE(allowed("n1", req("GET", "/api/v1/namespaces/ns/secrets/vol-secret")));
  EXPECT_FALSE(allowed("n1", req("GET", "/api/v1/persistentvolumes/pv1")));
}

TEST_F(NodeAuthorizerTest, RebindingMovesAccess) {
  graph.upsertPod(obj(R"({"metadata":{"namespace":"ns","name":"other"},
      "spec":{"nodeName":"n1","volumes":[{"name":"v","secret":{"secretName":"n2-secret"}}]}})"));
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/namespaces/ns/secrets/n2-secret")));
  EXPECT_FALSE(allowed("n2", req("GET", "/api/v1/namespaces/ns/secrets/n2-secret")));
}

TEST_F(NodeAuthorizerTest, NodesLeasesAndPods) {
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/nodes/n1")));
  EXPECT_EQ(as("n1", req("GET", "/api/v1/nodes/n2")).reason,
            "node 'n1' cannot read 'n2', only its own Node object");
  EXPECT_EQ(as("n1", req("GET", "/api/v1/nodes")).reason,
            "node 'n1' cannot read all nodes, only its own Node object");
  EXPECT_TRUE(allowed("n1", req("PUT", "/api/v1/nodes/n2")));  // NodeRestriction's job
  EXPECT_TRUE(allowed("n1", req("PATCH", "/api/v1/nodes/n1/status")));
  EXPECT_FALSE(allowed("n1", req("DELETE", "/api/v1/nodes/n1")));
  EXPECT_TRUE(allowed("n1", req("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1")));
  EXPECT_TRUE(allowed("n1", req("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases")));
  EXPECT_EQ(as("n1", req("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2")).reason,
            "can only access node lease with the same name as the requesting node");
  EXPECT_EQ(as("n1", req("GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/n1")).reason,
            "can only access leases in the \"kube-node-lease\" system namespace");
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/pods", {{"fieldSelector", "spec.nodeName=n1"}})));
  EXPECT_EQ(as("n1", req("GET", "/api/v1/pods")).reason,
            "can only list/watch pods with spec.nodeName field selector");
  EXPECT_FALSE(allowed("n1", req("GET", "/api/v1/pods", {{"fieldSelector", "spec.nodeName=n2"}})));
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/namespaces/ns/pods/web")));
  EXPECT_FALSE(allowed("n1", req("GET", "/api/v1/namespaces/ns/pods/other")));
  EXPECT_TRUE(allowed("n1", req("POST", "/api/v1/namespaces/ns/pods")));
  EXPECT_TRUE(allowed("n1", req("PUT", "/api/v1/namespaces/ns/pods/x/status")));
  EXPECT_FALSE(allowed("n1", req("PUT", "/api/v1/namespaces/ns/pods/x")));
}

TEST_F(NodeAuthorizerTest, OtherResourcesFollowTheNodeRules) {
  EXPECT_TRUE(allowed("n1", req("GET", "/api/v1/services")));
  EXPECT_TRUE(allowed("n1", req("POST", "/api/v1/namespaces/ns/events")));
  EXPECT_FALSE(allowed("n1", req("GET", "/apis/apps/v1/deployments")));
  EXPECT_FALSE(allowed("n1", req("GET", "/api")));
  UserRules rules;
  authz->rulesFor(nodeUser("n1"), "ns", rules);
  EXPECT_TRUE(rules.incomplete);
  EXPECT_EQ(rules.errors, std::vector<std::string>{"node authorizer does not support user rule resolution"});
}

}  // namespace
}  // namespace kcpp::apiserver::node
