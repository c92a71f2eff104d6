// The reconcile step of a StatefulSet (upstream's defaultStatefulSetControl in
// stateful_set_control.go): revisions, then replicas in ordinal order, then
// scale-down highest first, then the rolling update, then status and history.
#include <algorithm>

#include "api/meta/object.h"
#include "controllers/history/controller_history.h"
#include "controllers/statefulset/stateful_set_controller.h"
#include "controllers/statefulset/stateful_set_utils.h"

namespace kcpp::controllers::statefulset {

namespace asio = boost::asio;
using SysClock = std::chrono::system_clock;

namespace {

std::map<std::string, std::string> revisionLabels(const json::object& set, const std::string& hash) {
  std::map<std::string, std::string> labels;
  if (const json::value* l = api::findPath(set, "spec.template.metadata.labels"); l && l->is_object()) {
    for (const auto& kv : l->get_object()) {
      if (kv.value().is_string()) labels[std::string(kv.key())] = std::string(kv.value().get_string());
    }
  }
  labels[history::kRevisionHashLabel] = hash;
  return labels;
}

std::int64_t ordinalOf(const json::object& pod) { return parentAndOrdinal(str(pod, "metadata.name")).ordinal; }

}  // namespace

asio::awaitable<Result<StatefulSetController::Revisions>> StatefulSetController::revisionsOf(
    const json::object& set) {
  Revisions out;
  out.all = history::ownedRevisions(revisions_, set);
  out.collisionCount = num(set, "status.collisionCount", 0);
  json::object data = history::templatePatch(set);
  const std::string serialized = json::serialize(data);
  const std::string name = str(set, "metadata.name");
  std::string hash = history::hashBytes(serialized, out.collisionCount);
  std::int64_t next = history::nextRevisionNumber(out.all);
  json::object candidate = history::newRevision(set, "apps/v1", "StatefulSet", history::revisionName(name, hash),
                                                revisionLabels(set, hash), data, next);
  std::vector<ObjectPtr> equal;
  for (const ObjectPtr& r : out.all) {
    if (history::equalRevisions(*r, candidate)) equal.push_back(r);
  }
  if (!equal.empty() && equal.back() == out.all.back()) {
    out.update = *out.all.back();  // the template has not changed
  } else if (!equal.empty()) {
    // A rollback: the old revision becomes the newest.
    auto updated = co_await history::updateRevisionNumber(client_, *equal.back(), next);
    if (!updated) co_return std::move(updated).error();
    out.update = std::move(*updated);
  } else {
    // A named function, not a temporary, in a co_await call (GCC 12 coroutine bug).
    const std::function<std::string(std::int64_t)> rename = [&](std::int64_t count) {
      return history::revisionName(name, history::hashBytes(serialized, count));
    };
    auto created = co_await history::createRevision(client_, std::move(candidate), out.collisionCount, rename);
    if (!created) co_return std::move(created).error();
    out.update = std::move(*created);
    out.all.push_back(std::make_shared<const json::object>(out.update));
  }
  std::string currentName = str(set, "status.currentRevision");
  out.current = out.update;
  for (const ObjectPtr& r : out.all) {
    if (str(*r, "metadata.name") == currentName) out.current = *r;
  }
  co_return out;
}

asio::awaitable<Result<void>> StatefulSetController::updateStatefulSet(const json::object& set,
                                                                       const Revisions& revs,
                                                                       const std::vector<PodPtr>& pods,
                                                                       Counts& counts) {
  const std::string currentName = str(revs.current, "metadata.name");
  const std::string updateName = str(revs.update, "metadata.name");
  const json::object currentSet = applyRevision(set, revs.current);
  const json::object updateSet = applyRevision(set, revs.update);
  const std::int64_t minReady = num(set, "spec.minReadySeconds");
  const auto now = SysClock::now();
  for (const PodPtr& p : pods) {
    ++counts.replicas;
    if (isRunningAndReady(*p)) {
      ++counts.ready;
      if (isRunningAndAvailable(*p, minReady, now)) ++counts.available;
    }
    if (!isTerminating(*p)) {
      counts.current += podRevision(*p) == currentName ? 1 : 0;
      counts.updated += podRevision(*p) == updateName ? 1 : 0;
    }
  }
  const std::int64_t start = startOrdinal(set);
  const std::int64_t count = replicaCount(set);
  std::vector<json::object> replicas(static_cast<std::size_t>(std::max<std::int64_t>(count, 0)));
  std::vector<json::object> condemned;
  for (const PodPtr& p : pods) {
    std::int64_t ord = ordinalOf(*p);
    if (ord >= start && ord < start + count) {
      replicas[static_cast<std::size_t>(ord - start)] = *p;
    } else if (ord >= 0) {
      condemned.push_back(*p);
    }
  }
  // Below the partition a new pod is made at the current revision, above it at
  // the update revision (upstream's newVersionedStatefulSetPod).
  auto versionedPod = [&](std::int64_t ord) {
    bool current = !isOnDelete(set) && ord < start + partition(set);
    return current ? newStatefulSetPod(currentSet, ord, currentName) : newStatefulSetPod(updateSet, ord, updateName);
  };
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    if (replicas[i].empty()) replicas[i] = versionedPod(start + static_cast<std::int64_t>(i));
  }
  std::sort(condemned.begin(), condemned.end(),
            [](const json::object& a, const json::object& b) { return ordinalOf(a) < ordinalOf(b); });
  const json::object* firstUnhealthy = nullptr;
  for (const auto& r : replicas) {
    if (!firstUnhealthy && !isHealthy(r)) firstUnhealthy = &r;
  }
  for (const auto& c : condemned) {
    if (!firstUnhealthy && !isHealthy(c)) firstUnhealthy = &c;
  }
  if (api::findPath(set, "metadata.deletionTimestamp")) co_return Result<void>{};
  const bool monotonic = !allowsBurst(set);

