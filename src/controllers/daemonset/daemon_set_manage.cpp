// Which pods go where (upstream's manage, podsShouldBeOnNode and syncNodes in
// pkg/controller/daemon/daemon_controller.go).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <set>

#include "api/meta/object.h"
#include "controllers/daemonset/daemon_set_controller.h"
#include "controllers/daemonset/node_eligibility.h"

namespace kcpp::controllers::daemon {

namespace asio = boost::asio;

namespace {

struct NodeWork {
  std::vector<std::string> nodesNeedingPods;
  std::vector<PodPtr> podsToDelete;
};

// With surge a node may briefly hold an old and a new pod: keep the oldest of
// each, and drop the old one once the new one is available.
void keepSurgePods(const json::object& ds, std::vector<PodPtr> running, const std::string& hash,
                   std::vector<PodPtr>& toDelete) {
  sortByAge(running);
  PodPtr oldestNew, oldestOld;
  auto generation = templateGeneration(ds);
  for (const PodPtr& p : running) {
    PodPtr& slot = isPodUpdated(*p, hash, generation) ? oldestNew : oldestOld;
    if (!slot) {
      slot = p;
      continue;
    }
    toDelete.push_back(p);
  }
  if (oldestNew && oldestOld &&
      isPodAvailable(*oldestNew, num(ds, "spec.minReadySeconds"), std::chrono::system_clock::now())) {
    toDelete.push_back(oldestOld);
  }
}

}  // namespace

std::chrono::steady_clock::duration DaemonSetController::failedPodBackoff(const std::string& dsKey,
                                                                         const std::string& node) {
  using namespace std::chrono_literals;
  constexpr std::chrono::steady_clock::duration initial = 1s, most = 15min;
  auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = failedPodsBackoff_.try_emplace(dsKey + "/" + node);
  Backoff& b = it->second;
  if (!fresh && now - b.last < b.delay) return b.delay - (now - b.last);
  // Long quiet (twice the cap): start over, as upstream's hasExpired.
  b.delay = fresh || now - b.last > 2 * most ? initial : std::min(b.delay * 2, most);
  b.last = now;
  return std::chrono::steady_clock::duration::zero();
}

asio::awaitable<Result<void>> DaemonSetController::manage(const json::object& ds, const std::string& hash) {
  NodePods nodePods = nodeToDaemonPods(ds, false);
  NodeWork work;
  bool surge = scaledUpdateValue(ds, "maxSurge", 1, 0) > 0;
  std::set<std::string> nodeNames;
  const DaemonPodSpec daemonPod(ds);
  for (const ObjectPtr& node : nodes()) {
    std::string name = str(*node, "metadata.name");
    nodeNames.insert(name);
    NodeFit fit = daemonPod.fit(*node);
    const std::vector<PodPtr>& pods = nodePods[name];
    if (fit.shouldRun && pods.empty()) {
      work.nodesNeedingPods.push_back(name);
    } else if (fit.shouldContinueRunning) {
      std::vector<PodPtr> running;
      for (const PodPtr& p : pods) {
        if (beingDeleted(*p)) continue;
        std::string phase = str(*p, "status.phase");
        if (phase == "Failed") {
          auto wait = failedPodBackoff(client::objectKey(ds), name);
          if (wait > std::chrono::steady_clock::duration::zero()) {
            queue_.addAfter(client::objectKey(ds), wait);
            continue;
          }
          events_.record(ds, "Warning", "FailedDaemonPod",
                         "Found failed daemon pod " + str(*p, "metadata.namespace") + "/" +
                             str(*p, "metadata.name") + " on node " + name + ", will try to kill it");
          work.podsToDelete.push_back(p);
        } else if (phase == "Succeeded") {
          work.podsToDelete.push_back(p);
        } else {
          running.push_back(p);
        }
      }
      if (surge) {
        keepSurgePods(ds, std::move(running), hash, work.podsToDelete);
      } else if (running.size() > 1) {  // keep the oldest
        sortByAge(running);
        work.podsToDelete.insert(work.podsToDelete.end(), running.begin() + 1, running.end());
      }
    } else {
      for (const PodPtr& p : pods) {
        if (!beingDeleted(*p)) work.podsToDelete.push_back(p);
      }
    }
  }
  // Pods pinned to a node that is gone and never bound (bound ones are the pod
  // garbage collector's, as upstream).
  for (const auto& [node, pods] : nodePods) {
    if (nodeNames.count(node)) continue;
    for (const PodPtr& p : pods) {
      if (str(*p, "spec.nodeName").empty() && !beingDeleted(*p)) work.podsToDelete.push_back(p);
    }
  }
  co_return co_await syncNodes(ds, work.podsToDelete, work.nodesNeedingPods, hash);
}

asio::awaitable<Result<void>> DaemonSetController::syncNodes(const json::object& ds,
                                                             const std::vector<PodPtr>& podsToDelete,
                                                             const std::vector<std::string>& nodesNeedingPods,
                                                             const std::string& hash) {
  std::string key = client::objectKey(ds);
  std::size_t burst = static_cast<std::size_t>(options_.burstReplicas);
  std::vector<std::string> createOn(nodesNeedingPods.begin(),
                                    nodesNeedingPods.begin() + std::min(burst, nodesNeedingPods.size()));
  std::vector<PodPtr> victims(podsToDelete.begin(), podsToDelete.begin() + std::min(burst, podsToDelete.size()));
  std::set<std::string> victimKeys;
  for (const PodPtr& p : victims) victimKeys.insert(client::objectKey(*p));
  expectations_.expect(key, static_cast<int>(createOn.size()), victimKeys);
  auto created = co_await createPods(ds, createOn, hash);
  auto deleted = co_await deletePods(ds, victims);
  if (!created) co_return created;
  co_return deleted;
}

asio::awaitable<Result<void>> DaemonSetController::createPods(const json::object& ds,
                                                              const std::vector<std::string>& nodeNames,
                                                              const std::string& hash) {
  if (nodeNames.empty()) co_return Result<void>{};
  std::string key = client::objectKey(ds);
  json::object templ;
  if (const json::value* t = api::findPath(ds, "spec.template"); t && t->is_object()) templ = t->get_object();
  json::object& meta = templ["metadata"].is_object() ? templ["metadata"].get_object()
                                                     : templ["metadata"].emplace_object();
  json::object& labels = meta["labels"].is_object() ? meta["labels"].get_object() : meta["labels"].emplace_object();
  auto generation = templateGeneration(ds);
  labels["pod-template-generation"] = std::to_string(generation ? *generation : num(ds, "metadata.generation", 1));
  if (!hash.empty()) labels["controller-revision-hash"] = hash;
  json::object basePod = podFromTemplate(templ, ds, makeControllerRef(ds, "apps/v1", "DaemonSet"));
  addDaemonTolerations(basePod["spec"].as_object());
  client::ResourcePath path{"", "v1", "pods", str(ds, "metadata.namespace"), "", "", ""};
  // Slow start: batches of 1, 2, 4, ... so a failing create fails once, not per node.
  std::size_t next = 0;
  for (std::size_t batch = 1; next < nodeNames.size(); batch *= 2) {
    std::size_t size = std::min(batch, nodeNames.size() - next);
    auto failures = std::make_shared<std::vector<Error>>();
    auto pending = std::make_shared<std::size_t>(size);
    auto batchDone = std::make_shared<asio::steady_timer>(executor_, std::chrono::steady_clock::time_point::max());
    for (std::size_t i = 0; i < size; ++i) {
      json::object pod = basePod;
      pinToNode(pod["spec"].as_object(), nodeNames[next + i]);
      asio::co_spawn(executor_, [this, path, pod = std::move(pod), ds, failures]() -> asio::awaitable<void> {
        auto created = co_await client_.create(path, pod);
        if (created) {
          events_.record(ds, "Normal", "SuccessfulCreate", "Created pod: " + str(*created, "metadata.name"));
        } else {
          failures->push_back(created.error());
        }
      }, [pending, batchDone](std::exception_ptr) {
        if (--*pending == 0) batchDone->cancel();
      });
    }
    boost::system::error_code ec;
    co_await batchDone->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    next += size;
    if (failures->empty()) continue;
    // Neither the failed creates nor the skipped ones will be observed.
    std::size_t unobserved = failures->size() + (nodeNames.size() - next);
    for (std::size_t i = 0; i < unobserved; ++i) expectations_.creationFailed(key);
    const Error& first = failures->front();
    events_.record(ds, "Warning", "FailedCreate", "Error creating: " + first.message);
    co_return first;
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> DaemonSetController::deletePods(const json::object& ds,
                                                              const std::vector<PodPtr>& pods) {
  std::string key = client::objectKey(ds);
  std::optional<Error> firstError;
  for (const PodPtr& p : pods) {
    client::ResourcePath path{"", "v1", "pods", str(*p, "metadata.namespace"), str(*p, "metadata.name"), "", ""};
    const json::object noOptions;
    auto deleted = co_await client_.remove(path, noOptions);
    if (deleted) {
      events_.record(ds, "Normal", "SuccessfulDelete", "Deleted pod: " + str(*p, "metadata.name"));
      continue;
    }
    expectations_.deletionFailed(key, client::objectKey(*p));
    if (deleted.error().reason == Reason::NotFound) continue;
    events_.record(ds, "Warning", "FailedDelete", "Error deleting: " + deleted.error().message);
    if (!firstError) firstError = deleted.error();
  }
  if (firstError) co_return *firstError;
  co_return Result<void>{};
}

}  // namespace kcpp::controllers::daemon
