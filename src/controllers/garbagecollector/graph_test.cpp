// The dependency graph alone: which events queue which work.
#include "controllers/garbagecollector/graph.h"

#include <gtest/gtest.h>

namespace kcpp::controllers::gc {
namespace {

class GraphTest : public ::testing::Test {
 protected:
  static ObjectMeta object(const std::string& kind, const std::string& ns, const std::string& name,
                           const std::string& uid, std::vector<OwnerReference> owners = {}) {
    ObjectMeta m;
    m.identity.apiVersion = kind == "ReplicaSet" ? "apps/v1" : "v1";
    m.identity.kind = kind;
    m.identity.ns = ns;
    m.identity.name = name;
    m.identity.uid = uid;
    m.owners = std::move(owners);
    return m;
  }
  static OwnerReference ref(const std::string& kind, const std::string& name,
                            const std::string& uid, bool block = false) {
    OwnerReference r;
    r.apiVersion = kind == "ReplicaSet" ? "apps/v1" : "v1";
    r.kind = kind;
    r.name = name;
    r.uid = uid;
    r.blockOwnerDeletion = block;
    return r;
  }
  std::vector<std::string> takeDeletes() { return std::exchange(deletes, {}); }
  std::vector<std::string> takeOrphans() { return std::exchange(orphans, {}); }