  for (std::size_t i = 0; i < replicas.size(); ++i) {
    json::object& pod = replicas[i];
    std::int64_t ord = start + static_cast<std::int64_t>(i);
    if (isCreated(pod) && !isTerminating(pod) && (isFailed(pod) || isSucceeded(pod))) {
      auto deleted = co_await deletePod(set, pod);
      if (!deleted) co_return deleted;
      --counts.replicas;
      counts.current -= podRevision(pod) == currentName ? 1 : 0;
      counts.updated -= podRevision(pod) == updateName ? 1 : 0;
      pod = versionedPod(ord);  // recreated below (once the old one is gone)
    }
    if (!isCreated(pod)) {
      auto created = co_await createPod(set, pod);
      if (!created) co_return created;
      ++counts.replicas;
      counts.current += podRevision(pod) == currentName ? 1 : 0;
      counts.updated += podRevision(pod) == updateName ? 1 : 0;
      if (monotonic) co_return Result<void>{};
      continue;
    }
    if (str(pod, "status.phase") == "Pending") {  // claims deleted meanwhile come back
      auto claimed = co_await createClaims(set, pod);
      if (!claimed) co_return claimed;
    }
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod))) co_return Result<void>{};
    if (monotonic && !isRunningAndAvailable(pod, minReady, now)) {
      queue_.addAfter(client::objectKey(set), std::chrono::seconds(1));
      co_return Result<void>{};
    }
    if (identityMatches(set, pod) && storageMatches(set, pod)) continue;
    auto fixed = co_await fixIdentity(updateSet, pod);
    if (!fixed) co_return fixed;
  }

  // Scale down, highest ordinal first, waiting in OrderedReady for each to go.
  for (auto it = condemned.rbegin(); it != condemned.rend(); ++it) {
    const json::object& pod = *it;
    if (isTerminating(pod)) {
      if (monotonic) co_return Result<void>{};
      continue;
    }
    if (monotonic && !isRunningAndAvailable(pod, minReady, now) && firstUnhealthy != &pod) {
      co_return Result<void>{};
    }
    if (str(set, "spec.persistentVolumeClaimRetentionPolicy.whenScaled") == "Delete") {
      auto owned = co_await claimsOwnedByPod(set, pod);
      if (!owned) co_return owned;
    }
    auto deleted = co_await deletePod(set, pod);
    if (!deleted) co_return deleted;
    counts.current -= podRevision(pod) == currentName ? 1 : 0;
    counts.updated -= podRevision(pod) == updateName ? 1 : 0;
    if (monotonic) co_return Result<void>{};
  }

  if (isOnDelete(set)) co_return Result<void>{};
  // Rolling update: the highest ordinal not at the update revision goes first,
  // one at a time, never below the partition.
  std::int64_t updateMin = partition(set);
  for (std::int64_t target = static_cast<std::int64_t>(replicas.size()) - 1; target >= updateMin; --target) {
    const json::object& pod = replicas[static_cast<std::size_t>(target)];
    if (podRevision(pod) != updateName && !isTerminating(pod)) {
      auto deleted = co_await deletePod(set, pod);
      if (!deleted) co_return deleted;
      counts.current -= podRevision(pod) == currentName ? 1 : 0;
      co_return Result<void>{};
    }
    if (!isHealthy(pod)) co_return Result<void>{};
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> StatefulSetController::writeStatus(const json::object& set, const Revisions& revs,
                                                                 Counts counts) {
  std::string currentRevision = str(revs.current, "metadata.name");
  std::string updateRevision = str(revs.update, "metadata.name");
  // A finished rolling update makes the update revision current.
  if (!isOnDelete(set) && counts.updated == counts.replicas && counts.ready == counts.replicas) {
    counts.current = counts.updated;
    currentRevision = updateRevision;
  }
  json::object status;
  if (std::int64_t gen = num(set, "metadata.generation")) status["observedGeneration"] = gen;
  status["replicas"] = counts.replicas;
  // Upstream's omitempty fields: zero values are left out.
  if (counts.ready) status["readyReplicas"] = counts.ready;
  if (counts.current) status["currentReplicas"] = counts.current;
  if (counts.updated) status["updatedReplicas"] = counts.updated;
  status["currentRevision"] = currentRevision;
  status["updateRevision"] = updateRevision;
  status["collisionCount"] = revs.collisionCount;
  status["availableReplicas"] = counts.available;
  if (const json::value* c = api::findPath(set, "status.conditions")) status["conditions"] = *c;
  const json::value* old = set.if_contains("status");
  if (old && *old == json::value(status)) co_return Result<void>{};
  json::object next = set;
  next["status"] = std::move(status);
  client::ResourcePath path{"apps", "v1", "statefulsets", str(set, "metadata.namespace"),
                            str(set, "metadata.name"), "status", ""};
  auto written = co_await client_.update(path, next);
  if (!written && written.error().reason != Reason::NotFound) co_return std::move(written).error();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> StatefulSetController::truncateHistory(const json::object& set,
                                                                     const std::vector<PodPtr>& pods,
                                                                     const Revisions& revs) {
  std::vector<std::string> live{str(revs.current, "metadata.name"), str(revs.update, "metadata.name")};
  for (const PodPtr& p : pods) live.push_back(podRevision(*p));
  for (const ObjectPtr& r : history::revisionsToTrim(revs.all, live, history::historyLimit(set))) {
    auto deleted = co_await history::deleteRevision(client_, *r);
    if (!deleted) co_return deleted;
  }
  co_return Result<void>{};
}

}  // namespace kcpp::controllers::statefulset
