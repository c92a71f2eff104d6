#include "controllers/daemonset/daemon_set_controller.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "api/selectors/label_selector_json.h"
#include "controllers/common/controller_ref_manager.h"
#include "controllers/daemonset/node_eligibility.h"

namespace kcpp::controllers::daemon {

namespace asio = boost::asio;

DaemonSetController::DaemonSetController(client::RestClient& client, client::InformerFactory& informers,
                                         asio::any_io_executor executor,
                                         DaemonSetControllerOptions options)
    : client_(client),
      informers_(informers),
      daemonSets_(informers.forResource("apps", "v1", "daemonsets")),
      pods_(informers.forResource("", "v1", "pods")),
      nodes_(informers.forResource("", "v1", "nodes")),
      revisions_(informers.forResource("apps", "v1", "controllerrevisions")),
      executor_(executor),
      options_(options),
      queue_(executor),
      events_(client, executor, "daemonset-controller") {
  registerHandlers();
}

void DaemonSetController::registerHandlers() {
  client::EventHandlers dsHandlers;
  dsHandlers.onAdd = [this](const ObjectPtr& ds) { enqueue(*ds); };
  dsHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& ds) { enqueue(*ds); };
  dsHandlers.onDelete = [this](const ObjectPtr& ds) {
    std::string key = client::objectKey(*ds);
    expectations_.forget(key);
    std::erase_if(failedPodsBackoff_, [&key](const auto& entry) { return entry.first.starts_with(key + "/"); });
  };
  daemonSets_.addHandlers(std::move(dsHandlers));
  client::EventHandlers podHandlers;
  podHandlers.onAdd = [this](const ObjectPtr& p) { onPodAdded(p); };
  podHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) { onPodUpdated(o, n); };
  podHandlers.onDelete = [this](const ObjectPtr& p) { onPodDeleted(p); };
  pods_.addHandlers(std::move(podHandlers));
  client::EventHandlers nodeHandlers;
  nodeHandlers.onAdd = [this](const ObjectPtr&) { enqueueAll(); };
  nodeHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) { onNodeUpdated(o, n); };
  nodeHandlers.onDelete = [this](const ObjectPtr&) { enqueueAll(); };
  nodes_.addHandlers(std::move(nodeHandlers));
}

void DaemonSetController::enqueue(const json::object& ds) { queue_.add(client::objectKey(ds)); }

void DaemonSetController::enqueueAll() {
  for (const ObjectPtr& ds : daemonSets_.list()) enqueue(*ds);
}

ObjectPtr DaemonSetController::ownerOf(const json::object& pod) const {
  auto ref = controllerRef(pod);
  if (!ref || ref->kind != "DaemonSet") return nullptr;
  ObjectPtr ds = daemonSets_.get(str(pod, "metadata.namespace") + "/" + ref->name);
  if (!ds || str(*ds, "metadata.uid") != ref->uid) return nullptr;
  return ds;
}

void DaemonSetController::enqueueSelecting(const json::object& pod) {
  if (controllerRef(pod)) return;
  for (const ObjectPtr& ds : daemonSets_.byIndex("namespace", str(pod, "metadata.namespace"))) {
    const json::value* sel = api::findPath(*ds, "spec.selector");
    auto selector = sel ? selectors::labelSelectorFromJson(*sel) : selectors::LabelSelector::nothing();
    if (selector && !selector->empty() && selector->matches(api::metaLabels(pod))) enqueue(*ds);
  }
}

void DaemonSetController::onPodAdded(const ObjectPtr& pod) {
  if (beingDeleted(*pod)) {
    onPodDeleted(pod);
    return;
  }
  if (ObjectPtr ds = ownerOf(*pod)) {
    expectations_.creationObserved(client::objectKey(*ds));
    enqueue(*ds);
    return;
  }
  enqueueSelecting(*pod);  // an orphan: a DaemonSet may adopt it
}

void DaemonSetController::onPodUpdated(const ObjectPtr& oldPod, const ObjectPtr& newPod) {
  if (str(*oldPod, "metadata.resourceVersion") == str(*newPod, "metadata.resourceVersion")) return;
  if (beingDeleted(*newPod) && !beingDeleted(*oldPod)) {
    onPodDeleted(newPod);
    return;
  }
  if (ObjectPtr old = ownerOf(*oldPod)) enqueue(*old);  // released pods leave their owner short
  ObjectPtr ds = ownerOf(*newPod);
  if (!ds) {
    enqueueSelecting(*newPod);
    return;
  }
  enqueue(*ds);
  // Ready now: it becomes available minReadySeconds later.
  std::int64_t minReady = num(*ds, "spec.minReadySeconds");
  if (minReady > 0 && !isPodReady(*oldPod) && isPodReady(*newPod)) {
    queue_.addAfter(client::objectKey(*ds), std::chrono::seconds(minReady + 1));
  }
}

