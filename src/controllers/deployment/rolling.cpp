// RollingUpdate (upstream's rolling.go): grow the new ReplicaSet while the total
// stays within replicas + maxSurge, shrink old ones while available pods stay at
// or above replicas - maxUnavailable.
#include <algorithm>

#include "controllers/deployment/deployment_controller.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using namespace deployment;

asio::awaitable<Result<void>> DeploymentController::rolloutRolling(json::object& d, const RsList& rss) {
  auto sets = co_await replicaSetsAndSyncRevision(d, rss, true);
  if (!sets) co_return std::move(sets).error();
  RsList all = sets->oldRSs;
  all.push_back(sets->newRS);
  auto scaledUp = co_await reconcileNewReplicaSet(all, sets->newRS, d);
  if (!scaledUp) co_return std::move(scaledUp).error();
  if (*scaledUp) co_return co_await syncRolloutStatus(all, sets->newRS, d);
  auto scaledDown = co_await reconcileOldReplicaSets(all, filterActive(sets->oldRSs), sets->newRS, d);
  if (!scaledDown) co_return std::move(scaledDown).error();
  if (*scaledDown) co_return co_await syncRolloutStatus(all, sets->newRS, d);
  const json::value* status = d.if_contains("status");
  if (status && status->is_object() && deploymentComplete(d, status->get_object())) {
    auto cleaned = co_await cleanupDeployment(sets->oldRSs, d);
    if (!cleaned) co_return std::move(cleaned).error();
  }
  co_return co_await syncRolloutStatus(all, sets->newRS, d);
}

asio::awaitable<Result<bool>> DeploymentController::reconcileNewReplicaSet(const RsList& allRSs,
                                                                           const RsPtr& newRS,
                                                                           const json::object& d) {
  std::int64_t current = specReplicas(*newRS);
  if (current == specReplicas(d)) co_return false;
  std::int64_t target = current > specReplicas(d) ? specReplicas(d) : newRSNewReplicas(d, allRSs, *newRS);
  auto scaled = co_await scaleReplicaSetAndRecordEvent(newRS, target, d);
  if (!scaled) co_return std::move(scaled).error();
  co_return scaled->first;
}

asio::awaitable<Result<bool>> DeploymentController::reconcileOldReplicaSets(const RsList& allRSs, RsList oldRSs,
                                                                            const RsPtr& newRS,
                                                                            const json::object& d) {
  if (specReplicaCount(oldRSs) == 0) co_return false;  // nothing left to scale down
  std::int64_t minAvailable = specReplicas(d) - maxUnavailable(d);
  std::int64_t newUnavailable = specReplicas(*newRS) - intAt(*newRS, "status.availableReplicas");
  // Room to scale down without the new RS' unavailable pods counting as available.
  std::int64_t maxScaledDown = specReplicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) co_return false;
  // Unhealthy old pods go first: they add nothing to availability.
  auto cleaned = co_await cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown);
  if (!cleaned) co_return std::move(cleaned).error();
  RsList all = oldRSs;
  all.push_back(newRS);
  auto scaledDown = co_await scaleDownOldForRollingUpdate(all, oldRSs, d);
  if (!scaledDown) co_return std::move(scaledDown).error();
  co_return *cleaned + *scaledDown > 0;
}

asio::awaitable<Result<std::int64_t>> DeploymentController::cleanupUnhealthyReplicas(
    RsList& oldRSs, const json::object& d, std::int64_t maxCleanup) {
  sortByCreation(oldRSs);
  std::int64_t total = 0;
  for (RsPtr& rs : oldRSs) {
    if (total >= maxCleanup) break;
    std::int64_t replicas = specReplicas(*rs);
    std::int64_t available = intAt(*rs, "status.availableReplicas");
    if (replicas == 0 || replicas == available) continue;
    std::int64_t count = std::min(maxCleanup - total, replicas - available);
    auto scaled = co_await scaleReplicaSetAndRecordEvent(rs, replicas - count, d);
    if (!scaled) co_return std::move(scaled).error();
    total += count;
    rs = scaled->second;
  }
  co_return total;
}

asio::awaitable<Result<std::int64_t>> DeploymentController::scaleDownOldForRollingUpdate(
    const RsList& allRSs, RsList oldRSs, const json::object& d) {
  std::int64_t minAvailable = specReplicas(d) - maxUnavailable(d);
  std::int64_t available = availableReplicaCount(allRSs);
  if (available <= minAvailable) co_return std::int64_t{0};
  sortByCreation(oldRSs);  // the oldest go first
  std::int64_t budget = available - minAvailable;
  std::int64_t total = 0;
  for (const RsPtr& rs : oldRSs) {
    if (total >= budget) break;
    std::int64_t replicas = specReplicas(*rs);
    if (replicas == 0) continue;
    std::int64_t count = std::min(replicas, budget - total);
    auto scaled = co_await scaleReplicaSetAndRecordEvent(rs, replicas - count, d);
    if (!scaled) co_return std::move(scaled).error();
    total += count;
  }
  co_return total;
}

}  // namespace kcpp::controllers
