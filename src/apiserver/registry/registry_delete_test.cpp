// Registry: deletion, dry run, list and watch.
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {
// --- delete ------------------------------------------------------------------

TEST_F(RegistryTest, DeleteRemovesTheObject) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  DeleteOptions options;
  auto deleted = await(cms.remove(ns, "a", options));
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(str(deleted->object, "metadata.uid"), str(created, "metadata.uid"));
  auto gone = get(cms, ns, "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), 404);

  auto again = await(cms.remove(ns, "a", options));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "configmaps \"a\" not found");
}

TEST_F(RegistryTest, DeleteWithFinalizersWaitsUntilTheyAreRemoved) {
  Registry& cms = add("", "configmaps");
  json::object body = configMap("a");
  body["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
  create(cms, ns, body);

  DeleteOptions options;
  auto deleted = await(cms.remove(ns, "a", options));
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_FALSE(deleted->deleted);
  std::string deletionTimestamp = str(deleted->object, "metadata.deletionTimestamp");
  EXPECT_TRUE(api::parseTime(deletionTimestamp).has_value()) << deletionTimestamp;
  EXPECT_EQ(at(deleted->object, "metadata.deletionGracePeriodSeconds"), 0);

  auto pending = get(cms, ns, "a");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(str(*pending, "metadata.deletionTimestamp"), deletionTimestamp);

  // Deleting again changes nothing.
  auto revision = store->currentRevisionNow();
  auto twice = await(cms.remove(ns, "a", options));
  ASSERT_TRUE(twice.ok());
  EXPECT_FALSE(twice->deleted);
  EXPECT_EQ(store->currentRevisionNow(), revision);

  // No new finalizers while being deleted.
  json::object more = *pending;
  more["metadata"].as_object()["finalizers"] = json::array{"example.com/hold", "example.com/new"};
  auto added = update(cms, ns, "a", more);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code(), 422);
  EXPECT_EQ(added.error().message,
            "ConfigMap \"a\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be "
            "added if the object is being deleted");

  // Other updates leave the object pending; deletionTimestamp is kept.
  json::object relabel = *pending;
  relabel["metadata"].as_object()["labels"] = parse(R"({"x":"y"})");
  relabel["metadata"].as_object().erase("deletionTimestamp");
  auto relabelled = update(cms, ns, "a", relabel);
  ASSERT_TRUE(relabelled.ok()) << relabelled.error().message;
  EXPECT_EQ(str(*relabelled, "metadata.deletionTimestamp"), deletionTimestamp);
  ASSERT_TRUE(get(cms, ns, "a").ok());

  // Removing the last finalizer completes the deletion.
  json::object released = *relabelled;
  released["metadata"].as_object().erase("finalizers");
  auto done = update(cms, ns, "a", released);
  ASSERT_TRUE(done.ok()) << done.error().message;
  auto gone = get(cms, ns, "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), 404);
}

TEST_F(RegistryTest, FinalizerRemovedByPatchCompletesDeletion) {
  Registry& cms = add("", "configmaps");
  json::object body = configMap("a");
  body["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
  create(cms, ns, body);
  DeleteOptions options;
  ASSERT_TRUE(await(cms.remove(ns, "a", options)).ok());
  ASSERT_TRUE(get(cms, ns, "a").ok());
  auto patched = patch(cms, "a", PatchType::Json, R"([{"op":"remove","path":"/metadata/finalizers"}])");
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_FALSE(get(cms, ns, "a").ok());
}

TEST_F(RegistryTest, ForegroundDeletionAddsItsFinalizer) {
  Registry& cms = add("", "configmaps");
  create(cms, ns, configMap("a"));
  DeleteOptions options;
  options.propagationPolicy = "Foreground";
  auto deleted = await(cms.remove(ns, "a", options));
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->deleted);
  EXPECT_EQ(at(*get(cms, ns, "a"), "metadata.finalizers"), json::array{"foregroundDeletion"});
}

TEST_F(RegistryTest, PropagationPolicyReplacesTheOtherGcFinalizer) {
  Registry& cms = add("", "configmaps");
  json::object body = configMap("a");
  body["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
  create(cms, ns, body);
  DeleteOptions orphan;
  orphan.propagationPolicy = "Orphan";
  ASSERT_TRUE(await(cms.remove(ns, "a", orphan)).ok());
  EXPECT_EQ(at(*get(cms, ns, "a"), "metadata.finalizers"),
            (json::array{"example.com/hold", "orphan"}));
  // A second DELETE with another policy swaps the finalizer, as upstream's
  // deletionFinalizersForGarbageCollection.
  DeleteOptions foreground;
  foreground.propagationPolicy = "Foreground";
  ASSERT_TRUE(await(cms.remove(ns, "a", foreground)).ok());
  EXPECT_EQ(at(*get(cms, ns, "a"), "metadata.finalizers"),
            (json::array{"example.com/hold", "foregroundDeletion"}));
  // No policy: the finalizer the object holds stays.
  DeleteOptions none;
  ASSERT_TRUE(await(cms.remove(ns, "a", none)).ok());
  EXPECT_EQ(at(*get(cms, ns, "a"), "metadata.finalizers"),
            (json::array{"example.com/hold", "foregroundDeletion"}));
  DeleteOptions background;
  background.propagationPolicy = "Background";
  ASSERT_TRUE(await(cms.remove(ns, "a", background)).ok());
  EXPECT_EQ(at(*get(cms, ns, "a"), "metadata.finalizers"), json::array{"example.com/hold"});
}

TEST_F(RegistryTest, BackgroundDeleteOfAnOrphaningObjectDeletesItNow) {
  Registry& cms = add("", "configmaps");
  create(cms, ns, configMap("a"));
  DeleteOptions orphan;
  orphan.propagationPolicy = "Orphan";
  auto first = await(cms.remove(ns, "a", orphan));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->deleted);
  DeleteOptions background;
  background.propagationPolicy = "Background";
  auto second = await(cms.remove(ns, "a", background));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->deleted);
  EXPECT_FALSE(get(cms, ns, "a").ok());
}