void DaemonSetController::onPodDeleted(const ObjectPtr& pod) {
  if (ObjectPtr ds = ownerOf(*pod)) {
    expectations_.deletionObserved(client::objectKey(*ds), client::objectKey(*pod));
    enqueue(*ds);
  }
}

void DaemonSetController::onNodeUpdated(const ObjectPtr& oldNode, const ObjectPtr& newNode) {
  // Only what eligibility reads matters; heartbeats and resources do not.
  auto relevant = [](const json::object& node) {
    json::object out;
    if (const json::value* l = api::findPath(node, "metadata.labels")) out["labels"] = *l;
    if (const json::value* t = api::findPath(node, "spec.taints")) out["taints"] = *t;
    if (const json::value* u = api::findPath(node, "spec.unschedulable")) out["unschedulable"] = *u;
    return out;
  };
  if (relevant(*oldNode) != relevant(*newNode)) enqueueAll();
}

std::vector<ObjectPtr> DaemonSetController::nodes() const { return nodes_.list(); }

NodePods DaemonSetController::nodeToDaemonPods(const json::object& ds, bool withFinished) const {
  NodePods out;
  std::string uid = str(ds, "metadata.uid");
  for (const ObjectPtr& pod : pods_.byIndex("namespace", str(ds, "metadata.namespace"))) {
    auto ref = controllerRef(*pod);
    if (!ref || ref->uid != uid) continue;
    std::string phase = str(*pod, "status.phase");
    bool terminal = phase == "Succeeded" || phase == "Failed";
    if (!withFinished && terminal && beingDeleted(*pod)) continue;
    auto node = targetNodeName(*pod);
    if (!node) continue;  // not ours to place: upstream logs and skips it
    out[*node].push_back(pod);
  }
  return out;
}

asio::awaitable<void> DaemonSetController::run() {
  if (!co_await waitForCaches(informers_, executor_, "DaemonSet")) co_return;
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); },
                      "DaemonSet");
}

asio::awaitable<Result<void>> DaemonSetController::sync(const std::string& key) {
  ObjectPtr cached = daemonSets_.get(key);
  if (!cached) {
    expectations_.forget(key);
    co_return Result<void>{};
  }
  json::object ds = *cached;
  // Being deleted: the garbage collector removes the pods.
  if (beingDeleted(ds)) co_return Result<void>{};
  // Adopt matching orphans, release what no longer matches; their watch
  // events bring the DaemonSet back with its pods as they now are.
  const json::value* sel = api::findPath(ds, "spec.selector");
  auto selector = sel ? selectors::labelSelectorFromJson(*sel) : selectors::LabelSelector::nothing();
  if (!selector) co_return Result<void>{};  // validation prevents it; nothing to do until fixed
  // Named locals, not temporaries, in a co_await call (GCC 12 coroutine bug).
  const ClaimOwner owner{ds, "apps/v1", "DaemonSet"};
  const ClaimedKind podKind{"", "v1", "pods"};
  const std::vector<ObjectPtr> candidates = pods_.byIndex("namespace", str(ds, "metadata.namespace"));
  auto claimed = co_await adoptAndRelease(client_, owner, *selector, candidates, podKind);
  if (!claimed) co_return std::move(claimed).error();
  if (*claimed > 0) co_return Result<void>{};
  auto history = co_await constructHistory(ds);
  if (!history) co_return std::move(history).error();
  std::string hash = str(history->current, "metadata.labels.controller-revision-hash");
  if (!expectations_.satisfied(key)) co_return co_await updateStatus(ds, hash);
  auto managed = co_await manage(ds, hash);
  if (!managed) co_return std::move(managed).error();
  // Once the pods we asked for are seen, roll the update on.
  if (expectations_.satisfied(key) && isRollingUpdate(ds)) {
    auto rolled = co_await rollingUpdate(ds, hash);
    if (!rolled) co_return std::move(rolled).error();
  }
  auto cleaned = co_await cleanupHistory(ds, *history);
  if (!cleaned) co_return std::move(cleaned).error();
  co_return co_await updateStatus(ds, hash);
}

}  // namespace kcpp::controllers::daemon
