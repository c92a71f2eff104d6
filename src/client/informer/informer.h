#pragma once
// Informer: a reflector feeding an indexed cache, as upstream's client-go shared
// informer. The reflector LISTs a collection, then WATCHes from the list's
// resourceVersion (with bookmarks); a dropped stream resumes from the last
// resourceVersion seen, a 410 Gone (compacted history) relists, other failures
// back off (800 ms doubling to 30 s) and retry. Every change reaches the
// handlers (add, update, delete) after the cache holds it; a relist that finds
// objects gone reports them deleted.
//
// Not thread-safe: run() and every other call on one executor.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/informer/object_interner.h"
#include "client/rest/rest_client.h"

namespace kcpp::client {

using ObjectPtr = std::shared_ptr<const json::object>;

// "namespace/name", or "name" for cluster-scoped objects (upstream's
// MetaNamespaceKeyFunc).
std::string objectKey(const json::object& obj);

// The values an object is indexed under (e.g. its namespace, its node name).
using IndexFunc = std::function<std::vector<std::string>(const json::object&)>;

struct EventHandlers {
  std::function<void(const ObjectPtr&)> onAdd;
  std::function<void(const ObjectPtr& oldObj, const ObjectPtr& newObj)> onUpdate;
  std::function<void(const ObjectPtr&)> onDelete;
};

class Informer {
 public:
  // `collection` names the resource (and namespace / selectors in its query) to follow.
  Informer(RestClient& client, ResourcePath collection);

  // Before run(): indexers.
  void addIndexer(const std::string& name, IndexFunc index);
  // Handlers may join at any time (not from within a handler of this
  // informer): objects already cached are handed to onAdd at once.
  void addHandlers(EventHandlers handlers);
  // Before run(): rewrites each object before it is cached and handed to the
  // handlers (client-go's SetTransform), e.g. to keep only metadata. It must
  // keep metadata.name, namespace and resourceVersion.
  void setTransform(std::function<void(json::object&)> transform) {
    transform_ = std::move(transform);
  }
  // Before run(): shares parsed objects with the other informers of the process
  // that use the same interner (not with a transform: its objects are its own).
  void setInterner(std::shared_ptr<ObjectInterner> interner) { interner_ = std::move(interner); }
  // Before run(): list in pages of `limit` objects (0, the default: one list),
  // as client-go's pager, so a large collection is never parsed whole.
  void setPageSize(int limit) { pageSize_ = limit; }

  // Lists and watches until stop(); returns once stopped.
  boost::asio::awaitable<void> run();
  void stop();

  // True once the first list has been delivered.
  bool hasSynced() const { return synced_; }
  // The resourceVersion of the newest state held.
  const std::string& lastResourceVersion() const { return resourceVersion_; }
  // How many times the reflector listed (1 plus relists after 410 or failures).
  int listCount() const { return lists_; }

  ObjectPtr get(const std::string& key) const;
  std::vector<ObjectPtr> list() const;
  std::vector<ObjectPtr> byIndex(const std::string& indexName, const std::string& value) const;

 private:
  boost::asio::awaitable<Result<void>> listAndReplace();
  // Watches until the stream ends (ok) or fails; Gone/Expired asks for a relist.
  boost::asio::awaitable<Result<void>> watchOnce();
  void upsert(json::object obj);
  void remove(const std::string& key);
  void index(const std::string& key, const ObjectPtr& obj, bool add);
  void indexWith(const std::string& name, const IndexFunc& func, const std::string& key,
                 const ObjectPtr& obj, bool add);
  boost::asio::awaitable<void> sleepFor(std::chrono::milliseconds delay);

  RestClient& client_;
  ResourcePath collection_;
  std::map<std::string, ObjectPtr> items_;
  std::map<std::string, IndexFunc> indexers_;
  // index name → value → key → object: byIndex hands out the objects without
  // looking each key up again (a namespace of 30,000 pods made those lookups
  // most of a ReplicaSet sync).
  using IndexedObjects = std::map<std::string, ObjectPtr>;
  std::map<std::string, std::unordered_map<std::string, IndexedObjects>> indices_;
  std::vector<EventHandlers> handlers_;
  std::function<void(json::object&)> transform_;
  std::shared_ptr<ObjectInterner> interner_;
  int pageSize_ = 0;
  std::string resourceVersion_;
  bool synced_ = false;
  bool stopped_ = false;
  int lists_ = 0;
  WatchStream* stream_ = nullptr;                      // the watch in flight
  std::unique_ptr<boost::asio::steady_timer> sleeper_;  // the backoff in progress
};

// Indexes objects by metadata.namespace (upstream's NamespaceIndex).
IndexFunc namespaceIndex();

}  // namespace kcpp::client
