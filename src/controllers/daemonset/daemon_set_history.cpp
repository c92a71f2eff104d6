// The DaemonSet's template history as ControllerRevisions (upstream's
// constructHistory and cleanupHistory in pkg/controller/daemon/update.go).
#include <set>

#include "api/meta/object.h"
#include "controllers/daemonset/daemon_set_controller.h"
#include "controllers/history/controller_history.h"

namespace kcpp::controllers::daemon {

namespace asio = boost::asio;

namespace {

std::string revisionHash(const json::object& revision) {
  return str(revision, "metadata.labels.controller-revision-hash");
}

// The template labels plus the hash: kubectl finds a DaemonSet's revisions
// through its selector, which the template labels satisfy.
std::map<std::string, std::string> revisionLabels(const json::object& ds, const std::string& hash) {
  std::map<std::string, std::string> labels;
  if (const json::value* l = api::findPath(ds, "spec.template.metadata.labels"); l && l->is_object()) {
    for (const auto& kv : l->get_object()) {
      if (kv.value().is_string()) labels[std::string(kv.key())] = std::string(kv.value().get_string());
    }
  }
  labels[history::kRevisionHashLabel] = hash;
  return labels;
}

}  // namespace

asio::awaitable<Result<DaemonSetController::History>> DaemonSetController::constructHistory(
    const json::object& ds) {
  auto revisions = history::ownedRevisions(revisions_, ds);
  json::object data = history::templatePatch(ds);
  json::object probe{{"data", data}};
  History out;
  ObjectPtr current;
  for (const ObjectPtr& r : revisions) {  // oldest first: the newest equal one wins
    if (history::equalRevisions(*r, probe)) current = r;
  }
  for (const ObjectPtr& r : revisions) {
    if (r != current) out.old.push_back(r);
  }
  std::int64_t next = history::nextRevisionNumber(out.old);
  if (current) {
    out.current = *current;
    if (history::revisionNumber(*current) < next) {  // a rollback: the old template is newest again
      auto updated = co_await history::updateRevisionNumber(client_, *current, next);
      if (!updated) co_return std::move(updated).error();
      out.current = std::move(*updated);
    }
    co_return out;
  }
  std::int64_t collisions = num(ds, "status.collisionCount");
  const std::string serialized = json::serialize(data);
  const std::string name = str(ds, "metadata.name");
  auto hashFor = [&serialized, &ds](std::int64_t count) {
    std::optional<std::int64_t> c;
    if (count > 0 || api::findPath(ds, "status.collisionCount")) c = count;
    return history::hashBytes(serialized, c);
  };
  std::string hash = hashFor(collisions);
  json::object revision = history::newRevision(ds, "apps/v1", "DaemonSet", history::revisionName(name, hash),
                                               revisionLabels(ds, hash), data, next);
  std::int64_t before = collisions;
  // A named function, not a temporary, in a co_await call (GCC 12 coroutine bug).
  const std::function<std::string(std::int64_t)> rename = [&](std::int64_t count) {
    return history::revisionName(name, hashFor(count));
  };
  auto created = co_await history::createRevision(client_, std::move(revision), collisions, rename);
  if (collisions != before) {
    // Record the collision so the next sync hashes the same way (upstream does too).
    json::object next = ds;
    const json::value* old = ds.if_contains("status");
    json::object status = old && old->is_object() ? old->get_object() : json::object();
    status["collisionCount"] = collisions;
    next["status"] = std::move(status);
    client::ResourcePath path{"apps", "v1", "daemonsets", str(ds, "metadata.namespace"), name, "status", ""};
    auto written = co_await client_.update(path, next);
    if (!written) co_return std::move(written).error();
  }
  if (!created) co_return std::move(created).error();
  out.current = std::move(*created);
  co_return out;
}

asio::awaitable<Result<void>> DaemonSetController::cleanupHistory(const json::object& ds,
                                                                  const History& hist) {
  std::set<std::string> liveHashes;
  for (const auto& [node, pods] : nodeToDaemonPods(ds, true)) {
    for (const PodPtr& p : pods) liveHashes.insert(str(*p, "metadata.labels.controller-revision-hash"));
  }
  std::vector<std::string> live;
  for (const ObjectPtr& r : hist.old) {
    if (liveHashes.count(revisionHash(*r))) live.push_back(str(*r, "metadata.name"));
  }
  for (const ObjectPtr& r : history::revisionsToTrim(hist.old, live, history::historyLimit(ds))) {
    auto deleted = co_await history::deleteRevision(client_, *r);
    if (!deleted) co_return deleted;
  }
  co_return Result<void>{};
}

}  // namespace kcpp::controllers::daemon
