// Recreate (upstream's recreate.go): scale every old ReplicaSet to zero, wait
// until none of their pods is left running, then create and scale up the new one.
#include "api/meta/object.h"
#include "controllers/deployment/deployment_controller.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using namespace deployment;

namespace {

// Old pods still count until they have terminated (Succeeded/Failed) or are gone.
bool oldPodsRunning(const RsPtr& newRS, const RsList& oldRSs,
                    const std::map<std::string, std::vector<PodPtr>>& pods) {
  if (actualReplicaCount(oldRSs) > 0) return true;
  std::string newUid = newRS ? stringAt(*newRS, "metadata.uid") : "";
  for (const auto& [rsUid, list] : pods) {
    if (!newUid.empty() && rsUid == newUid) continue;
    for (const PodPtr& pod : list) {
      std::string phase = stringAt(*pod, "status.phase");
      if (phase != "Succeeded" && phase != "Failed") return true;
    }
  }
  return false;
}

}  // namespace

asio::awaitable<Result<void>> DeploymentController::rolloutRecreate(json::object& d, const RsList& rss,
                                                                    const PodMap& pods) {
  // No new RS yet: it is created only once the old pods are gone.
  auto sets = co_await replicaSetsAndSyncRevision(d, rss, false);
  if (!sets) co_return std::move(sets).error();
  RsList all = sets->oldRSs;
  all.push_back(sets->newRS);
  bool scaledDown = false;
  for (const RsPtr& old : filterActive(sets->oldRSs)) {
    auto scaled = co_await scaleReplicaSetAndRecordEvent(old, 0, d);
    if (!scaled) co_return std::move(scaled).error();
    scaledDown |= scaled->first;
  }
  if (scaledDown) co_return co_await syncRolloutStatus(all, sets->newRS, d);
  if (oldPodsRunning(sets->newRS, sets->oldRSs, pods)) co_return co_await syncRolloutStatus(all, sets->newRS, d);
  if (!sets->newRS) {
    auto created = co_await replicaSetsAndSyncRevision(d, rss, true);
    if (!created) co_return std::move(created).error();
    sets = std::move(created);
    all = sets->oldRSs;
    all.push_back(sets->newRS);
  }
  auto scaledUp = co_await scaleReplicaSetAndRecordEvent(sets->newRS, specReplicas(d), d);
  if (!scaledUp) co_return std::move(scaledUp).error();
  const json::value* status = d.if_contains("status");
  if (status && status->is_object() && deploymentComplete(d, status->get_object())) {
    auto cleaned = co_await cleanupDeployment(sets->oldRSs, d);
    if (!cleaned) co_return std::move(cleaned).error();
  }
  co_return co_await syncRolloutStatus(all, sets->newRS, d);
}

}  // namespace kcpp::controllers