TEST_F(RegistryTest, ReplicationControllersOrphanByDefaultOtherResourcesDoNot) {
  Registry& rcs = add("", "replicationcontrollers");
  Registry& cms = add("", "configmaps");
  json::object rc{{"apiVersion", "v1"}, {"kind", "ReplicationController"}};
  rc["metadata"] = json::object{{"name", "rc"}};
  rc["spec"] = json::object{{"replicas", 0}, {"selector", json::object{{"a", "b"}}}};
  rc["spec"].as_object()["template"] = json::object{
      {"metadata", json::object{{"labels", json::object{{"a", "b"}}}}},
      {"spec", json::object{{"containers", json::array{json::object{{"name", "c"}, {"image", "i"}}}}}}};
  create(rcs, ns, rc);
  DeleteOptions none;
  auto deleted = await(rcs.remove(ns, "rc", none));
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_FALSE(deleted->deleted);
  EXPECT_EQ(at(*get(rcs, ns, "rc"), "metadata.finalizers"), json::array{"orphan"});

  create(cms, ns, configMap("a"));
  auto cm = await(cms.remove(ns, "a", none));
  ASSERT_TRUE(cm.ok());
  EXPECT_TRUE(cm->deleted);
}

TEST_F(RegistryTest, DeletePreconditionsConflict) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  std::string uid = str(created, "metadata.uid");
  std::string rv = str(created, "metadata.resourceVersion");

  DeleteOptions wrongUid;
  wrongUid.preconditionUid = "00000000-0000-0000-0000-000000000000";
  auto conflict = await(cms.remove(ns, "a", wrongUid));
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code(), 409);
  // Upstream's BeforeDelete wording, which names the Kind.
  EXPECT_EQ(conflict.error().message,
            "Operation cannot be fulfilled on ConfigMap \"a\": the UID in the precondition "
            "(00000000-0000-0000-0000-000000000000) does not match the UID in record (" + uid +
                "). The object might have been deleted and then recreated");
  EXPECT_EQ(conflict.error().reason, Reason::Conflict);
  EXPECT_TRUE(get(cms, ns, "a").ok());

  DeleteOptions wrongRv;
  wrongRv.preconditionResourceVersion = "1";
  auto rvConflict = await(cms.remove(ns, "a", wrongRv));
  ASSERT_FALSE(rvConflict.ok());
  EXPECT_EQ(rvConflict.error().message,
            "Operation cannot be fulfilled on ConfigMap \"a\": the ResourceVersion in the "
            "precondition (1) does not match the ResourceVersion in record (" + rv +
                "). The object might have been modified");

  // Grouped kinds are qualified by their group.
  Registry& deploys = add("apps", "deployments");
  create(deploys, ns, deployment("web"));
  auto grouped = await(deploys.remove(ns, "web", wrongUid));
  ASSERT_FALSE(grouped.ok());
  EXPECT_TRUE(grouped.error().message.starts_with(
      "Operation cannot be fulfilled on Deployment.apps \"web\": the UID in the precondition"))
      << grouped.error().message;

  DeleteOptions right;
  right.preconditionUid = uid;
  right.preconditionResourceVersion = rv;
  auto deleted = await(cms.remove(ns, "a", right));
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_TRUE(deleted->deleted);
}

