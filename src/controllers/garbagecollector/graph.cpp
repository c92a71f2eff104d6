#include "controllers/garbagecollector/graph.h"

#include <algorithm>

#include "api/meta/object.h"

namespace kcpp::controllers::gc {

namespace {

std::string groupOf(const std::string& apiVersion) {
  auto slash = apiVersion.find('/');
  return slash == std::string::npos ? "" : apiVersion.substr(0, slash);
}

// Whether a reference names the object at `identity` (versions of one group
// are the same object).
bool refMatches(const OwnerReference& ref, const ObjectIdentity& identity) {
  return ref.uid == identity.uid && ref.name == identity.name && ref.kind == identity.kind &&
         groupOf(ref.apiVersion) == groupOf(identity.apiVersion);
}

const OwnerReference* findRef(const std::vector<OwnerReference>& refs, const std::string& uid) {
  for (const auto& r : refs) {
    if (r.uid == uid) return &r;
  }
  return nullptr;
}

// The transition into "deleting, with `finalizer`" (upstream's deletionStartsWithFinalizer).
bool startsDeletingWith(const ObjectMeta* old, const ObjectMeta& now, const std::string& finalizer) {
  if (!now.beingDeleted || !now.hasFinalizer(finalizer)) return false;
  return !old || !old->beingDeleted || !old->hasFinalizer(finalizer);
}

}  // namespace

std::string ObjectIdentity::describe() const {
  return apiVersion + "/" + kind + ", namespace: " + ns + ", name: " + name + ", uid: " + uid;
}

bool ObjectMeta::hasFinalizer(const std::string& name) const {
  return std::find(finalizers.begin(), finalizers.end(), name) != finalizers.end();
}

std::vector<OwnerReference> ownerReferencesOf(const json::object& obj) {
  std::vector<OwnerReference> out;
  const json::value* refs = api::findPath(obj, "metadata.ownerReferences");
  if (!refs || !refs->is_array()) return out;
  for (const auto& r : refs->get_array()) {
    if (!r.is_object()) continue;
    const json::object& o = r.get_object();
    OwnerReference ref;
    ref.apiVersion = api::getString(o, "apiVersion");
    ref.kind = api::getString(o, "kind");
    ref.name = api::getString(o, "name");
    ref.uid = api::getString(o, "uid");
    auto* controller = o.if_contains("controller");
    ref.controller = controller && controller->is_bool() && controller->get_bool();
    auto* block = o.if_contains("blockOwnerDeletion");
    ref.blockOwnerDeletion = block && block->is_bool() && block->get_bool();
    if (!ref.uid.empty()) out.push_back(std::move(ref));
  }
  return out;
}

ObjectMeta objectMetaOf(const json::object& obj, const std::string& apiVersion,
                        const std::string& kind) {
  ObjectMeta meta;
  meta.identity.apiVersion = apiVersion;
  meta.identity.kind = kind;
  static const json::object empty;
  const json::object* m = api::findObject(obj, "metadata");
  if (!m) m = &empty;
  meta.identity.ns = api::getString(*m, "namespace");
  meta.identity.name = api::getString(*m, "name");
  meta.identity.uid = api::getString(*m, "uid");
  meta.owners = ownerReferencesOf(obj);
  meta.beingDeleted = m->contains("deletionTimestamp");
  if (auto* f = m->if_contains("finalizers"); f && f->is_array()) {
    for (const auto& v : f->get_array()) {
      if (v.is_string()) meta.finalizers.emplace_back(v.get_string());
    }
  }
  return meta;
}

void keepGraphMetadata(json::object& obj) {
  json::object kept;
  if (json::object* m = api::findObject(obj, "metadata")) {
    json::object meta;
    for (const char* field : {"name", "namespace", "uid", "resourceVersion", "ownerReferences",
                              "deletionTimestamp", "finalizers"}) {
      if (auto* v = m->if_contains(field)) meta[field] = std::move(*v);
    }
    kept["metadata"] = std::move(meta);
  }
  obj = std::move(kept);
}

void AbsentOwnerCache::add(const std::string& key) {
  if (!keys_.insert(key).second) return;
  order_.push_back(key);
  if (order_.size() > capacity_) {
    keys_.erase(order_.front());
    order_.pop_front();
  }
}

std::string absentOwnerKey(const OwnerReference& ref, const std::string& ns) {
  return groupOf(ref.apiVersion) + "/" + ref.kind + "/" + ns + "/" + ref.name + "/" + ref.uid;
}

DependencyGraph::DependencyGraph(GraphQueues queues) : queues_(std::move(queues)) {}

const Node* DependencyGraph::node(const std::string& uid) const {
  auto it = nodes_.find(uid);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::vector<std::string> DependencyGraph::blockingDependents(const Node& owner) const {
  std::vector<std::string> out;
  for (const std::string& uid : owner.dependents) {
    const Node* dep = node(uid);
    if (!dep) continue;
    const OwnerReference* ref = findRef(dep->owners, owner.identity.uid);
    if (ref && ref->blockOwnerDeletion) out.push_back(uid);
  }
  return out;
}

void DependencyGraph::observe(const ObjectMeta* old, const ObjectMeta& now) {
  if (now.identity.uid.empty()) return;
  auto it = nodes_.find(now.identity.uid);
  if (it == nodes_.end()) {
    insert(now);
    processTransitions(old, now, nodes_.at(now.identity.uid));
    return;
  }
  Node& node = it->second;
  if (node.virtualNode) markObserved(node, now.identity);
  update(node, old, now);
}

void DependencyGraph::insert(const ObjectMeta& obj) {
  Node node;
  node.identity = obj.identity;
  node.owners = obj.owners;
  node.virtualNode = false;
  node.beingDeleted = obj.beingDeleted;
  node.deletingDependents = obj.beingDeleted && obj.hasFinalizer(kForegroundFinalizer);
  auto& inserted = nodes_[obj.identity.uid] = std::move(node);
  addToOwners(inserted, inserted.owners);
}

// A virtual node is now seen for real. Dependents that named it by other
// coordinates (another namespace, kind or name) may hold invalid references:
// let attemptToDelete check them.
void DependencyGraph::markObserved(Node& node, const ObjectIdentity& observed) {
  node.virtualNode = false;
  if (node.identity == observed) return;
  for (const std::string& uid : node.dependents) {
    const Node* dep = this->node(uid);
    if (!dep) continue;
    const OwnerReference* ref = findRef(dep->owners, observed.uid);
    bool namespaceMismatch = !observed.ns.empty() && dep->identity.ns != observed.ns;
    if (namespaceMismatch || !ref || !refMatches(*ref, observed)) queues_.attemptToDelete(uid);
  }
  node.identity = observed;
}

void DependencyGraph::update(Node& node, const ObjectMeta* old, const ObjectMeta& now) {
  std::vector<OwnerReference> added, removed, unblocked;
  for (const auto& ref : now.owners) {
    const OwnerReference* before = findRef(node.owners, ref.uid);
    if (!before) added.push_back(ref);
    else if (before->blockOwnerDeletion && !ref.blockOwnerDeletion) unblocked.push_back(ref);
  }
  for (const auto& ref : node.owners) {
    if (!findRef(now.owners, ref.uid)) removed.push_back(ref);
  }
  if (!added.empty() || !removed.empty() || !unblocked.empty() || node.owners != now.owners) {
    // Owners waiting for this dependent in foreground deletion may be free now.
    enqueueUnblockedOwners(removed);
    enqueueUnblockedOwners(unblocked);
    node.owners = now.owners;
    addToOwners(node, added);
    removeFromOwners(node.identity.uid, removed);
  }
  if (now.beingDeleted) node.beingDeleted = true;
  processTransitions(old, now, node);
}

void DependencyGraph::addToOwners(const Node& dependent, const std::vector<OwnerReference>& owners) {
  bool potentiallyInvalid = false;
  const std::string& depUid = dependent.identity.uid;
  for (const OwnerReference& ref : owners) {
    auto it = nodes_.find(ref.uid);
    if (it == nodes_.end()) {
      // Not seen yet: a virtual owner, in the dependent's namespace until
      // attemptToDelete asks the server.
      Node owner;
      owner.identity.apiVersion = ref.apiVersion;
      owner.identity.kind = ref.kind;
      owner.identity.ns = dependent.identity.ns;
      owner.identity.name = ref.name;
      owner.identity.uid = ref.uid;
      owner.dependents.insert(depUid);
      nodes_.emplace(ref.uid, std::move(owner));
      queues_.attemptToDelete(ref.uid);
      continue;
    }
    Node& owner = it->second;
    owner.dependents.insert(depUid);
    bool ownerNamespaced = !owner.identity.ns.empty();
    if (ownerNamespaced && owner.identity.ns != dependent.identity.ns) {
      // A namespaced owner can only own objects of its own namespace.
      potentiallyInvalid = true;
    } else if (!refMatches(ref, owner.identity)) {
      potentiallyInvalid = true;
    } else if (!ownerNamespaced && owner.virtualNode && !dependent.identity.ns.empty()) {
      potentiallyInvalid = true;
    }
  }
  if (potentiallyInvalid) queues_.attemptToDelete(depUid);
}

void DependencyGraph::removeFromOwners(const std::string& dependentUid,
                                       const std::vector<OwnerReference>& owners) {
  for (const OwnerReference& ref : owners) {
    auto it = nodes_.find(ref.uid);
    if (it != nodes_.end()) it->second.dependents.erase(dependentUid);
  }
}

void DependencyGraph::enqueueUnblockedOwners(const std::vector<OwnerReference>& refs) {
  for (const OwnerReference& ref : refs) {
    const Node* owner = node(ref.uid);
    if (owner && owner->deletingDependents) queues_.attemptToDelete(ref.uid);
  }
}

void DependencyGraph::processTransitions(const ObjectMeta* old, const ObjectMeta& now, Node& node) {
  if (startsDeletingWith(old, now, kOrphanFinalizer)) {
    queues_.attemptToOrphan(node.identity.uid);
    return;
  }
  if (startsDeletingWith(old, now, kForegroundFinalizer)) {
    node.deletingDependents = true;
    for (const std::string& dep : node.dependents) queues_.attemptToDelete(dep);
    queues_.attemptToDelete(node.identity.uid);
  }
}

void DependencyGraph::observeDeleted(const ObjectMeta& gone) {
  auto it = nodes_.find(gone.identity.uid);
  if (it == nodes_.end()) return;
  ObjectIdentity identity = it->second.identity;
  identity.apiVersion = gone.identity.apiVersion;
  removeNode(gone.identity.uid, identity);
}

void DependencyGraph::virtualDelete(const ObjectIdentity& identity) {
  auto it = nodes_.find(identity.uid);
  if (it == nodes_.end()) return;
  Node& node = it->second;
  if (!node.virtualNode) {
    // An observed object is only removed by its informer. Dependents that
    // named it by the coordinates just found absent are checked again.
    if (node.identity == identity) return;
    for (const std::string& uid : node.dependents) {
      const Node* dep = this->node(uid);
      const OwnerReference* ref = dep ? findRef(dep->owners, identity.uid) : nullptr;
      if (ref && refMatches(*ref, identity) && dep->identity.ns == identity.ns) {
        queues_.attemptToDelete(uid);
      }
    }
    return;
  }
  removeNode(identity.uid, identity);
}

void DependencyGraph::removeNode(const std::string& uid, const ObjectIdentity& identity) {
  auto it = nodes_.find(uid);
  Node node = std::move(it->second);
  nodes_.erase(it);
  removeFromOwners(uid, node.owners);
  if (!node.dependents.empty()) {
    OwnerReference ref;
    ref.apiVersion = identity.apiVersion;
    ref.kind = identity.kind;
    ref.name = identity.name;
    ref.uid = identity.uid;
    absent_.add(absentOwnerKey(ref, identity.ns));
  }
  for (const std::string& dep : node.dependents) queues_.attemptToDelete(dep);
  for (const OwnerReference& ref : node.owners) {
    const Node* owner = this->node(ref.uid);
    if (owner && owner->deletingDependents) queues_.attemptToDelete(ref.uid);
  }
}

}  // namespace kcpp::controllers::gc