  std::vector<std::string> deletes;
  std::vector<std::string> orphans;
  DependencyGraph graph{GraphQueues{[this](const std::string& u) { deletes.push_back(u); },
                                    [this](const std::string& u) { orphans.push_back(u); }}};
};

TEST_F(GraphTest, AnOwnerSeenLaterReplacesItsVirtualNode) {
  graph.observe(nullptr, object("Pod", "ns", "p", "pod-1", {ref("ReplicaSet", "rs", "rs-1")}));
  const Node* owner = graph.node("rs-1");
  ASSERT_NE(owner, nullptr);
  EXPECT_TRUE(owner->virtualNode);
  EXPECT_EQ(owner->identity.ns, "ns");  // the dependent's, until verified
  EXPECT_EQ(owner->dependents, std::set<std::string>{"pod-1"});
  // A virtual owner is checked against the server.
  EXPECT_EQ(takeDeletes(), std::vector<std::string>{"rs-1"});

  graph.observe(nullptr, object("ReplicaSet", "ns", "rs", "rs-1"));
  owner = graph.node("rs-1");
  EXPECT_FALSE(owner->virtualNode);
  EXPECT_EQ(owner->dependents, std::set<std::string>{"pod-1"});
  EXPECT_TRUE(takeDeletes().empty());
  EXPECT_EQ(graph.size(), 2u);
}

TEST_F(GraphTest, DeletingAnOwnerQueuesItsDependents) {
  graph.observe(nullptr, object("ReplicaSet", "ns", "rs", "rs-1"));
  graph.observe(nullptr, object("Pod", "ns", "a", "pod-a", {ref("ReplicaSet", "rs", "rs-1")}));
  graph.observe(nullptr, object("Pod", "ns", "b", "pod-b", {ref("ReplicaSet", "rs", "rs-1")}));
  EXPECT_TRUE(takeDeletes().empty());
  graph.observeDeleted(object("ReplicaSet", "ns", "rs", "rs-1"));
  auto queued = takeDeletes();
  std::sort(queued.begin(), queued.end());
  EXPECT_EQ(queued, (std::vector<std::string>{"pod-a", "pod-b"}));
  EXPECT_EQ(graph.node("rs-1"), nullptr);
  // Remembered as absent, so dependents need no GET to know.
  EXPECT_TRUE(graph.absentOwners().has(absentOwnerKey(ref("ReplicaSet", "rs", "rs-1"), "ns")));
}

TEST_F(GraphTest, TheOrphanFinalizerQueuesTheOwnerForOrphaning) {
  ObjectMeta rs = object("ReplicaSet", "ns", "rs", "rs-1");
  graph.observe(nullptr, rs);
  ObjectMeta deleting = rs;
  deleting.beingDeleted = true;
  deleting.finalizers = {"orphan"};
  graph.observe(&rs, deleting);
  EXPECT_EQ(takeOrphans(), std::vector<std::string>{"rs-1"});
  // Only the transition counts: a later update does not queue it again.
  graph.observe(&deleting, deleting);
  EXPECT_TRUE(takeOrphans().empty());
  EXPECT_TRUE(takeDeletes().empty());
}

TEST_F(GraphTest, ForegroundDeletionQueuesTheDependentsAndTheOwner) {
  ObjectMeta rs = object("ReplicaSet", "ns", "rs", "rs-1");
  graph.observe(nullptr, rs);
  graph.observe(nullptr, object("Pod", "ns", "a", "pod-a", {ref("ReplicaSet", "rs", "rs-1", true)}));
  graph.observe(nullptr, object("Pod", "ns", "b", "pod-b", {ref("ReplicaSet", "rs", "rs-1")}));
  ObjectMeta deleting = rs;
  deleting.beingDeleted = true;
  deleting.finalizers = {"foregroundDeletion"};
  graph.observe(&rs, deleting);
  EXPECT_TRUE(graph.node("rs-1")->deletingDependents);
  auto queued = takeDeletes();
  std::sort(queued.begin(), queued.end());
  EXPECT_EQ(queued, (std::vector<std::string>{"pod-a", "pod-b", "rs-1"}));
  // Only the dependent with blockOwnerDeletion blocks.
  EXPECT_EQ(graph.blockingDependents(*graph.node("rs-1")), std::vector<std::string>{"pod-a"});
  // The blocking dependent going lets the owner be checked again.
  graph.observeDeleted(object("Pod", "ns", "a", "pod-a", {ref("ReplicaSet", "rs", "rs-1", true)}));
  EXPECT_EQ(takeDeletes(), std::vector<std::string>{"rs-1"});
  EXPECT_TRUE(graph.blockingDependents(*graph.node("rs-1")).empty());
}

TEST_F(GraphTest, DroppingABlockingReferenceUnblocksADeletingOwner) {
  ObjectMeta rs = object("ReplicaSet", "ns", "rs", "rs-1");
  rs.beingDeleted = true;
  rs.finalizers = {"foregroundDeletion"};
  graph.observe(nullptr, rs);
  ObjectMeta pod = object("Pod", "ns", "a", "pod-a", {ref("ReplicaSet", "rs", "rs-1", true)});
  graph.observe(nullptr, pod);
  takeDeletes();
  ObjectMeta unblocked = pod;
  unblocked.owners[0].blockOwnerDeletion = false;
  graph.observe(&pod, unblocked);
  EXPECT_EQ(takeDeletes(), std::vector<std::string>{"rs-1"});
  ObjectMeta released = pod;
  released.owners.clear();
  graph.observe(&unblocked, released);
  EXPECT_EQ(takeDeletes(), std::vector<std::string>{"rs-1"});
  EXPECT_TRUE(graph.node("rs-1")->dependents.empty());
}

TEST_F(GraphTest, AnOwnerInAnotherNamespaceMakesTheDependentSuspect) {
  graph.observe(nullptr, object("ConfigMap", "a", "owner", "cm-1"));
  graph.observe(nullptr, object("ConfigMap", "b", "child", "cm-2", {ref("ConfigMap", "owner", "cm-1")}));
  EXPECT_EQ(takeDeletes(), std::vector<std::string>{"cm-2"});
  // A cluster-scoped owner may own objects of any namespace.
  graph.observe(nullptr, object("Node", "", "n1", "node-1"));
  graph.observe(nullptr, object("ConfigMap", "b", "ok", "cm-3", {ref("Node", "n1", "node-1")}));
  EXPECT_TRUE(takeDeletes().empty());
}

TEST_F(GraphTest, AVirtualDeleteRemovesOnlyVirtualNodes) {
  graph.observe(nullptr, object("Pod", "ns", "p", "pod-1", {ref("ReplicaSet", "gone", "rs-x")}));
  takeDeletes();
  ObjectIdentity identity = graph.node("rs-x")->identity;
  graph.virtualDelete(identity);
  EXPECT_EQ(graph.node("rs-x"), nullptr);
  EXPECT_EQ(takeDeletes(), std::vector<std::string>{"pod-1"});
  // An observed object stays until its informer reports it gone.
  graph.virtualDelete(graph.node("pod-1")->identity);
  EXPECT_NE(graph.node("pod-1"), nullptr);
}

TEST_F(GraphTest, InformersKeepOnlyTheMetadataTheGraphNeeds) {
  json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"p","namespace":"ns","uid":"u","resourceVersion":"7",
                "labels":{"a":"b"},"annotations":{"big":"xxxxxxxx"},
                "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs",
                                    "uid":"rs-1","controller":true,"blockOwnerDeletion":true}],
                "finalizers":["f"],"deletionTimestamp":"2026-01-01T00:00:00Z"},
    "spec":{"containers":[{"name":"c","image":"nginx"}]},"status":{"phase":"Pending"}})").as_object();
  keepGraphMetadata(pod);
  EXPECT_EQ(pod, json::parse(R"({"metadata":{"name":"p","namespace":"ns","uid":"u",
    "resourceVersion":"7",
    "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"rs-1",
                        "controller":true,"blockOwnerDeletion":true}],
    "deletionTimestamp":"2026-01-01T00:00:00Z","finalizers":["f"]}})").as_object());
  ObjectMeta meta = objectMetaOf(pod, "v1", "Pod");
  EXPECT_EQ(meta.identity.describe(), "v1/Pod, namespace: ns, name: p, uid: u");
  ASSERT_EQ(meta.owners.size(), 1u);
  EXPECT_TRUE(meta.owners[0].controller);
  EXPECT_TRUE(meta.owners[0].blockOwnerDeletion);
  EXPECT_TRUE(meta.beingDeleted);
  EXPECT_TRUE(meta.hasFinalizer("f"));
}

TEST(AbsentOwnerCacheTest, ForgetsTheOldestBeyondItsCapacity) {
  AbsentOwnerCache cache(2);
  cache.add("a");
  cache.add("b");
  cache.add("a");
  cache.add("c");
  EXPECT_FALSE(cache.has("a"));
  EXPECT_TRUE(cache.has("b"));
  EXPECT_TRUE(cache.has("c"));
}

}  // namespace
}  // namespace kcpp::controllers::gc
