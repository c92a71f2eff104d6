// The Deployment controller: event handlers, claiming ReplicaSets, and the sync
// that dispatches to scaling, rollback or the strategy's rollout.
#include "controllers/deployment/deployment_controller.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "api/selectors/label_selector_json.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;
using namespace deployment;

namespace deployment {

client::ResourcePath deploymentPath(const std::string& ns, const std::string& name,
                                    const std::string& subresource) {
  return client::ResourcePath{"apps", "v1", "deployments", ns, name, subresource, ""};
}

client::ResourcePath replicaSetPath(const std::string& ns, const std::string& name) {
  return client::ResourcePath{"apps", "v1", "replicasets", ns, name, "", ""};
}

}  // namespace deployment

namespace {

Result<selectors::LabelSelector> selectorOf(const json::object& d) {
  const json::value* sel = api::findPath(d, "spec.selector");
  if (!sel) return selectors::LabelSelector::nothing();
  return selectors::labelSelectorFromJson(*sel);
}

// A deployment with an empty selector selects nothing here (upstream refuses
// to act on it rather than adopt everything).
bool selects(const json::object& d, const json::object& obj) {
  auto selector = selectorOf(d);
  return selector && !selector->empty() && selector->matches(api::metaLabels(obj));
}

}  // namespace

DeploymentController::DeploymentController(client::RestClient& client, client::InformerFactory& informers,
                                           asio::any_io_executor executor,
                                           DeploymentControllerOptions options)
    : client_(client),
      deployments_(informers.forResource("apps", "v1", "deployments")),
      replicaSets_(informers.forResource("apps", "v1", "replicasets")),
      pods_(informers.forResource("", "v1", "pods")),
      informers_(informers),
      executor_(executor),
      options_(options),
      queue_(executor),
      events_(client, executor, "deployment-controller") {
  registerHandlers();
}

void DeploymentController::registerHandlers() {
  client::EventHandlers deploymentHandlers;
  deploymentHandlers.onAdd = [this](const ObjectPtr& d) { enqueue(*d); };
  deploymentHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& d) { enqueue(*d); };
  deploymentHandlers.onDelete = [this](const ObjectPtr& d) { enqueue(*d); };
  deployments_.addHandlers(std::move(deploymentHandlers));
  client::EventHandlers rsHandlers;
  rsHandlers.onAdd = [this](const ObjectPtr& rs) { onReplicaSetAdded(rs); };
  rsHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) { onReplicaSetUpdated(o, n); };
  rsHandlers.onDelete = [this](const ObjectPtr& rs) { onReplicaSetDeleted(rs); };
  replicaSets_.addHandlers(std::move(rsHandlers));
  client::EventHandlers podHandlers;
  podHandlers.onDelete = [this](const ObjectPtr& pod) { onPodDeleted(pod); };
  pods_.addHandlers(std::move(podHandlers));
}

ObjectPtr DeploymentController::deploymentOf(const json::object& rs) const {
  auto ref = controllerRef(rs);
  if (!ref || ref->kind != "Deployment") return nullptr;
  ObjectPtr d = deployments_.get(stringAt(rs, "metadata.namespace") + "/" + ref->name);
  if (!d || stringAt(*d, "metadata.uid") != ref->uid) return nullptr;
  return d;
}

void DeploymentController::enqueueMatchingDeployments(const json::object& rs) {
  for (const ObjectPtr& d : deployments_.byIndex("namespace", stringAt(rs, "metadata.namespace"))) {
    if (selects(*d, rs)) enqueue(*d);
  }
}

void DeploymentController::onReplicaSetAdded(const ObjectPtr& rs) {
  if (beingDeleted(*rs)) {
    onReplicaSetDeleted(rs);
    return;
  }
  if (controllerRef(*rs)) {
    if (ObjectPtr d = deploymentOf(*rs)) enqueue(*d);
    return;
  }
  enqueueMatchingDeployments(*rs);  // an orphan: whoever matches may adopt it
}

