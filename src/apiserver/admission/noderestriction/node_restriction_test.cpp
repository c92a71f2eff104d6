#include "apiserver/admission/noderestriction/node_restriction.h"

#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using admission::Chain;
using admission::NodeRestriction;

class NodeRestrictionTest : public RegistryTest {
 protected:
  void SetUp() override {
    pods = &add("", "pods");
    nodes = &add("", "nodes");
    leases = &add("coordination.k8s.io", "leases");
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<NodeRestriction>(*pods, *nodes));
    chain = std::make_unique<Chain>(std::move(plugins));
    for (Registry* r : {pods, nodes, leases}) r->setAdmission(*chain);
    asNode.requester.user = &n1;
    n1Object = create(*nodes, "", node("n1"));
    create(*nodes, "", node("n2"));
    create(*pods, ns, pod("on-n2", "n2", false));
  }

  static json::object node(const std::string& name) {
    json::object n = parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"labels":{"kubernetes.io/hostname":"x"}},"spec":{}})");
    n["metadata"].as_object()["name"] = name;
    return n;
  }

  json::object pod(const std::string& name, const std::string& nodeName, bool mirror) {
    json::object p = parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{},
      "spec":{"containers":[{"name":"c","image":"busybox"}]}})");
    json::object& meta = p["metadata"].as_object();
    meta["name"] = name;
    p["spec"].as_object()["nodeName"] = nodeName;
    if (mirror) {
      meta["annotations"] = json::object{{"kubernetes.io/config.mirror", "hash"}};
      meta["ownerReferences"] = json::array{json::object{
          {"apiVersion", "v1"}, {"kind", "Node"}, {"name", nodeName}, {"controller", true},
          {"uid", str(n1Object, "metadata.uid")}}};
    }
    return p;
  }

  Registry* pods = nullptr;
  Registry* nodes = nullptr;
  Registry* leases = nullptr;
  std::unique_ptr<Chain> chain;
  UserInfo n1{"system:node:n1", "", {"system:nodes", "system:authenticated"}};
  WriteOptions asNode;
  json::object n1Object;
};

void expectForbidden(const Result<json::object>& r, const std::string& message) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), 403);
  EXPECT_EQ(r.error().message, message);
}

TEST_F(NodeRestrictionTest, NodeMayOnlyWriteItsOwnNodeObject) {
  json::object n2 = node("n2");
  const std::string clusterScope;
  expectForbidden(await(nodes->update(clusterScope, "n2", n2, Subresource::None, asNode)),
                  "nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"");
  expectForbidden(await(nodes->create(clusterScope, node("n3"), asNode)),
                  "nodes \"n3\" is forbidden: node \"n1\" is not allowed to modify node \"n3\"");
  DeleteOptions del;
  del.requester = asNode.requester;
  auto deleted = await(nodes->remove(clusterScope, "n2", del));
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code(), 403);
  json::object own = n1Object;
  own["metadata"].as_object()["labels"].as_object()["team"] = "a";
  own["metadata"].as_object()["labels"].as_object()["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
  EXPECT_TRUE(await(nodes->update(clusterScope, "n1", own, Subresource::None, asNode)).ok());
}

TEST_F(NodeRestrictionTest, RestrictedLabelsAndTaints) {
  const std::string clusterScope;
  json::object own = n1Object;
  own["metadata"].as_object()["labels"].as_object()["node-restriction.kubernetes.io/pci"] = "true";
  own["metadata"].as_object()["labels"].as_object()["node-role.kubernetes.io/master"] = "";
  expectForbidden(await(nodes->update(clusterScope, "n1", own, Subresource::None, asNode)),
                  "nodes \"n1\" is forbidden: is not allowed to modify labels: "
                  "node-restriction.kubernetes.io/pci, node-role.kubernetes.io/master");
  json::object tainted = n1Object;
  tainted["spec"].as_object()["taints"] =
      json::array{json::object{{"key", "k"}, {"effect", "NoSchedule"}}};
  expectForbidden(await(nodes->update(clusterScope, "n1", tainted, Subresource::None, asNode)),
                  "nodes \"n1\" is forbidden: node \"n1\" is not allowed to modify taints");
  EXPECT_EQ(admission::forbiddenNodeLabels({"kubernetes.io/hostname", "example.com/x",
                                            "foo.k8s.io/y", "kubelet.kubernetes.io/z"}),
            std::vector<std::string>{"foo.k8s.io/y"});
}

TEST_F(NodeRestrictionTest, PodsOnlyMirrorPodsBoundToItself) {
  expectForbidden(await(pods->create(ns, pod("plain", "n1", false), asNode)),
                  "pods \"plain\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" "
                  "annotation, node \"n1\" can only create mirror pods");
  expectForbidden(await(pods->create(ns, pod("elsewhere", "n2", true), asNode)),
                  "pods \"elsewhere\" is forbidden: node \"n1\" can only create pods with "
                  "spec.nodeName set to itself");
  json::object withSecret = pod("secretive", "n1", true);
  withSecret["spec"].as_object()["volumes"] =
      json::array{json::object{{"name", "s"}, {"secret", json::object{{"secretName", "x"}}}}};
  expectForbidden(await(pods->create(ns, withSecret, asNode)),
                  "pods \"secretive\" is forbidden: node \"n1\" can not create pods that reference secrets");
  EXPECT_TRUE(await(pods->create(ns, pod("mirror", "n1", true), asNode)).ok());
  DeleteOptions del;
  del.requester = asNode.requester;
  auto deleted = await(pods->remove(ns, "on-n2", del));
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().message,
            "pods \"on-n2\" is forbidden: node \"n1\" can only delete pods with spec.nodeName set to itself");
}

TEST_F(NodeRestrictionTest, OnlyItsOwnLeaseAndOtherUsersUnaffected) {
  json::object lease = parse(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"n2"},"spec":{}})");
  const std::string nodeLeases = "kube-node-lease";
  expectForbidden(await(leases->create(nodeLeases, lease, asNode)),
                  "leases.coordination.k8s.io \"n2\" is forbidden: can only access node lease "
                  "with the same name as the requesting node");
  lease["metadata"].as_object()["name"] = "n1";
  EXPECT_TRUE(await(leases->create(nodeLeases, lease, asNode)).ok());
  UserInfo admin{"alice", "", {"system:authenticated"}};
  WriteOptions asAlice;
  asAlice.requester.user = &admin;
  EXPECT_TRUE(await(pods->create(ns, pod("plain", "n2", false), asAlice)).ok());
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
