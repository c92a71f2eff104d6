// Rolling updates and status (upstream's rollingUpdate in
// pkg/controller/daemon/update.go and updateDaemonSetStatus).
#include "api/meta/object.h"
#include "controllers/daemonset/daemon_set_controller.h"
#include "controllers/daemonset/node_eligibility.h"

namespace kcpp::controllers::daemon {

namespace asio = boost::asio;
using SysClock = std::chrono::system_clock;

namespace {

struct NodeVersions {
  PodPtr newPod;
  PodPtr oldPod;
  bool ok = true;  // false: more than one of a kind, left to manage()
};

NodeVersions findUpdatedPodsOnNode(const json::object& ds, const std::vector<PodPtr>& pods,
                                   const std::string& hash) {
  NodeVersions out;
  auto generation = templateGeneration(ds);
  for (const PodPtr& p : pods) {
    if (beingDeleted(*p)) continue;
    PodPtr& slot = isPodUpdated(*p, hash, generation) ? out.newPod : out.oldPod;
    if (slot) return NodeVersions{nullptr, nullptr, false};
    slot = p;
  }
  return out;
}

// How many nodes want a pod: the base for percentages.
int desiredNodes(const std::vector<ObjectPtr>& nodes, const json::object& ds) {
  int desired = 0;
  const DaemonPodSpec daemonPod(ds);
  for (const ObjectPtr& n : nodes) desired += daemonPod.fit(*n).shouldRun ? 1 : 0;
  return desired;
}

}  // namespace

asio::awaitable<Result<void>> DaemonSetController::rollingUpdate(const json::object& ds, const std::string& hash) {
  NodePods nodePods = nodeToDaemonPods(ds, false);
  int desired = desiredNodes(nodes(), ds);
  int maxSurge = scaledUpdateValue(ds, "maxSurge", desired, 0);
  int maxUnavailable = scaledUpdateValue(ds, "maxUnavailable", desired, 1);
  if (maxSurge == 0 && maxUnavailable == 0) maxUnavailable = 1;  // as upstream: always progress
  std::int64_t minReady = num(ds, "spec.minReadySeconds");
  auto now = SysClock::now();
  std::vector<PodPtr> oldPodsToDelete;
  std::vector<std::string> nodesToCreate;
  if (maxSurge == 0) {
    int unavailable = 0;
    std::vector<PodPtr> candidates;
    for (const auto& [node, pods] : nodePods) {
      NodeVersions v = findUpdatedPodsOnNode(ds, pods, hash);
      if (!v.ok || (!v.oldPod && !v.newPod) || (v.oldPod && v.newPod)) {
        ++unavailable;  // manage() fixes the node; count it as unavailable meanwhile
      } else if (v.newPod) {
        if (!isPodAvailable(*v.newPod, minReady, now)) ++unavailable;
      } else if (!isPodAvailable(*v.oldPod, minReady, now)) {
        oldPodsToDelete.push_back(v.oldPod);  // unavailable anyway: replace it at once
      } else if (unavailable < maxUnavailable) {
        candidates.push_back(v.oldPod);
      }
    }
    int room = std::clamp(maxUnavailable - unavailable, 0, static_cast<int>(candidates.size()));
    oldPodsToDelete.insert(oldPodsToDelete.end(), candidates.begin(), candidates.begin() + room);
  } else {
    int surging = 0;
    std::vector<std::string> candidates;
    for (const auto& [node, pods] : nodePods) {
      NodeVersions v = findUpdatedPodsOnNode(ds, pods, hash);
      if (!v.ok) {
        ++surging;
      } else if (!v.oldPod) {
        continue;  // up to date, or manage() creates one
      } else if (!v.newPod) {
        if (!isPodAvailable(*v.oldPod, minReady, now)) {
          nodesToCreate.push_back(node);
        } else if (surging < maxSurge) {
          candidates.push_back(node);
        }
      } else if (!isPodAvailable(*v.newPod, minReady, now)) {
        ++surging;  // the new pod is on its way
      } else {
        oldPodsToDelete.push_back(v.oldPod);
      }
    }
    int room = std::clamp(maxSurge - surging, 0, static_cast<int>(candidates.size()));
    nodesToCreate.insert(nodesToCreate.end(), candidates.begin(), candidates.begin() + room);
  }
  if (oldPodsToDelete.empty() && nodesToCreate.empty()) co_return Result<void>{};
  co_return co_await syncNodes(ds, oldPodsToDelete, nodesToCreate, hash);
}

asio::awaitable<Result<void>> DaemonSetController::updateStatus(const json::object& ds, const std::string& hash) {
  NodePods nodePods = nodeToDaemonPods(ds, false);
  std::int64_t minReady = num(ds, "spec.minReadySeconds");
  auto generation = templateGeneration(ds);
  auto now = SysClock::now();
  std::int64_t desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
  const DaemonPodSpec daemonPod(ds);
  for (const ObjectPtr& node : nodes()) {
    bool shouldRun = daemonPod.fit(*node).shouldRun;
    auto it = nodePods.find(str(*node, "metadata.name"));
    bool scheduled = it != nodePods.end() && !it->second.empty();
    if (!shouldRun) {
      misscheduled += scheduled ? 1 : 0;
      continue;
    }
    ++desired;
    if (!scheduled) continue;
    ++current;
    std::vector<PodPtr> pods = it->second;
    sortByAge(pods);
    const json::object& pod = *pods.front();  // the oldest speaks for the node
    if (isPodReady(pod)) {
      ++ready;
      if (isPodAvailable(pod, minReady, now)) ++available;
    }
    if (isPodUpdated(pod, hash, generation)) ++updated;
  }
  json::object status;
  status["currentNumberScheduled"] = current;
  status["numberMisscheduled"] = misscheduled;
  status["desiredNumberScheduled"] = desired;
  status["numberReady"] = ready;
  // Upstream's omitempty fields: zero values are left out.
  if (std::int64_t gen = num(ds, "metadata.generation")) status["observedGeneration"] = gen;
  if (updated) status["updatedNumberScheduled"] = updated;
  if (available) status["numberAvailable"] = available;
  if (desired - available) status["numberUnavailable"] = desired - available;
  if (const json::value* c = api::findPath(ds, "status.collisionCount")) status["collisionCount"] = *c;
  if (const json::value* c = api::findPath(ds, "status.conditions")) status["conditions"] = *c;
  if (minReady > 0 && ready != available) {
    queue_.addAfter(client::objectKey(ds), std::chrono::seconds(minReady));
  }
  const json::value* old = ds.if_contains("status");
  if (old && *old == json::value(status)) co_return Result<void>{};
  json::object next = ds;
  next["status"] = std::move(status);
  client::ResourcePath path{"apps", "v1", "daemonsets", str(ds, "metadata.namespace"),
                            str(ds, "metadata.name"), "status", ""};
  auto written = co_await client_.update(path, next);
  if (!written && written.error().reason != Reason::NotFound) co_return std::move(written).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers::daemon
