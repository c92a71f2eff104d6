// The Deployment controller's shared steps (upstream's sync.go): finding or
// creating the new ReplicaSet and syncing revisions, scaling (proportionally
// during a rollout), cleaning up old ReplicaSets, and writing status.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/meta/object.h"
#include "controllers/deployment/deployment_controller.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using namespace deployment;

namespace {

std::string nsOf(const json::object& obj) { return stringAt(obj, "metadata.namespace"); }
std::string nameOf(const json::object& obj) { return std::string(api::metaName(obj)); }

}  // namespace

asio::awaitable<Result<void>> DeploymentController::syncScaling(json::object& d, const RsList& rss) {
  auto sets = co_await replicaSetsAndSyncRevision(d, rss, false);
  if (!sets) co_return std::move(sets).error();
  auto scaled = co_await scale(d, sets->newRS, sets->oldRSs);
  if (!scaled) co_return std::move(scaled).error();
  if (isPaused(d) && annotation(d, kRollbackToAnnotation).empty()) {
    auto cleaned = co_await cleanupDeployment(sets->oldRSs, d);
    if (!cleaned) co_return std::move(cleaned).error();
  }
  RsList all = sets->oldRSs;
  all.push_back(sets->newRS);
  co_return co_await syncDeploymentStatus(all, sets->newRS, d);
}

asio::awaitable<Result<DeploymentController::RsSets>> DeploymentController::replicaSetsAndSyncRevision(
    json::object& d, const RsList& rss, bool createIfMissing) {
  RsSets sets;
  RsPtr existing = findNewReplicaSet(d, rss);
  sets.oldRSs = findOldReplicaSets(rss, existing);
  std::string newRevision = std::to_string(maxRevision(sets.oldRSs) + 1);
  if (existing) {
    auto synced = co_await syncExistingNewReplicaSet(d, existing, newRevision);
    if (!synced) co_return std::move(synced).error();
    sets.newRS = *synced;
    co_return sets;
  }
  if (!createIfMissing) co_return sets;
  auto created = co_await createNewReplicaSet(d, sets.oldRSs, newRevision);
  if (!created) co_return std::move(created).error();
  sets.newRS = *created;
  co_return sets;
}

// The new RS exists: bring its annotations and minReadySeconds up to date,
// and record its revision (and that it was found) on the deployment.
asio::awaitable<Result<DeploymentController::RsPtr>> DeploymentController::syncExistingNewReplicaSet(
    json::object& d, const RsPtr& existing, const std::string& newRevision) {
  json::object rs = *existing;
  bool annotationsChanged = setNewReplicaSetAnnotations(d, rs, newRevision, true);
  std::int64_t minReady = intAt(d, "spec.minReadySeconds");
  bool minReadyChanged = intAt(rs, "spec.minReadySeconds") != minReady;
  RsPtr current = existing;
  if (annotationsChanged || minReadyChanged) {
    api::ensureObject(rs, "spec")["minReadySeconds"] = minReady;
    const client::ResourcePath path = replicaSetPath(nsOf(rs), nameOf(rs));
    auto written = co_await client_.update(path, rs);
    if (!written) co_return std::move(written).error();
    current = std::make_shared<const json::object>(std::move(*written));
  }
  bool needsUpdate = setDeploymentRevision(d, annotation(*current, kRevisionAnnotation));
  json::object& status = api::ensureObject(d, "status");
  if (hasProgressDeadline(d) && !findCondition(status, kProgressing)) {
    setCondition(status, newCondition(kProgressing, "True", kFoundNewReplicaSet,
                                      "Found new replica set \"" + nameOf(*current) + "\""));
    needsUpdate = true;
  }
  if (needsUpdate) {
    auto updated = co_await updateDeploymentStatus(d);
    if (!updated) co_return std::move(updated).error();
  }
  co_return current;
}

