// The garbage collector's decisions (upstream's attemptToDeleteItem,
// processDeletingDependentsItem, classifyReferences, attemptToOrphanWorker),
// each checked against the live object.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/meta/object.h"
#include "controllers/garbagecollector/garbage_collector.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using gc::ObjectIdentity;
using gc::OwnerReference;

namespace {

// Outcomes that end an item's processing without a retry (upstream's
// enqueuedVirtualDeleteEventErr and namespacedOwnerOfClusterScopedObjectErr).
constexpr const char* kVirtualDeleted = "enqueued virtual delete event";
constexpr const char* kNamespacedOwnerOfClusterScoped =
    "cluster-scoped objects cannot refer to namespaced owners";

bool isFinal(const Error& e) {
  return e.message == kVirtualDeleted || e.message == kNamespacedOwnerOfClusterScoped;
}

bool hasFinalizer(const json::object& obj, const char* name) {
  const json::value* f = api::findPath(obj, "metadata.finalizers");
  if (!f || !f->is_array()) return false;
  const auto& list = f->get_array();
  return std::find(list.begin(), list.end(), json::value(name)) != list.end();
}

bool beingDeleted(const json::object& obj) {
  return api::findPath(obj, "metadata.deletionTimestamp") != nullptr;
}

std::string uidOf(const json::object& obj) {
  const json::value* uid = api::findPath(obj, "metadata.uid");
  return uid && uid->is_string() ? std::string(uid->get_string()) : "";
}

bool containsUid(const std::vector<OwnerReference>& refs, std::string_view uid) {
  return std::any_of(refs.begin(), refs.end(), [&](const OwnerReference& r) { return r.uid == uid; });
}

// The object's ownerReferences JSON, without those whose uid is in `drop`.
json::array ownerReferencesWithout(const json::object& obj, const std::vector<OwnerReference>& drop) {
  json::array out;
  const json::value* refs = api::findPath(obj, "metadata.ownerReferences");
  if (!refs || !refs->is_array()) return out;
  for (const auto& r : refs->get_array()) {
    std::string_view uid = r.is_object() ? api::getString(r.get_object(), "uid") : "";
    if (!containsUid(drop, uid)) out.push_back(r);
  }
  return out;
}

// The object's ownerReferences JSON with blockOwnerDeletion=false on those in `refs`.
json::array ownerReferencesUnblocking(const json::object& obj, const std::vector<OwnerReference>& refs) {
  json::array out;
  const json::value* all = api::findPath(obj, "metadata.ownerReferences");
  if (!all || !all->is_array()) return out;
  for (json::value r : all->get_array()) {
    if (r.is_object() && containsUid(refs, api::getString(r.get_object(), "uid"))) {
      r.get_object()["blockOwnerDeletion"] = false;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<client::ResourcePath> GarbageCollector::pathOf(const ObjectIdentity& identity) const {
  auto resource = mapper_.find(identity.apiVersion, identity.kind);
  if (!resource) {
    return makeError(Reason::NotFound, "unable to get REST mapping for " + identity.apiVersion +
                                           "/" + identity.kind);
  }
  client::ResourcePath path = resource->path();
  path.ns = resource->namespaced ? identity.ns : "";
  path.name = identity.name;
  return path;
}

asio::awaitable<Result<json::object>> GarbageCollector::getObject(const ObjectIdentity& identity) {
  auto path = pathOf(identity);
  if (!path) co_return makeError(Reason::InternalError, path.error().message);
  co_return co_await client_.get(*path);
}

asio::awaitable<Result<void>> GarbageCollector::deleteObject(const ObjectIdentity& identity,
                                                             const std::string& policy) {
  auto path = pathOf(identity);
  if (!path) co_return makeError(Reason::InternalError, path.error().message);
  json::object options{{"apiVersion", "v1"}, {"kind", "DeleteOptions"},
                       {"propagationPolicy", policy}};
  options["preconditions"] = json::object{{"uid", identity.uid}};
  spdlog::debug("garbage collector: deleting {} with propagation {}", identity.describe(), policy);
  auto removed = co_await client_.remove(*path, options);
  if (!removed && removed.error().reason != Reason::NotFound) co_return std::move(removed).error();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> GarbageCollector::patchOwnerReferences(const ObjectIdentity& identity,
                                                                     const json::object& latest,
                                                                     json::array owners) {
  auto path = pathOf(identity);
  if (!path) co_return makeError(Reason::InternalError, path.error().message);
  // A JSON merge patch works for every resource; the resourceVersion makes it
  // apply only to the state the decision was made on.
  json::object meta{{"resourceVersion", api::metaResourceVersion(latest)}};
  if (owners.empty()) meta["ownerReferences"] = nullptr;
  else meta["ownerReferences"] = std::move(owners);
  json::object body{{"metadata", std::move(meta)}};
  std::string contentType = "application/merge-patch+json";
  auto patched = co_await client_.patch(*path, contentType, json::serialize(body));
  if (!patched && patched.error().reason != Reason::NotFound) co_return std::move(patched).error();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> GarbageCollector::removeFinalizer(const ObjectIdentity& identity,
                                                                const std::string& finalizer) {
  auto path = pathOf(identity);
  if (!path) co_return makeError(Reason::InternalError, path.error().message);
  for (int attempt = 0;; ++attempt) {
    auto latest = co_await client_.get(*path);
    if (!latest && latest.error().reason == Reason::NotFound) co_return Result<void>{};
    if (!latest) co_return std::move(latest).error();
    if (uidOf(*latest) != identity.uid) co_return Result<void>{};
    const json::value* current = api::findPath(*latest, "metadata.finalizers");
    json::array kept;
    bool found = false;
    if (current && current->is_array()) {
      for (const auto& f : current->get_array()) {
        if (f.is_string() && f.get_string() == finalizer) found = true;
        else kept.push_back(f);
      }
    }
    if (!found) co_return Result<void>{};
    json::object meta{{"resourceVersion", api::metaResourceVersion(*latest)}};
    if (kept.empty()) meta["finalizers"] = nullptr;
    else meta["finalizers"] = std::move(kept);
    json::object body{{"metadata", std::move(meta)}};
    std::string contentType = "application/merge-patch+json";
    auto patched = co_await client_.patch(*path, contentType, json::serialize(body));
    if (patched || patched.error().reason == Reason::NotFound) co_return Result<void>{};
    if (patched.error().reason != Reason::Conflict || attempt >= 4) {
      co_return std::move(patched).error();
    }
  }
}

asio::awaitable<Result<bool>> GarbageCollector::isDangling(const OwnerReference& ref,
                                                           const ObjectIdentity& item,
                                                           std::optional<json::object>& owner) {
  auto& absent = graph_.absentOwners();
  if (absent.has(gc::absentOwnerKey(ref, "")) || absent.has(gc::absentOwnerKey(ref, item.ns))) {
    co_return true;
  }
  auto resource = mapper_.find(ref.apiVersion, ref.kind);
  if (!resource) {
    co_return makeError(Reason::NotFound,
                        "unable to get REST mapping for " + ref.apiVersion + "/" + ref.kind);
  }
  if (item.ns.empty() && resource->namespaced) {
    spdlog::info("garbage collector: {} is cluster-scoped, but refers to a namespaced owner of "
                 "type {}/{}", item.describe(), ref.apiVersion, ref.kind);
    co_return makeError(Reason::BadRequest, kNamespacedOwnerOfClusterScoped);
  }
  // An owner lives in its dependent's namespace, or is cluster-scoped.
  client::ResourcePath path = resource->path();
  path.ns = resource->namespaced ? item.ns : "";
  path.name = ref.name;
  auto found = co_await client_.get(path);
  if (!found && found.error().reason == Reason::NotFound) {
    absent.add(gc::absentOwnerKey(ref, path.ns));
    co_return true;
  }
  if (!found) co_return std::move(found).error();
  if (uidOf(*found) != ref.uid) {
    absent.add(gc::absentOwnerKey(ref, path.ns));
    co_return true;
  }
  owner = std::move(*found);
  co_return false;
}

asio::awaitable<Result<GarbageCollector::Classified>> GarbageCollector::classifyReferences(
    const ObjectIdentity& item, const std::vector<OwnerReference>& refs) {
  Classified out;
  for (const OwnerReference& ref : refs) {
    std::optional<json::object> owner;
    auto dangling = co_await isDangling(ref, item, owner);
    if (!dangling) co_return std::move(dangling).error();
    if (*dangling) out.dangling.push_back(ref);
    else if (beingDeleted(*owner) && hasFinalizer(*owner, gc::kForegroundFinalizer)) {
      out.waitingForDependentsDeletion.push_back(ref);
    } else {
      out.solid.push_back(ref);
    }
  }
  co_return out;
}

asio::awaitable<Result<void>> GarbageCollector::attemptToDelete(const std::string& uid) {
  const gc::Node* found = graph_.node(uid);
  if (!found) co_return Result<void>{};
  gc::Node item;  // without the dependents: they are read from the graph when needed
  item.identity = found->identity;
  item.owners = found->owners;
  item.virtualNode = found->virtualNode;
  item.beingDeleted = found->beingDeleted;
  item.deletingDependents = found->deletingDependents;
  auto done = co_await attemptToDeleteItem(item);
  if (!done) {
    if (isFinal(done.error())) co_return Result<void>{};
    spdlog::debug("garbage collector: {}: {}", item.identity.describe(), done.error().message);
    co_return done;
  }
  // A virtual node whose object exists is checked again until an informer
  // reports the object (or its absence): see upstream issue 56121.
  const gc::Node* now = graph_.node(uid);
  if (now && now->virtualNode) {
    co_return makeError(Reason::NotFound, "item hasn't been observed via informer yet");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> GarbageCollector::attemptToDeleteItem(const gc::Node& item) {
  // Being deleted is a one-way trip: the dependents are handled once it is gone.
  if (item.beingDeleted && !item.deletingDependents) co_return Result<void>{};
  auto latest = co_await getObject(item.identity);
  if (!latest && latest.error().reason == Reason::NotFound) {
    graph_.virtualDelete(item.identity);
    co_return makeError(Reason::NotFound, kVirtualDeleted);
  }
  if (!latest) co_return std::move(latest).error();
  if (uidOf(*latest) != item.identity.uid) {
    graph_.virtualDelete(item.identity);
    co_return makeError(Reason::NotFound, kVirtualDeleted);
  }
  if (item.deletingDependents) co_return co_await processDeletingDependents(item);
  std::vector<OwnerReference> refs = gc::ownerReferencesOf(*latest);
  if (refs.empty()) co_return Result<void>{};
  auto classified = co_await classifyReferences(item.identity, refs);
  if (!classified) co_return std::move(classified).error();
  const Classified& c = *classified;
  if (!c.solid.empty()) {
    if (c.dangling.empty() && c.waitingForDependentsDeletion.empty()) co_return Result<void>{};
    // Still owned: only the references to absent or leaving owners go.
    std::vector<OwnerReference> drop = c.dangling;
    drop.insert(drop.end(), c.waitingForDependentsDeletion.begin(),
                c.waitingForDependentsDeletion.end());
    co_return co_await patchOwnerReferences(item.identity, *latest,
                                            ownerReferencesWithout(*latest, drop));
  }
  const gc::Node* node = graph_.node(item.identity.uid);
  if (!c.waitingForDependentsDeletion.empty() && node && !node->dependents.empty()) {
    // An owner waits for this object, which has dependents of its own: delete
    // it in the foreground too. If one of those dependents waits for this
    // object in turn (a cycle), stop blocking the owners first.
    for (const std::string& depUid : node->dependents) {
      const gc::Node* dep = graph_.node(depUid);
      if (!dep || !dep->deletingDependents) continue;
      auto unblocked = co_await patchOwnerReferences(
          item.identity, *latest,
          ownerReferencesUnblocking(*latest, c.waitingForDependentsDeletion));
      if (!unblocked) co_return unblocked;
      break;
    }
    co_return co_await deleteObject(item.identity, "Foreground");
  }
  // No owner is left: collect it, keeping the propagation its finalizers ask for.
  std::string policy = "Background";
  if (hasFinalizer(*latest, gc::kOrphanFinalizer)) policy = "Orphan";
  else if (hasFinalizer(*latest, gc::kForegroundFinalizer)) policy = "Foreground";
  co_return co_await deleteObject(item.identity, policy);
}

asio::awaitable<Result<void>> GarbageCollector::processDeletingDependents(const gc::Node& item) {
  const gc::Node* node = graph_.node(item.identity.uid);
  if (!node) co_return Result<void>{};
  std::vector<std::string> blocking = graph_.blockingDependents(*node);
  if (blocking.empty()) {
    co_return co_await removeFinalizer(item.identity, gc::kForegroundFinalizer);
  }
  for (const std::string& uid : blocking) {
    const gc::Node* dep = graph_.node(uid);
    if (dep && !dep->deletingDependents) attemptToDelete_.add(uid);
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> GarbageCollector::attemptToOrphan(const std::string& uid) {
  const gc::Node* owner = graph_.node(uid);
  if (!owner) co_return Result<void>{};
  ObjectIdentity ownerIdentity = owner->identity;
  std::vector<std::string> dependents(owner->dependents.begin(), owner->dependents.end());
  std::vector<OwnerReference> drop(1);
  drop[0].uid = ownerIdentity.uid;
  std::string failures;
  for (const std::string& depUid : dependents) {
    const gc::Node* dep = graph_.node(depUid);
    if (!dep) continue;
    ObjectIdentity depIdentity = dep->identity;
    auto latest = co_await getObject(depIdentity);
    if (!latest && latest.error().reason == Reason::NotFound) continue;
    if (latest && uidOf(*latest) != depUid) continue;
    Result<void> orphaned;
    if (latest) {
      json::array kept = ownerReferencesWithout(*latest, drop);
      const json::value* before = api::findPath(*latest, "metadata.ownerReferences");
      bool changed = before && before->is_array() && before->get_array().size() != kept.size();
      if (!changed) continue;
      orphaned = co_await patchOwnerReferences(depIdentity, *latest, std::move(kept));
    } else {
      orphaned = std::move(latest).error();
    }
    if (!orphaned) failures += depIdentity.describe() + ": " + orphaned.error().message + "; ";
  }
  if (!failures.empty()) {
    co_return makeError(Reason::InternalError, "orphaning dependents of " +
                                                   ownerIdentity.describe() + ": " + failures);
  }
  co_return co_await removeFinalizer(ownerIdentity, gc::kOrphanFinalizer);
}

}  // namespace kcpp::controllers
