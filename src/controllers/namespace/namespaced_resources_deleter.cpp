#include "controllers/namespace/namespaced_resources_deleter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace asio = boost::asio;

namespace {

client::ResourcePath namespacePath(const std::string& name, const std::string& subresource = "") {
  client::ResourcePath path;
  path.version = "v1";
  path.resource = "namespaces";
  path.name = name;
  path.subresource = subresource;
  return path;
}

json::object backgroundDeletion() {
  // Never the orphan default some resources have: everything in the
  // namespace goes, dependents included.
  return json::object{{"apiVersion", "v1"}, {"kind", "DeleteOptions"},
                      {"propagationPolicy", "Background"}};
}

// Upstream's GroupVersionResource String(): "apps/v1, Resource=deployments".
std::string gvrString(const client::ApiResource& r) {
  return r.group + "/" + r.version + ", Resource=" + r.resource;
}

bool hasSpecFinalizer(const json::object& ns, const std::string& token) {
  const json::value* f = api::findPath(ns, "spec.finalizers");
  if (!f || !f->is_array()) return false;
  const auto& list = f->get_array();
  return std::find(list.begin(), list.end(), json::value(token)) != list.end();
}

const json::array& itemsOf(const json::object& list) {
  static const json::array none;
  auto* items = list.if_contains("items");
  return items && items->is_array() ? items->get_array() : none;
}

}  // namespace

asio::awaitable<Result<std::int64_t>> NamespacedResourcesDeleter::deleteNamespace(
    const std::string& name) {
  auto path = namespacePath(name);
  auto ns = co_await client_.get(path);
  if (!ns && ns.error().reason == Reason::NotFound) co_return 0;
  if (!ns) co_return std::move(ns).error();
  if (!api::findPath(*ns, "metadata.deletionTimestamp")) co_return 0;
  auto terminating = co_await markTerminating(std::move(*ns));
  if (!terminating && terminating.error().reason == Reason::NotFound) co_return 0;
  if (!terminating) co_return std::move(terminating).error();
  if (!hasSpecFinalizer(*terminating, kFinalizerToken)) co_return 0;
  auto estimate = co_await deleteAllContent(*terminating);
  if (!estimate) co_return estimate;
  if (*estimate > 0) co_return estimate;
  auto finalized = co_await finalize(std::move(*terminating));
  if (!finalized) co_return std::move(finalized).error();
  co_return 0;
}

// Sets status.phase Terminating if it is not yet (upstream's updateNamespaceStatusFunc).
asio::awaitable<Result<json::object>> NamespacedResourcesDeleter::markTerminating(json::object ns) {
  std::string name(api::metaName(ns));
  for (int attempt = 0; attempt < 5; ++attempt) {
    const json::value* phase = api::findPath(ns, "status.phase");
    if (phase && phase->is_string() && phase->get_string() == "Terminating") co_return ns;
    api::ensureObject(ns, "status")["phase"] = "Terminating";
    auto path = namespacePath(name, "status");
    auto updated = co_await client_.update(path, ns);
    if (updated || updated.error().reason != Reason::Conflict) co_return updated;
    auto statusPath = namespacePath(name);
    auto latest = co_await client_.get(statusPath);
    if (!latest) co_return latest;
    ns = std::move(*latest);
  }
  co_return makeError(Reason::Conflict, "namespace " + name + " kept changing");
}

// Removes our token from spec.finalizers through /finalize; the server removes
// the namespace once none is left.
asio::awaitable<Result<void>> NamespacedResourcesDeleter::finalize(json::object ns) {
  std::string name(api::metaName(ns));
  for (int attempt = 0; attempt < 5; ++attempt) {
    json::array kept;
    if (const json::value* f = api::findPath(ns, "spec.finalizers"); f && f->is_array()) {
      for (const auto& v : f->get_array()) {
        if (v != json::value(kFinalizerToken)) kept.push_back(v);
      }
    }
    api::ensureObject(ns, "spec")["finalizers"] = std::move(kept);
    auto path = namespacePath(name, "finalize");
    auto finalized = co_await client_.update(path, ns);
    if (finalized || finalized.error().reason == Reason::NotFound) co_return Result<void>{};
    if (finalized.error().reason != Reason::Conflict) co_return std::move(finalized).error();
    auto getPath = namespacePath(name);
    auto latest = co_await client_.get(getPath);
    if (!latest && latest.error().reason == Reason::NotFound) co_return Result<void>{};
    if (!latest) co_return std::move(latest).error();
    ns = std::move(*latest);
  }
  co_return makeError(Reason::Conflict, "namespace " + name + " kept changing");
}

asio::awaitable<Result<std::int64_t>> NamespacedResourcesDeleter::deleteAllContent(
    const json::object& ns) {
  std::string name(api::metaName(ns));
  auto deletedAt = api::parseTime(api::getString(*api::findObject(ns, "metadata"),
                                                 "deletionTimestamp"))
                       .value_or(std::chrono::system_clock::now());
  DeletionOutcome outcome;
  std::vector<client::ApiResource> resources;
  auto discovered = co_await client::discoverResources(client_);
  if (!discovered) {
    outcome.discoveryError = discovered.error().message;
  } else {
    resources = std::move(discovered->resources);
    if (!discovered->failed.empty()) {
      std::string groups;
      for (const auto& [gv, why] : discovered->failed) {
        groups += (groups.empty() ? "" : ", ") + gv + ": " + why;
      }
      outcome.discoveryError = "Discovery failed for some groups, " +
                               std::to_string(discovered->failed.size()) +
                               " failing: unable to retrieve the complete list of server APIs: " +
                               groups;
    }
  }
  std::int64_t estimate = 0;
  for (const client::ApiResource& r : resources) {
    if (!r.namespaced || !r.supports("delete")) continue;
    auto result = co_await deleteContentOf(r, name, deletedAt);
    if (!result) {
      outcome.contentErrors.push_back(result.error().message);
      continue;
    }
    estimate = std::max(estimate, result->estimate);
    if (result->remaining > 0) {
      outcome.remaining.byResource[r.resource + "." + r.group] = result->remaining;
      for (const auto& [finalizer, n] : result->byFinalizer) {
        outcome.remaining.byFinalizer[finalizer] += n;
      }
    }
  }
  if (auto ok = co_await updateConditions(name, outcome); !ok) {
    spdlog::warn("namespace controller: couldn't update status conditions of {}: {}", name,
                 ok.error().message);
  }
  if (!outcome.discoveryError.empty()) co_return makeError(Reason::InternalError, outcome.discoveryError);
  if (!outcome.contentErrors.empty()) {
    co_return makeError(Reason::InternalError, outcome.contentErrors.front());
  }
  co_return estimate;
}

