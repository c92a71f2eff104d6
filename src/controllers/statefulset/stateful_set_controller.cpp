#include "controllers/statefulset/stateful_set_controller.h"

#include <algorithm>

#include "api/meta/object.h"
#include "api/selectors/label_selector_json.h"
#include "controllers/common/controller_ref_manager.h"
#include "controllers/statefulset/stateful_set_utils.h"

namespace kcpp::controllers::statefulset {

namespace asio = boost::asio;

StatefulSetController::StatefulSetController(client::RestClient& client, client::InformerFactory& informers,
                                             asio::any_io_executor executor, StatefulSetControllerOptions options)
    : client_(client),
      informers_(informers),
      sets_(informers.forResource("apps", "v1", "statefulsets")),
      pods_(informers.forResource("", "v1", "pods")),
      claims_(informers.forResource("", "v1", "persistentvolumeclaims")),
      revisions_(informers.forResource("apps", "v1", "controllerrevisions")),
      executor_(executor),
      options_(options),
      queue_(executor),
      events_(client, executor, "statefulset-controller") {
  registerHandlers();
}

void StatefulSetController::registerHandlers() {
  client::EventHandlers setHandlers;
  setHandlers.onAdd = [this](const ObjectPtr& s) { enqueue(*s); };
  setHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& s) { enqueue(*s); };
  sets_.addHandlers(std::move(setHandlers));
  client::EventHandlers podHandlers;
  podHandlers.onAdd = [this](const ObjectPtr& p) { onPodEvent(nullptr, p); };
  podHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) { onPodEvent(o, n); };
  podHandlers.onDelete = [this](const ObjectPtr& p) { onPodEvent(nullptr, p); };
  pods_.addHandlers(std::move(podHandlers));
}

void StatefulSetController::enqueue(const json::object& set) { queue_.add(client::objectKey(set)); }

ObjectPtr StatefulSetController::ownerOf(const json::object& pod) const {
  auto ref = controllerRef(pod);
  if (!ref || ref->kind != "StatefulSet") return nullptr;
  ObjectPtr set = sets_.get(str(pod, "metadata.namespace") + "/" + ref->name);
  if (!set || str(*set, "metadata.uid") != ref->uid) return nullptr;
  return set;
}

void StatefulSetController::onPodEvent(const ObjectPtr& oldPod, const ObjectPtr& pod) {
  if (oldPod) {
    if (ObjectPtr old = ownerOf(*oldPod)) enqueue(*old);  // released pods leave their owner short
  }
  ObjectPtr set = ownerOf(*pod);
  if (!set) {
    if (!controllerRef(*pod)) enqueueSelecting(*pod);  // an orphan: a set may adopt it
    return;
  }
  enqueue(*set);
  // Ready now: it becomes available minReadySeconds later.
  std::int64_t minReady = num(*set, "spec.minReadySeconds");
  if (oldPod && minReady > 0 && !isPodReady(*oldPod) && isPodReady(*pod)) {
    queue_.addAfter(client::objectKey(*set), std::chrono::seconds(minReady) + std::chrono::milliseconds(100));
  }
}

namespace {

Result<selectors::LabelSelector> selectorOf(const json::object& set) {
  const json::value* sel = api::findPath(set, "spec.selector");
  if (!sel) return selectors::LabelSelector::nothing();
  return selectors::labelSelectorFromJson(*sel);
}

}  // namespace

void StatefulSetController::enqueueSelecting(const json::object& pod) {
  for (const ObjectPtr& set : sets_.byIndex("namespace", str(pod, "metadata.namespace"))) {
    auto selector = selectorOf(*set);
    if (selector && !selector->empty() && selector->matches(api::metaLabels(pod))) enqueue(*set);
  }
}

std::vector<PodPtr> StatefulSetController::podsOf(const json::object& set) const {
  std::vector<PodPtr> out;
  std::string uid = str(set, "metadata.uid");
  std::string name = str(set, "metadata.name");
  for (const ObjectPtr& pod : pods_.byIndex("namespace", str(set, "metadata.namespace"))) {
    auto ref = controllerRef(*pod);
    // Members only: owned, and named "<set>-<ordinal>" (upstream's isMemberOf).
    if (!ref || ref->uid != uid) continue;
    if (parentAndOrdinal(str(*pod, "metadata.name")).parent != name) continue;
    out.push_back(pod);
  }
  return out;
}

asio::awaitable<void> StatefulSetController::run() {
  if (!co_await waitForCaches(informers_, executor_, "StatefulSet")) co_return;
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); },
                      "StatefulSet");
}

asio::awaitable<Result<void>> StatefulSetController::sync(const std::string& key) {
  ObjectPtr cached = sets_.get(key);
  if (!cached) co_return Result<void>{};
  json::object set = *cached;
  // Adopt matching orphans named "<set>-<ordinal>", release what no longer
  // matches; their watch events bring the set back.
  auto selector = selectorOf(set);
  if (!selector) co_return Result<void>{};  // validation prevents it; nothing to do until fixed
  const std::string name = str(set, "metadata.name");
  // Named locals, not temporaries, in a co_await call (GCC 12 coroutine bug).
  const std::function<bool(const json::object&)> member = [&name](const json::object& pod) {
    return parentAndOrdinal(str(pod, "metadata.name")).parent == name;
  };
  const ClaimOwner owner{set, "apps/v1", "StatefulSet"};
  const ClaimedKind podKind{"", "v1", "pods"};
  const std::vector<ObjectPtr> candidates = pods_.byIndex("namespace", str(set, "metadata.namespace"));
  auto claimed = co_await adoptAndRelease(client_, owner, *selector, candidates, podKind, member);
  if (!claimed) co_return std::move(claimed).error();
  if (*claimed > 0) co_return Result<void>{};
  std::vector<PodPtr> pods = podsOf(set);
  auto revs = co_await revisionsOf(set);
  if (!revs) co_return std::move(revs).error();
  Counts counts;
  auto updated = co_await updateStatefulSet(set, *revs, pods, counts);
  auto written = co_await writeStatus(set, *revs, counts);
  if (!updated) co_return updated;
  if (!written) co_return written;
  co_return co_await truncateHistory(set, pods, *revs);
}

}  // namespace kcpp::controllers::statefulset
