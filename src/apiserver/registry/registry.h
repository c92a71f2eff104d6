#pragma once
// Registry: the generic storage of one resource (upstream's genericregistry.Store).
// It owns the resource's WatchCache; writes go to the Store and come back to the
// cache as events. It applies the metadata rules every object follows (uid,
// creationTimestamp, generation, generateName, resourceVersion preconditions,
// deletionTimestamp and finalizers) and defers per-resource rules to a Strategy.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "api/patch/patch_type.h"
#include "api/schema/resource_type.h"
#include "api/schema/schema_set.h"
#include "apiserver/admission/admission.h"
#include "apiserver/registry/strategy.h"
#include "storage/cacher/watch_cache.h"
#include "storage/store.h"
#include "storage/transformer.h"
#include "util/error.h"

namespace kcpp::apiserver {

struct WriteOptions {
  bool dryRun = false;
  admission::Requester requester;  // no user: the server's own write, not admitted
};

using patch::PatchType;

// Which part of the object a write addresses.
// Binding: pods/binding, a Binding that assigns an unbound pod to a node.
enum class Subresource { None, Status, Scale, Finalize, Binding, Approval };

// The outcome of a delete: the object (deleted, or still there pending
// finalizers / graceful termination) and whether it is gone.
struct DeleteResult {
  json::object object;
  bool deleted = false;
};

class Registry;

// Converts between the version a Registry serves and the form its objects are
// stored in, when the two differ: events.k8s.io/v1 Events are stored as core/v1
// Events, as upstream stores both versions in one place.
class Conversion {
 public:
  virtual ~Conversion() = default;
  virtual json::object toStorage(json::object served) const = 0;
  virtual json::object fromStorage(json::object stored) const = 0;
};
using ConversionPtr = std::shared_ptr<const Conversion>;

// The schema-driven rules every object of a type follows, applied around the
// Strategy as upstream's request path does: decode → defaulting → strategy
// preparation → validation. `validate` gets the stored object on updates
// (nullptr on create) and returns every problem as a field cause.
struct ObjectRules {
  std::function<void(json::object& obj)> applyDefaults;
  std::function<std::vector<Cause>(const json::object& obj, const json::object* old)> validate;
};

class Registry {
 public:
  // `conversion` is set when the stored form differs from the served one;
  // `transformer` when stored bytes are transformed (secrets' encryption at rest).
  Registry(api::ResourceType type, storage::Store& store, StrategyPtr strategy,
           ConversionPtr conversion = nullptr, storage::TransformerPtr transformer = nullptr);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  const api::ResourceType& type() const { return type_; }
  // The admission chain client writes go through (not owned); unset: none.
  void setAdmission(const admission::Chain& chain) { admission_ = &chain; }
  void setObjectRules(ObjectRules rules) { rules_ = std::move(rules); }
  // The schemas strategic merge patches are applied with (the type's definition;
  // autoscaling/v1 Scale for the scale subresource). Without them, or for a type
  // they do not define (custom resources), such patches are 415 as upstream's.
  void setPatchSchemas(const api::SchemaSet& schemas) { patchSchemas_ = &schemas; }
  storage::WatchCache& cache() { return *cache_; }

  boost::asio::awaitable<Result<void>> start();

  boost::asio::awaitable<Result<json::object>> create(const std::string& ns, json::object obj,
                                                      WriteOptions options);
  boost::asio::awaitable<Result<storage::CachedObject>> get(const std::string& ns,
                                                            const std::string& name);
  boost::asio::awaitable<Result<storage::ListResult>> list(const std::string& ns,
                                                           storage::ListOptions options);
  // PUT of the object or of a subresource (status: only status changes; scale: an
  // autoscaling/v1 Scale; finalize: namespaces' spec.finalizers).
  boost::asio::awaitable<Result<json::object>> update(const std::string& ns,
                                                      const std::string& name, json::object body,
                                                      Subresource sub, WriteOptions options);
  boost::asio::awaitable<Result<json::object>> patch(const std::string& ns,
                                                     const std::string& name, PatchType type,
                                                     std::string patch, Subresource sub,
                                                     WriteOptions options);
  boost::asio::awaitable<Result<DeleteResult>> remove(const std::string& ns,
                                                      const std::string& name,
                                                      DeleteOptions options);
  // The Scale view of an object (autoscaling/v1).
  boost::asio::awaitable<Result<json::object>> getScale(const std::string& ns,
                                                        const std::string& name);

  Result<storage::CacheWatcherPtr> watch(const std::string& ns, storage::Predicate predicate,
                                         storage::Revision afterRevision, bool sendInitialState);

  std::string key(const std::string& ns, const std::string& name) const;
  // The prefix holding a namespace's objects (or all objects when ns is empty).
  std::string prefix(const std::string& ns) const;

 private:
  // An update's new object before admission and validation, and the
  // resourceVersion the caller set as a precondition (empty: none).
  struct UpdateInput {
    json::object object;
    std::string precondition;
  };
  using Transform = std::function<Result<UpdateInput>(const json::object& current)>;
  boost::asio::awaitable<Result<json::object>> guaranteedUpdate(const std::string& ns,
                                                                const std::string& name,
                                                                Subresource sub,
                                                                Transform transform,
                                                                WriteOptions options);
  // The object a PUT body (or a patch's result) makes of `current`, defaulted.
  Result<json::object> buildUpdate(const json::object& current, json::object body,
                                   Subresource sub) const;
  // The 422 upstream answers when a patch's result has a value of the wrong type.
  std::optional<Error> checkPatchedTypes(json::object& patched, const std::string& root) const;
  // The strategy's update rules and validation of a built update.
  Result<void> checkUpdate(json::object& next, const json::object& current, Subresource sub) const;
  bool admits(const admission::Requester& requester) const {
    return admission_ != nullptr && requester.user != nullptr;
  }
  admission::Attributes admissionAttributes(admission::Operation op, const std::string& ns,
                                            json::object* object, const json::object* old,
                                            Subresource sub, const admission::Requester& requester,
                                            bool dryRun) const;
  Result<void> prepareCreate(const std::string& ns, json::object& obj) const;
  Error invalidObject(const json::object& obj, std::vector<Cause> causes) const;
  // The stored bytes of the object at `key` (converted, without resourceVersion,
  // transformed).
  Result<std::string> encodeStored(const std::string& key, const json::object& obj) const;
  boost::asio::awaitable<Result<DeleteResult>> deleteNow(const std::string& key,
                                                         const storage::CachedObject& current,
                                                         const json::object& obj);

  api::ResourceType type_;
  storage::Store& store_;
  StrategyPtr strategy_;
  ConversionPtr conversion_;
  storage::TransformerPtr transformer_;
  std::unique_ptr<storage::WatchCache> cache_;
  const admission::Chain* admission_ = nullptr;
  ObjectRules rules_;
  const api::SchemaSet* patchSchemas_ = nullptr;
};
using RegistryPtr = std::unique_ptr<Registry>;

// Turns a stored value into the cache's form for `type` (JSON with
// resourceVersion set, labels, and the type's selectable fields); `transformer`
// first turns the stored bytes back into JSON.
storage::Decoder makeDecoder(const api::ResourceType& type, ConversionPtr conversion = nullptr,
                             storage::TransformerPtr transformer = nullptr);

// Serialises an object for storage: without resourceVersion (the store's
// revision is the resourceVersion), as upstream stores objects.
std::string encodeForStorage(json::object obj);

}  // namespace kcpp::apiserver