asio::awaitable<Result<DeploymentController::RsPtr>> DeploymentController::createNewReplicaSet(
    json::object& d, const RsList& oldRSs, const std::string& newRevision) {
  const json::value* templ = api::findPath(d, "spec.template");
  const json::value* selector = api::findPath(d, "spec.selector");
  if (!templ || !templ->is_object() || !selector) {
    co_return makeError(Reason::Invalid, "deployment has no pod template or selector");
  }
  std::optional<std::int64_t> collisions;
  if (api::findPath(d, "status.collisionCount")) collisions = intAt(d, "status.collisionCount");
  std::string hash = computeHash(templ->get_object(), collisions);
  json::object rsTemplate = templateWithHash(templ->get_object(), hash);
  json::object rs{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}};
  json::object meta{{"name", nameOf(d) + "-" + hash}, {"namespace", nsOf(d)}};
  meta["ownerReferences"] = json::array{makeControllerRef(d, "apps/v1", "Deployment")};
  if (const json::value* labels = api::findPath(rsTemplate, "metadata.labels")) meta["labels"] = *labels;
  rs["metadata"] = std::move(meta);
  rs["spec"] = json::object{{"replicas", 0},
                            {"minReadySeconds", intAt(d, "spec.minReadySeconds")},
                            {"selector", selectorWithHash(*selector, hash)},
                            {"template", std::move(rsTemplate)}};
  RsList all = oldRSs;
  all.push_back(std::make_shared<const json::object>(rs));
  std::int64_t replicas = newRSNewReplicas(d, all, rs);
  rs["spec"].as_object()["replicas"] = replicas;
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  const client::ResourcePath path = replicaSetPath(nsOf(d));
  auto created = co_await client_.create(path, rs);
  bool alreadyExisted = false;
  RsPtr result;
  if (created) {
    result = std::make_shared<const json::object>(std::move(*created));
  } else if (created.error().reason == Reason::AlreadyExists) {
    // Ours, from a sync whose create the cache has not shown yet; or someone
    // else's with our name (a hash collision): count it, so the next hash differs.
    const client::ResourcePath existingPath = replicaSetPath(nsOf(d), nameOf(rs));
    auto existing = co_await client_.get(existingPath);
    if (!existing) co_return std::move(existing).error();
    auto ref = controllerRef(*existing);
    const json::value* existingTemplate = api::findPath(*existing, "spec.template");
    bool ours = ref && ref->uid == stringAt(d, "metadata.uid") && existingTemplate &&
                existingTemplate->is_object() && equalIgnoreHash(existingTemplate->get_object(), templ->get_object());
    if (!ours) {
      api::ensureObject(d, "status")["collisionCount"] = collisions.value_or(0) + 1;
      auto updated = co_await updateDeploymentStatus(d);
      if (!updated) co_return std::move(updated).error();
      co_return created.error();  // retried with the new hash
    }
    alreadyExisted = true;
    result = std::make_shared<const json::object>(std::move(*existing));
  } else {
    std::string message = "Failed to create new replica set \"" + nameOf(rs) + "\": " + created.error().message;
    if (hasProgressDeadline(d)) {
      setCondition(api::ensureObject(d, "status"),
                   newCondition(kProgressing, "False", kFailedReplicaSetCreate, message));
      auto ignored = co_await updateDeploymentStatus(d);  // the create error is what matters
      (void)ignored;
    }
    events_.record(d, "Warning", std::string(kFailedReplicaSetCreate), message);
    co_return created.error();
  }
  if (!alreadyExisted && replicas > 0) {
    events_.record(d, "Normal", "ScalingReplicaSet",
                   "Scaled up replica set " + nameOf(*result) + " from 0 to " + std::to_string(replicas));
  }
  bool needsUpdate = setDeploymentRevision(d, newRevision);
  if (!alreadyExisted && hasProgressDeadline(d)) {
    setCondition(api::ensureObject(d, "status"),
                 newCondition(kProgressing, "True", kNewReplicaSetCreated,
                              "Created new replica set \"" + nameOf(*result) + "\""));
    needsUpdate = true;
  }
  if (needsUpdate) {
    auto updated = co_await updateDeploymentStatus(d);
    if (!updated) co_return std::move(updated).error();
  }
  co_return result;
}

asio::awaitable<Result<void>> DeploymentController::scale(json::object& d, const RsPtr& newRS,
                                                          const RsList& oldRSs) {
  std::int64_t replicas = specReplicas(d);
  // One active RS (or none: the newest) takes the whole size.
  if (RsPtr target = findActiveOrLatest(newRS, oldRSs)) {
    if (specReplicas(*target) == replicas) co_return Result<void>{};
    auto scaled = co_await scaleReplicaSetAndRecordEvent(target, replicas, d);
    if (!scaled) co_return std::move(scaled).error();
    co_return Result<void>{};
  }
  // The new RS is saturated: old ones (adopted, say) go to zero.
  if (isSaturated(d, newRS)) {
    for (const RsPtr& old : filterActive(oldRSs)) {
      auto scaled = co_await scaleReplicaSetAndRecordEvent(old, 0, d);
      if (!scaled) co_return std::move(scaled).error();
    }
    co_return Result<void>{};
  }
  if (isRollingUpdate(d)) co_return co_await scaleProportionally(d, newRS, oldRSs);
  co_return Result<void>{};
}

