// Deletion in Registry: preconditions, graceful deletion, finalizers.
#include <chrono>

#include "api/meta/object.h"
#include "api/meta/status.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver {

namespace {

constexpr int kMaxDeleteAttempts = 16;

bool hasFinalizer(const json::object& meta, std::string_view name) {
  auto it = meta.find("finalizers");
  if (it == meta.end() || !it->value().is_array()) return false;
  for (const auto& f : it->value().get_array()) {
    if (f.is_string() && f.get_string() == name) return true;
  }
  return false;
}

bool hasFinalizers(const json::object& meta) {
  auto it = meta.find("finalizers");
  return it != meta.end() && it->value().is_array() && !it->value().get_array().empty();
}

void addFinalizer(json::object& meta, std::string_view name) {
  if (hasFinalizer(meta, name)) return;
  json::value& f = meta["finalizers"];
  if (!f.is_array()) f = json::array();
  f.get_array().push_back(json::string(name));
}

void removeFinalizer(json::object& meta, std::string_view name) {
  auto it = meta.find("finalizers");
  if (it == meta.end() || !it->value().is_array()) return;
  json::array& list = it->value().get_array();
  for (auto f = list.begin(); f != list.end();) {
    f = f->is_string() && f->get_string() == name ? list.erase(f) : f + 1;
  }
}

// The first of the two garbage-collection finalizers the object holds ("" if none).
std::string_view firstGcFinalizer(const json::object& meta) {
  auto it = meta.find("finalizers");
  if (it == meta.end() || !it->value().is_array()) return "";
  for (const auto& f : it->value().get_array()) {
    if (f.is_string() && (f.get_string() == "orphan" || f.get_string() == "foregroundDeletion")) {
      return f.get_string();
    }
  }
  return "";
}

// Upstream's deletionFinalizersForGarbageCollection: the orphan and
// foregroundDeletion finalizers follow the request's propagation policy;
// without one, the object's own finalizers decide, else the resource's
// default (`orphanByDefault`).
void setGcFinalizers(json::object& meta, const std::string& policy, bool orphanByDefault) {
  bool orphan = policy == "Orphan";
  bool foreground = policy == "Foreground";
  if (policy.empty()) {
    std::string_view existing = firstGcFinalizer(meta);
    orphan = existing == "orphan" || (existing.empty() && orphanByDefault);
    foreground = existing == "foregroundDeletion";
  }
  if (!orphan) removeFinalizer(meta, "orphan");
  if (!foreground) removeFinalizer(meta, "foregroundDeletion");
  if (orphan) addFinalizer(meta, "orphan");
  if (foreground) addFinalizer(meta, "foregroundDeletion");
  auto it = meta.find("finalizers");
  if (it != meta.end() && it->value().is_array() && it->value().get_array().empty()) meta.erase(it);
}

// As upstream's rcStrategy.DefaultGarbageCollectionPolicy: v1
// ReplicationControllers orphan their pods unless told otherwise (for
// backward compatibility); every other resource defaults to background.
bool orphansByDefault(const api::ResourceType& type) {
  return type.group.empty() && type.resource == "replicationcontrollers";
}

}  // namespace

boost::asio::awaitable<Result<DeleteResult>> Registry::deleteNow(
    const std::string& objectKey, const storage::CachedObject& current, const json::object& obj) {
  auto removed = co_await store_.remove(objectKey, current.modRevision);
  if (!removed) co_return std::move(removed).error();
  strategy_->release(obj);
  DeleteResult result;
  result.object = obj;
  result.deleted = true;
  co_return result;
}