void DeploymentController::onReplicaSetUpdated(const ObjectPtr& oldRS, const ObjectPtr& newRS) {
  if (api::metaResourceVersion(*oldRS) == api::metaResourceVersion(*newRS)) return;
  auto oldRef = controllerRef(*oldRS);
  auto newRef = controllerRef(*newRS);
  bool refChanged = oldRef.has_value() != newRef.has_value() || (oldRef && newRef && oldRef->uid != newRef->uid);
  if (refChanged) {
    if (ObjectPtr d = deploymentOf(*oldRS)) enqueue(*d);
  }
  if (newRef) {
    if (ObjectPtr d = deploymentOf(*newRS)) enqueue(*d);
    return;
  }
  if (refChanged || api::metaLabels(*oldRS) != api::metaLabels(*newRS)) enqueueMatchingDeployments(*newRS);
}

void DeploymentController::onReplicaSetDeleted(const ObjectPtr& rs) {
  if (ObjectPtr d = deploymentOf(*rs)) enqueue(*d);
}

void DeploymentController::onPodDeleted(const ObjectPtr& pod) {
  // Only Recreate waits for pods to be gone before it starts the new ones.
  auto ref = controllerRef(*pod);
  if (!ref || ref->kind != "ReplicaSet") return;
  ObjectPtr rs = replicaSets_.get(stringAt(*pod, "metadata.namespace") + "/" + ref->name);
  if (!rs || stringAt(*rs, "metadata.uid") != ref->uid) return;
  ObjectPtr d = deploymentOf(*rs);
  if (d && stringAt(*d, "spec.strategy.type") == "Recreate") enqueue(*d);
}

asio::awaitable<void> DeploymentController::run() {
  // Named, not temporaries: see the GCC 12 coroutine caveat in docs/errors.md.
  const std::string name = "deployment";
  bool synced = co_await waitForCaches(informers_, executor_, name);
  if (!synced) co_return;
  const SyncFunc sync = [this](const std::string& key) { return syncDeployment(key); };
  co_await runWorkers(queue_, options_.workers, sync, name);
}

asio::awaitable<Result<void>> DeploymentController::syncDeployment(const std::string& key) {
  ObjectPtr cached = deployments_.get(key);
  if (!cached) co_return Result<void>{};  // deleted: its ReplicaSets go with the garbage collector
  json::object d = *cached;
  d["apiVersion"] = "apps/v1";
  d["kind"] = "Deployment";
  auto selector = selectorOf(d);
  if (!selector || selector->empty()) {
    events_.record(d, "Warning", "SelectingAll",
                   "This deployment is selecting all pods. A non-empty selector is required.");
    if (intAt(d, "metadata.generation") > intAt(d, "status.observedGeneration")) {
      api::ensureObject(d, "status")["observedGeneration"] = intAt(d, "metadata.generation");
      co_return co_await updateDeploymentStatus(d);
    }
    co_return Result<void>{};
  }
  auto rss = co_await claimReplicaSets(d);
  if (!rss) co_return std::move(rss).error();
  if (beingDeleted(d)) {  // only its status is kept up to date
    auto sets = co_await replicaSetsAndSyncRevision(d, *rss, false);
    if (!sets) co_return std::move(sets).error();
    RsList all = sets->oldRSs;
    all.push_back(sets->newRS);
    co_return co_await syncDeploymentStatus(all, sets->newRS, d);
  }
  auto paused = co_await checkPausedConditions(d);
  if (!paused) co_return std::move(paused).error();
  if (isPaused(d)) co_return co_await syncScaling(d, *rss);
  if (!annotation(d, kRollbackToAnnotation).empty()) co_return co_await rollback(d, *rss);
  if (isScalingEvent(d, *rss)) co_return co_await syncScaling(d, *rss);
  if (stringAt(d, "spec.strategy.type") == "Recreate") {
    PodMap pods = podMapFor(d, *rss);
    co_return co_await rolloutRecreate(d, *rss, pods);
  }
  co_return co_await rolloutRolling(d, *rss);
}