// --- dryRun --------------------------------------------------------------------

TEST_F(RegistryTest, DryRunWritesNothing) {
  Registry& cms = add("", "configmaps");
  WriteOptions dryRun;
  dryRun.dryRun = true;
  auto revision = store->currentRevisionNow();
  auto created = await(cms.create(ns, configMap("a"), dryRun));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(str(*created, "metadata.name"), "a");
  EXPECT_FALSE(str(*created, "metadata.uid").empty());
  EXPECT_EQ(store->currentRevisionNow(), revision);
  EXPECT_FALSE(get(cms, ns, "a").ok());
  EXPECT_EQ(count(cms, ns), 0u);

  // Against existing objects: update and delete leave them as they are.
  create(cms, ns, configMap("b"));
  revision = store->currentRevisionNow();
  auto dupe = await(cms.create(ns, configMap("b"), dryRun));
  ASSERT_FALSE(dupe.ok());
  EXPECT_EQ(dupe.error().reason, Reason::AlreadyExists);
  json::object changed = configMap("b");
  changed["data"] = parse(R"({"a":"changed"})");
  auto updated = await(cms.update(ns, "b", changed, Subresource::None, dryRun));
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(str(*updated, "data.a"), "changed");
  DeleteOptions dryDelete;
  dryDelete.dryRun = true;
  auto deleted = await(cms.remove(ns, "b", dryDelete));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(store->currentRevisionNow(), revision);
  EXPECT_EQ(str(*get(cms, ns, "b"), "data.a"), "1");
}

// --- list and watch ----------------------------------------------------------------

TEST_F(RegistryTest, ListIsScopedToTheNamespace) {
  Registry& cms = add("", "configmaps");
  const std::string other = "other";
  create(cms, ns, configMap("a"));
  create(cms, ns, configMap("b"));
  create(cms, other, configMap("a"));
  EXPECT_EQ(count(cms, ns), 2u);
  EXPECT_EQ(count(cms, other), 1u);
  EXPECT_EQ(count(cms, ""), 3u);
  EXPECT_EQ(cms.prefix(ns), "/registry/configmaps/default/");
  EXPECT_EQ(cms.key(ns, "a"), "/registry/configmaps/default/a");
}

TEST_F(RegistryTest, WatchSeesWritesAfterARevision) {
  Registry& cms = add("", "configmaps");
  json::object created = create(cms, ns, configMap("a"));
  storage::Revision after = std::stoll(str(created, "metadata.resourceVersion"));
  create(cms, ns, configMap("b"));
  DeleteOptions options;
  ASSERT_TRUE(await(cms.remove(ns, "a", options)).ok());

  auto watcher = cms.watch(ns, nullptr, after, false);
  ASSERT_TRUE(watcher.ok()) << watcher.error().message;
  // The cache applies the store's events on its own time: gather until both came.
  std::vector<storage::WatchEvent> events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (events.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    auto batch = await((*watcher)->next(std::chrono::milliseconds(200)));
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    for (auto& ev : *batch) {
      if (ev.type != storage::WatchEvent::Type::Bookmark) events.push_back(std::move(ev));
    }
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, storage::WatchEvent::Type::Added);
  EXPECT_EQ(events[0].object.key, "/registry/configmaps/default/b");
  EXPECT_EQ(events[1].type, storage::WatchEvent::Type::Deleted);
  EXPECT_EQ(events[1].object.key, "/registry/configmaps/default/a");
}

TEST_F(RegistryTest, StoredFormHasNoResourceVersion) {
  Registry& cms = add("", "configmaps");
  create(cms, ns, configMap("a"));
  auto raw = store->getNow("/registry/configmaps/default/a");
  ASSERT_TRUE(raw.ok());
  json::object stored = parse(raw->value);
  EXPECT_EQ(api::findPath(stored, "metadata.resourceVersion"), nullptr);
  EXPECT_EQ(str(stored, "metadata.name"), "a");
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