boost::asio::awaitable<Result<DeleteResult>> Registry::remove(const std::string& ns,
                                                              const std::string& name,
                                                              DeleteOptions options) {
  std::string objectKey = key(ns, name);
  for (int attempt = 0; attempt < kMaxDeleteAttempts; ++attempt) {
    auto current = co_await get(ns, name);
    if (!current) co_return std::move(current).error();
    auto parsed = api::parseJson(*current->json);
    if (!parsed || !parsed->is_object()) co_return makeError(Reason::InternalError, "bad object");
    json::object obj = std::move(parsed->get_object());
    json::object& meta = api::ensureObject(obj, "metadata");
    std::string uid(api::getString(meta, "uid"));
    // Upstream's BeforeDelete checks these first, naming the Kind (not the resource).
    if (!options.preconditionUid.empty() && options.preconditionUid != uid) {
      co_return api::conflict(type_.kind, type_.group, name,
                              "the UID in the precondition (" + options.preconditionUid +
                                  ") does not match the UID in record (" + uid +
                                  "). The object might have been deleted and then recreated");
    }
    std::string rv = std::to_string(current->modRevision);
    if (!options.preconditionResourceVersion.empty() &&
        options.preconditionResourceVersion != rv) {
      co_return api::conflict(type_.kind, type_.group, name,
                              "the ResourceVersion in the precondition (" +
                                  options.preconditionResourceVersion +
                                  ") does not match the ResourceVersion in record (" + rv +
                                  "). The object might have been modified");
    }
    if (admits(options.requester)) {
      admission::Attributes attrs =
          admissionAttributes(admission::Operation::Delete, ns, nullptr, &obj, Subresource::None,
                              options.requester, options.dryRun);
      // Both phases, as upstream's delete: mutating plugins get no object to change.
      if (auto ok = co_await admission_->admit(attrs); !ok) co_return std::move(ok).error();
      if (auto ok = co_await admission_->validate(attrs); !ok) co_return std::move(ok).error();
    }
    if (json::object kept = obj; strategy_->keepOnDelete(kept)) {
      if (kept == obj || options.dryRun) co_return DeleteResult{std::move(kept), false};
      auto stored = encodeStored(objectKey, kept);
      if (!stored) co_return std::move(stored).error();
      auto written = co_await store_.update(objectKey, std::move(*stored), current->modRevision);
      if (!written && written.error().reason == Reason::Conflict) continue;
      if (!written) co_return std::move(written).error();
      api::ensureObject(kept, "metadata")["resourceVersion"] = std::to_string(written->modRevision);
      co_return DeleteResult{std::move(kept), false};
    }
    // Which finalizers must run first (upstream: the object's own plus the one the
    // propagation policy asks the garbage collector for).
    json::object pending = obj;
    json::object& pendingMeta = api::ensureObject(pending, "metadata");
    setGcFinalizers(pendingMeta, options.propagationPolicy, orphansByDefault(type_));
    std::int64_t grace = strategy_->gracePeriod(obj, options);
    bool alreadyDeleting = meta.contains("deletionTimestamp");
    if (!hasFinalizers(pendingMeta) && grace == 0) {
      if (options.dryRun) co_return DeleteResult{obj, true};
      auto deleted = co_await deleteNow(objectKey, *current, obj);
      if (!deleted && deleted.error().reason == Reason::Conflict) continue;
      if (!deleted && deleted.error().reason == Reason::NotFound) {
        co_return api::notFound(type_.resource, type_.group, name);
      }
      co_return deleted;
    }
    // Graceful deletion or finalizers pending: mark the object and leave it.
    if (!alreadyDeleting) {
      auto when = std::chrono::system_clock::now() + std::chrono::seconds(grace);
      pendingMeta["deletionTimestamp"] = api::formatTime(when);
      pendingMeta["deletionGracePeriodSeconds"] = grace;
    } else if (options.gracePeriodSeconds) {
      // As upstream's BeforeDelete: a later DELETE may only shorten the grace
      // period, and moves deletionTimestamp earlier by as much.
      auto old = meta.find("deletionGracePeriodSeconds");
      std::int64_t oldGrace =
          old != meta.end() && old->value().is_int64() ? old->value().get_int64() : 0;
      auto since = api::parseTime(api::getString(meta, "deletionTimestamp"));
      if (grace < oldGrace && since) {
        pendingMeta["deletionTimestamp"] =
            api::formatTime(*since - std::chrono::seconds(oldGrace) + std::chrono::seconds(grace));
        pendingMeta["deletionGracePeriodSeconds"] = grace;
      }
    }
    if (pending == obj || options.dryRun) co_return DeleteResult{std::move(pending), false};
    auto stored = encodeStored(objectKey, pending);
    if (!stored) co_return std::move(stored).error();
    auto written = co_await store_.update(objectKey, std::move(*stored), current->modRevision);
    if (!written && written.error().reason == Reason::Conflict) continue;
    if (!written) co_return std::move(written).error();
    pendingMeta["resourceVersion"] = std::to_string(written->modRevision);
    co_return DeleteResult{std::move(pending), false};
  }
  co_return api::conflict(type_.resource, type_.group, name,
                          "the object has been modified; please apply your changes to the "
                          "latest version and try again");
}

}  // namespace kcpp::apiserver
