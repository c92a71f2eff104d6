// The Progressing condition (upstream's progress.go): the rollout completed,
// made progress (its lastUpdateTime moves), or made none within
// progressDeadlineSeconds (status False, ProgressDeadlineExceeded); a stuck
// deployment is requeued for when its deadline passes.
#include "api/meta/object.h"
#include "controllers/deployment/deployment_controller.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using namespace deployment;

namespace {

std::string subject(const json::object& d, const RsPtr& newRS) {
  if (newRS) return "ReplicaSet \"" + std::string(api::metaName(*newRS)) + "\"";
  return "Deployment \"" + std::string(api::metaName(d)) + "\"";
}

// A ReplicaFailure of the new RS (else of an old one) becomes the deployment's.
std::optional<json::object> replicaFailure(const RsList& allRSs, const RsPtr& newRS) {
  RsList ordered{newRS};
  for (const RsPtr& rs : allRSs) {
    if (rs && rs != newRS) ordered.push_back(rs);
  }
  for (const RsPtr& rs : ordered) {
    if (!rs) continue;
    const json::object* status = api::findObject(*rs, "status");
    const json::object* cond = status ? findCondition(*status, kReplicaFailure) : nullptr;
    if (!cond) continue;
    return newCondition(kReplicaFailure, api::getString(*cond, "status"), api::getString(*cond, "reason"),
                        std::string(api::getString(*cond, "message")));
  }
  return std::nullopt;
}

}  // namespace

asio::awaitable<Result<void>> DeploymentController::syncRolloutStatus(const RsList& allRSs, const RsPtr& newRS,
                                                                      json::object& d) {
  json::object status = calculateStatus(allRSs, newRS, d);
  if (!hasProgressDeadline(d)) removeCondition(status, kProgressing);
  const json::object* oldStatus = api::findObject(d, "status");
  const json::object* current = oldStatus ? findCondition(*oldStatus, kProgressing) : nullptr;
  bool alreadyComplete = intAt(status, "replicas") == intAt(status, "updatedReplicas") && current &&
                         api::getString(*current, "reason") == kNewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !alreadyComplete) {
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition(kProgressing, "True", kNewReplicaSetAvailable,
                                        subject(d, newRS) + " has successfully progressed."));
    } else if (deploymentProgressing(d, status)) {
      json::object cond = newCondition(kProgressing, "True", kReplicaSetUpdated,
                                       subject(d, newRS) + " is progressing.");
      // Progress moves lastUpdateTime (the deadline's start) every time.
      if (current && api::getString(*current, "status") == "True") {
        cond["lastTransitionTime"] = current->at("lastTransitionTime");
      }
      removeCondition(status, kProgressing);
      setCondition(status, std::move(cond));
    } else if (deploymentTimedOut(d, status, std::chrono::system_clock::now())) {
      setCondition(status, newCondition(kProgressing, "False", kProgressDeadlineExceeded,
                                        subject(d, newRS) + " has timed out progressing."));
    }
  }
  if (auto failure = replicaFailure(allRSs, newRS)) {
    setCondition(status, std::move(*failure));
  } else {
    removeCondition(status, kReplicaFailure);
  }
  const json::value* before = d.if_contains("status");
  if (before && *before == json::value(status)) {
    requeueStuckDeployment(d, status);
    co_return Result<void>{};
  }
  d["status"] = std::move(status);
  co_return co_await updateDeploymentStatus(d);
}

void DeploymentController::requeueStuckDeployment(const json::object& d, const json::object& newStatus) {
  const json::object* cond = findCondition(newStatus, kProgressing);
  if (!hasProgressDeadline(d) || !cond) return;
  if (deploymentComplete(d, newStatus) || api::getString(*cond, "reason") == kProgressDeadlineExceeded) return;
  auto from = api::parseTime(api::getString(*cond, "lastUpdateTime"));
  if (!from) return;
  auto deadline = *from + std::chrono::seconds(intAt(d, "spec.progressDeadlineSeconds"));
  auto after = deadline - std::chrono::system_clock::now();
  std::string key = client::objectKey(d);
  if (after < std::chrono::seconds(1)) {
    queue_.addRateLimited(key);
  } else {
    // Timestamps have second precision: look again just after the deadline.
    queue_.addAfter(key, std::chrono::duration_cast<client::Clock::duration>(after) +
                             std::chrono::milliseconds(500));
  }
}

}  // namespace kcpp::controllers