// Several active RSs mid-rollout: spread the change over them by their share,
// so resizing neither hastens nor reverses the rollout.
asio::awaitable<Result<void>> DeploymentController::scaleProportionally(json::object& d, const RsPtr& newRS,
                                                                        const RsList& oldRSs) {
  RsList all = oldRSs;
  all.push_back(newRS);
  RsList active = filterActive(all);
  std::int64_t allowedSize = specReplicas(d) > 0 ? specReplicas(d) + maxSurge(d) : 0;
  std::int64_t toAdd = allowedSize - specReplicaCount(active);
  std::string operation;
  if (toAdd > 0) {
    sortBySizeNewer(active);  // growing: the newer of equals first
    operation = "up";
  } else if (toAdd < 0) {
    sortBySizeOlder(active);  // shrinking: the older of equals first
    operation = "down";
  }
  std::int64_t added = 0;
  std::vector<std::int64_t> sizes;
  for (const RsPtr& rs : active) {
    std::int64_t share = toAdd != 0 ? proportion(*rs, d, toAdd, added) : 0;
    sizes.push_back(specReplicas(*rs) + share);
    added += share;
  }
  // Rounding leftovers go to the largest.
  if (toAdd != 0 && !sizes.empty()) sizes[0] = std::max<std::int64_t>(0, sizes[0] + toAdd - added);
  for (std::size_t i = 0; i < active.size(); ++i) {
    auto scaled = co_await scaleReplicaSet(active[i], sizes[i], d, operation);
    if (!scaled) co_return std::move(scaled).error();
  }
  co_return Result<void>{};
}

asio::awaitable<Result<std::pair<bool, DeploymentController::RsPtr>>>
DeploymentController::scaleReplicaSetAndRecordEvent(const RsPtr& rs, std::int64_t newScale,
                                                    const json::object& d) {
  std::int64_t current = specReplicas(*rs);
  if (current == newScale) co_return std::pair<bool, RsPtr>{false, rs};
  const std::string operation = current < newScale ? "up" : "down";
  co_return co_await scaleReplicaSet(rs, newScale, d, operation);
}

asio::awaitable<Result<std::pair<bool, DeploymentController::RsPtr>>> DeploymentController::scaleReplicaSet(
    const RsPtr& rs, std::int64_t newScale, const json::object& d, const std::string& operation) {
  std::int64_t oldScale = specReplicas(*rs);
  bool sizeChanges = oldScale != newScale;
  std::int64_t desired = specReplicas(d);
  std::int64_t maxReplicas = desired + maxSurge(d);
  if (!sizeChanges && !replicasAnnotationsNeedUpdate(*rs, desired, maxReplicas)) {
    co_return std::pair<bool, RsPtr>{false, rs};
  }
  json::object copy = *rs;
  api::ensureObject(copy, "spec")["replicas"] = newScale;
  setReplicasAnnotations(copy, desired, maxReplicas);
  const client::ResourcePath path = replicaSetPath(nsOf(copy), nameOf(copy));
  auto written = co_await client_.update(path, copy);
  if (!written) co_return std::move(written).error();
  if (sizeChanges) {
    events_.record(d, "Normal", "ScalingReplicaSet",
                   "Scaled " + operation + " replica set " + nameOf(copy) + " from " +
                       std::to_string(oldScale) + " to " + std::to_string(newScale));
  }
  co_return std::pair<bool, RsPtr>{sizeChanges, std::make_shared<const json::object>(std::move(*written))};
}

// Keeps the newest revisionHistoryLimit old ReplicaSets; older ones that are
// fully scaled down (and whose controller has caught up) are deleted.
asio::awaitable<Result<void>> DeploymentController::cleanupDeployment(const RsList& oldRSs,
                                                                      const json::object& d) {
  if (!api::findPath(d, "spec.revisionHistoryLimit")) co_return Result<void>{};
  RsList cleanable;
  for (const RsPtr& rs : oldRSs) {
    if (rs && !beingDeleted(*rs)) cleanable.push_back(rs);
  }
  std::int64_t excess = static_cast<std::int64_t>(cleanable.size()) - intAt(d, "spec.revisionHistoryLimit");
  if (excess <= 0) co_return Result<void>{};
  sortByRevision(cleanable);
  for (std::int64_t i = 0; i < excess; ++i) {
    const json::object& rs = *cleanable[static_cast<std::size_t>(i)];
    if (intAt(rs, "status.replicas") != 0 || specReplicas(rs) != 0 ||
        intAt(rs, "metadata.generation") > intAt(rs, "status.observedGeneration")) {
      continue;
    }
    const client::ResourcePath path = replicaSetPath(nsOf(rs), nameOf(rs));
    const json::object options{{"preconditions", json::object{{"uid", stringAt(rs, "metadata.uid")}}}};
    auto removed = co_await client_.remove(path, options);
    if (!removed && removed.error().reason != Reason::NotFound) co_return std::move(removed).error();
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> DeploymentController::syncDeploymentStatus(const RsList& allRSs,
                                                                         const RsPtr& newRS, json::object& d) {
  json::object status = calculateStatus(allRSs, newRS, d);
  const json::value* current = d.if_contains("status");
  if (current && *current == json::value(status)) co_return Result<void>{};
  d["status"] = std::move(status);
  co_return co_await updateDeploymentStatus(d);
}

// The deployment was resized since some RS was annotated with its size.
bool DeploymentController::isScalingEvent(const json::object& d, const RsList& rss) const {
  for (const RsPtr& rs : filterActive(rss)) {
    auto desired = desiredReplicasAnnotation(*rs);
    if (desired && *desired != specReplicas(d)) return true;
  }
  return false;
}

}  // namespace kcpp::controllers