asio::awaitable<Result<DeploymentController::RsList>> DeploymentController::claimReplicaSets(
    const json::object& d) {
  RsList claimed;
  std::string uid = stringAt(d, "metadata.uid");
  bool deploymentDeleting = beingDeleted(d);
  for (const ObjectPtr& rs : replicaSets_.byIndex("namespace", stringAt(d, "metadata.namespace"))) {
    bool matches = selects(d, *rs);
    auto ref = controllerRef(*rs);
    if (ref && ref->uid != uid) continue;  // another controller's
    if (ref && matches) {
      claimed.push_back(rs);
      continue;
    }
    if (deploymentDeleting || (!ref && (!matches || beingDeleted(*rs)))) continue;
    json::object meta{{"uid", stringAt(*rs, "metadata.uid")}};
    if (ref) {  // ours but no longer selected: release it
      meta["ownerReferences"] = json::array{json::object{{"$patch", "delete"}, {"uid", uid}}};
    } else {  // a matching orphan: adopt it
      meta["ownerReferences"] = json::array{makeControllerRef(d, "apps/v1", "Deployment")};
    }
    json::object patchBody{{"metadata", std::move(meta)}};
    const std::string contentType = "application/strategic-merge-patch+json";
    const std::string body = json::serialize(patchBody);
    const client::ResourcePath path = replicaSetPath(stringAt(d, "metadata.namespace"), std::string(api::metaName(*rs)));
    auto patched = co_await client_.patch(path, contentType, body);
    if (!patched && patched.error().reason != Reason::NotFound && patched.error().reason != Reason::Invalid) {
      co_return std::move(patched).error();
    }
    if (patched && !ref) claimed.push_back(std::make_shared<const json::object>(std::move(*patched)));
  }
  co_return claimed;
}

DeploymentController::PodMap DeploymentController::podMapFor(const json::object& d, const RsList& rss) const {
  PodMap map;
  for (const RsPtr& rs : rss) map[stringAt(*rs, "metadata.uid")];
  for (const ObjectPtr& pod : pods_.byIndex("namespace", stringAt(d, "metadata.namespace"))) {
    if (!selects(d, *pod)) continue;
    auto ref = controllerRef(*pod);
    if (!ref) continue;
    auto it = map.find(ref->uid);
    if (it != map.end()) it->second.push_back(pod);
  }
  return map;
}

asio::awaitable<Result<void>> DeploymentController::checkPausedConditions(json::object& d) {
  if (!hasProgressDeadline(d)) co_return Result<void>{};
  json::object& status = api::ensureObject(d, "status");
  const json::object* cond = findCondition(status, kProgressing);
  // A rollout that timed out stays so until it makes progress again.
  if (cond && api::getString(*cond, "reason") == kProgressDeadlineExceeded) co_return Result<void>{};
  bool paused = isPaused(d);
  bool pausedCondition = cond && api::getString(*cond, "reason") == kDeploymentPaused;
  if (paused && !pausedCondition) {
    setCondition(status, newCondition(kProgressing, "Unknown", kDeploymentPaused, "Deployment is paused"));
  } else if (!paused && pausedCondition) {
    setCondition(status, newCondition(kProgressing, "Unknown", kDeploymentResumed, "Deployment is resumed"));
  } else {
    co_return Result<void>{};
  }
  co_return co_await updateDeploymentStatus(d);
}

asio::awaitable<Result<void>> DeploymentController::updateDeploymentStatus(json::object& d) {
  const client::ResourcePath path =
      deploymentPath(stringAt(d, "metadata.namespace"), std::string(api::metaName(d)), "status");
  auto written = co_await client_.update(path, d);
  if (!written) co_return std::move(written).error();
  d = std::move(*written);
  d["apiVersion"] = "apps/v1";
  d["kind"] = "Deployment";
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
