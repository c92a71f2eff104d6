#pragma once
// The garbage collector's dependency graph (upstream's GraphBuilder and node):
// every object the collector follows, keyed by uid, with its ownerReferences
// and the objects that name it as an owner. An owner referenced before it is
// observed gets a "virtual" node, verified against the server by
// attemptToDelete. Only what the decisions need is held (identity, owners,
// deletion state), never whole objects.
//
// The builder turns informer events into queue work: objects to check for
// deletion (attemptToDelete) and owners whose dependents must be orphaned
// (attemptToOrphan). Not thread-safe: one executor.

#include <boost/json.hpp>

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace kcpp::controllers::gc {

namespace json = boost::json;

inline constexpr const char* kOrphanFinalizer = "orphan";
inline constexpr const char* kForegroundFinalizer = "foregroundDeletion";

struct OwnerReference {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool blockOwnerDeletion = false;

  bool operator==(const OwnerReference&) const = default;
};

// Where an object lives. `ns` is empty for cluster-scoped objects; a virtual
// node takes its dependent's namespace until the server says otherwise.
struct ObjectIdentity {
  std::string apiVersion;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;

  bool operator==(const ObjectIdentity&) const = default;
  std::string describe() const;
};

// What the graph keeps of an object an informer reported.
struct ObjectMeta {
  ObjectIdentity identity;
  std::vector<OwnerReference> owners;
  bool beingDeleted = false;
  std::vector<std::string> finalizers;

  bool hasFinalizer(const std::string& name) const;
};

// Reads ownerReferences of an object's metadata.
std::vector<OwnerReference> ownerReferencesOf(const json::object& obj);
// An object (possibly metadata-only) as the graph sees it; apiVersion and kind
// come from the resource it was listed as.
ObjectMeta objectMetaOf(const json::object& obj, const std::string& apiVersion,
                        const std::string& kind);
// Keeps only the metadata the graph and informer need (an informer transform).
void keepGraphMetadata(json::object& obj);

struct Node {
  ObjectIdentity identity;
  std::vector<OwnerReference> owners;
  std::set<std::string> dependents;  // uids
  bool virtualNode = true;           // not (yet) observed through an informer
  bool beingDeleted = false;
  bool deletingDependents = false;  // deletion with the foregroundDeletion finalizer
};

struct GraphQueues {
  std::function<void(const std::string& uid)> attemptToDelete;
  std::function<void(const std::string& uid)> attemptToOrphan;
};

// Owners known to be absent (upstream's absentOwnerCache), oldest forgotten first.
class AbsentOwnerCache {
 public:
  explicit AbsentOwnerCache(std::size_t capacity) : capacity_(capacity) {}
  void add(const std::string& key);
  bool has(const std::string& key) const { return keys_.count(key) > 0; }

 private:
  std::size_t capacity_;
  std::set<std::string> keys_;
  std::deque<std::string> order_;
};
// The cache key of an owner reference resolved in namespace `ns` ("" for cluster-scoped).
std::string absentOwnerKey(const OwnerReference& ref, const std::string& ns);

class DependencyGraph {
 public:
  explicit DependencyGraph(GraphQueues queues);

  // An informer's add or update (old is null for an add).
  void observe(const ObjectMeta* old, const ObjectMeta& now);
  // An informer's delete.
  void observeDeleted(const ObjectMeta& gone);
  // attemptToDelete found nothing (or another uid) at `identity`: drop the node
  // if it is virtual, and let its dependents be checked (upstream's virtual delete).
  void virtualDelete(const ObjectIdentity& identity);

  const Node* node(const std::string& uid) const;
  std::size_t size() const { return nodes_.size(); }
  // Dependents whose reference to `owner` has blockOwnerDeletion set.
  std::vector<std::string> blockingDependents(const Node& owner) const;
  AbsentOwnerCache& absentOwners() { return absent_; }

 private:
  void insert(const ObjectMeta& obj);
  void update(Node& node, const ObjectMeta* old, const ObjectMeta& now);
  void markObserved(Node& node, const ObjectIdentity& observed);
  void addToOwners(const Node& dependent, const std::vector<OwnerReference>& owners);
  void removeFromOwners(const std::string& dependentUid, const std::vector<OwnerReference>& owners);
  void enqueueUnblockedOwners(const std::vector<OwnerReference>& refs);
  void processTransitions(const ObjectMeta* old, const ObjectMeta& now, Node& node);
  void removeNode(const std::string& uid, const ObjectIdentity& identity);

  GraphQueues queues_;
  std::unordered_map<std::string, Node> nodes_;
  AbsentOwnerCache absent_{2000};
};

}  // namespace kcpp::controllers::gc