asio::awaitable<Result<NamespacedResourcesDeleter::ResourceOutcome>>
NamespacedResourcesDeleter::deleteContentOf(const client::ApiResource& resource,
                                            const std::string& ns,
                                            std::chrono::system_clock::time_point deletedAt) {
  ResourceOutcome out;
  if (resource.group.empty() && resource.resource == "pods") {
    auto estimate = co_await estimateForPods(ns, deletedAt);
    if (!estimate) co_return std::move(estimate).error();
    out.estimate = *estimate;
  }
  client::ResourcePath collection = resource.path();
  collection.ns = ns;
  json::object options = backgroundDeletion();
  bool collectionDeleted = false;
  if (resource.supports("deletecollection")) {
    auto removed = co_await client_.remove(collection, options);
    if (removed) collectionDeleted = true;
    else if (removed.error().reason != Reason::MethodNotAllowed &&
             removed.error().reason != Reason::NotFound) {
      co_return std::move(removed).error();
    }
  }
  if (!resource.supports("list")) co_return out;
  if (!collectionDeleted) {
    auto listed = co_await client_.get(collection);
    if (!listed) co_return std::move(listed).error();
    for (const auto& item : itemsOf(*listed)) {
      if (!item.is_object()) continue;
      client::ResourcePath one = collection;
      one.name = api::metaName(item.get_object());
      auto removed = co_await client_.remove(one, options);
      if (!removed && removed.error().reason != Reason::NotFound &&
          removed.error().reason != Reason::MethodNotAllowed) {
        co_return std::move(removed).error();
      }
    }
  }
  // What is left: objects held by finalizers, or still terminating gracefully.
  auto left = co_await client_.get(collection);
  if (!left) co_return std::move(left).error();
  const json::array& items = itemsOf(*left);
  if (items.empty()) co_return out;
  out.remaining = static_cast<int>(items.size());
  for (const auto& item : items) {
    const json::value* f = item.is_object() ? api::findPath(item.get_object(), "metadata.finalizers")
                                            : nullptr;
    if (!f || !f->is_array()) continue;
    for (const auto& name : f->get_array()) {
      if (name.is_string()) ++out.byFinalizer[std::string(name.get_string())];
    }
  }
  if (out.estimate != 0) co_return out;
  if (!out.byFinalizer.empty()) {
    // Held by finalizers: normal, give them time (and the garbage collector).
    out.estimate = kFinalizerEstimateSeconds;
    co_return out;
  }
  co_return makeError(Reason::InternalError, "unexpected items still remain in namespace: " + ns +
                                                 " for gvr: " + gvrString(resource));
}

// The longest grace period of the namespace's running pods, less the time
// since the namespace's deletion began (upstream's estimateGracefulTermination).
asio::awaitable<Result<std::int64_t>> NamespacedResourcesDeleter::estimateForPods(
    const std::string& ns, std::chrono::system_clock::time_point deletedAt) {
  client::ResourcePath pods;
  pods.version = "v1";
  pods.resource = "pods";
  pods.ns = ns;
  auto listed = co_await client_.get(pods);
  if (!listed) co_return std::move(listed).error();
  std::int64_t estimate = 0;
  for (const auto& item : itemsOf(*listed)) {
    if (!item.is_object()) continue;
    const json::value* phase = api::findPath(item.get_object(), "status.phase");
    if (phase && (*phase == json::value("Succeeded") || *phase == json::value("Failed"))) continue;
    const json::value* grace = api::findPath(item.get_object(), "spec.terminationGracePeriodSeconds");
    if (grace && grace->is_int64()) estimate = std::max(estimate, grace->get_int64());
  }
  auto elapsed = std::chrono::system_clock::now() - deletedAt;
  if (elapsed >= std::chrono::seconds(estimate)) estimate = 0;
  co_return estimate;
}

asio::awaitable<Result<void>> NamespacedResourcesDeleter::updateConditions(
    const std::string& name, const DeletionOutcome& outcome) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto getPath = namespacePath(name);
    auto ns = co_await client_.get(getPath);
    if (!ns) co_return std::move(ns).error();
    json::object& status = api::ensureObject(*ns, "status");
    json::array existing;
    if (auto* c = status.if_contains("conditions"); c && c->is_array()) existing = c->get_array();
    json::array conditions = namespaceConditions(existing, outcome, api::nowTime());
    if (conditions == existing) co_return Result<void>{};
    status["conditions"] = std::move(conditions);
    auto path = namespacePath(name, "status");
    auto updated = co_await client_.update(path, *ns);
    if (updated) co_return Result<void>{};
    if (updated.error().reason != Reason::Conflict) co_return std::move(updated).error();
  }
  co_return makeError(Reason::Conflict, "namespace " + name + " kept changing");
}

}  // namespace kcpp::controllers
