#include "controllers/replicaset/replica_set_controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "api/selectors/label_selector_json.h"
#include "controllers/common/controller_utils.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;

namespace {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::int64_t num(const json::object& obj, std::string_view path, std::int64_t fallback = 0) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_int64() ? v->get_int64() : fallback;
}

bool beingDeleted(const json::object& obj) {
  return api::findPath(obj, "metadata.deletionTimestamp") != nullptr;
}

// Every label of the template is on the pod (upstream's fullyLabeledReplicas).
bool hasTemplateLabels(const json::object& pod, const json::object& owner) {
  const json::value* labels = api::findPath(owner, "spec.template.metadata.labels");
  if (!labels || !labels->is_object()) return true;
  auto podLabels = api::metaLabels(pod);
  for (const auto& kv : labels->get_object()) {
    auto it = podLabels.find(std::string(kv.key()));
    if (it == podLabels.end() || !kv.value().is_string() || it->second != kv.value().get_string()) {
      return false;
    }
  }
  return true;
}

}  // namespace

ReplicatedKind ReplicatedKind::replicaSets() {
  return ReplicatedKind{"apps", "v1", "replicasets", "ReplicaSet", false};
}

ReplicatedKind ReplicatedKind::replicationControllers() {
  return ReplicatedKind{"", "v1", "replicationcontrollers", "ReplicationController", true};
}

ReplicaSetController::ReplicaSetController(ReplicatedKind kind, client::RestClient& client,
                                           client::InformerFactory& informers,
                                           asio::any_io_executor executor,
                                           ReplicaSetControllerOptions options)
    : kind_(std::move(kind)),
      client_(client),
      owners_(informers.forResource(kind_.group, kind_.version, kind_.resource)),
      pods_(informers.forResource("", "v1", "pods")),
      informers_(informers),
      executor_(executor),
      options_(options),
      queue_(executor),
      events_(client, executor, kind_.kind == "ReplicaSet" ? "replicaset-controller"
                                                           : "replication-controller") {
  registerHandlers();
}

namespace {

Result<selectors::LabelSelector> selectorOf(const json::object& owner, bool isMap) {
  const json::value* sel = api::findPath(owner, "spec.selector");
  if (isMap) {
    selectors::Labels set;
    if (sel && sel->is_object()) {
      for (const auto& kv : sel->get_object()) {
        if (kv.value().is_string()) set[std::string(kv.key())] = std::string(kv.value().get_string());
      }
    }
    // An RC selects nothing with an empty selector (upstream: SelectorFromValidatedSet).
    if (set.empty()) return selectors::LabelSelector::nothing();
    return selectors::LabelSelector::fromSet(set);
  }
  if (!sel) return selectors::LabelSelector::nothing();
  return selectors::labelSelectorFromJson(*sel);
}

bool selects(const json::object& owner, bool isMap, const json::object& pod) {
  auto selector = selectorOf(owner, isMap);
  return selector && !selector->empty() && selector->matches(api::metaLabels(pod));
}

}  // namespace

void ReplicaSetController::registerHandlers() {
  pods_.addIndexer(kControllerUidIndex, controllerUidIndex);
  pods_.addIndexer(kOrphanNamespaceIndex, orphanNamespaceIndex);
  client::EventHandlers ownerHandlers;
  ownerHandlers.onAdd = [this](const ObjectPtr& o) { enqueue(*o); };
  ownerHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& o) { enqueue(*o); };
  ownerHandlers.onDelete = [this](const ObjectPtr& o) {
    expectations_.forget(client::objectKey(*o));
  };
  owners_.addHandlers(std::move(ownerHandlers));
  client::EventHandlers podHandlers;
  podHandlers.onAdd = [this](const ObjectPtr& p) { onPodAdded(p); };
  podHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) { onPodUpdated(o, n); };
  podHandlers.onDelete = [this](const ObjectPtr& p) { onPodDeleted(p); };
  pods_.addHandlers(std::move(podHandlers));
}

void ReplicaSetController::enqueue(const json::object& owner) { queue_.add(client::objectKey(owner)); }

ObjectPtr ReplicaSetController::ownerOf(const json::object& pod) const {
  auto ref = controllerRef(pod);
  if (!ref || ref->kind != kind_.kind) return nullptr;
  std::string key = str(pod, "metadata.namespace") + "/" + ref->name;
  ObjectPtr owner = owners_.get(key);
  if (!owner || str(*owner, "metadata.uid") != ref->uid) return nullptr;
  return owner;
}

void ReplicaSetController::enqueueMatchingOwners(const json::object& pod) {
  for (const ObjectPtr& owner : owners_.byIndex("namespace", str(pod, "metadata.namespace"))) {
    if (selects(*owner, kind_.selectorIsMap, pod)) enqueue(*owner);
  }
}

void ReplicaSetController::onPodAdded(const ObjectPtr& pod) {
  if (beingDeleted(*pod)) {
    onPodDeleted(pod);
    return;
  }
  if (controllerRef(*pod)) {
    if (ObjectPtr owner = ownerOf(*pod)) {
      expectations_.creationObserved(client::objectKey(*owner));
      enqueue(*owner);
    }
    return;
  }
  enqueueMatchingOwners(*pod);
}

void ReplicaSetController::onPodUpdated(const ObjectPtr& oldPod, const ObjectPtr& newPod) {
  if (str(*oldPod, "metadata.resourceVersion") == str(*newPod, "metadata.resourceVersion")) return;
  bool labelsChanged = api::metaLabels(*oldPod) != api::metaLabels(*newPod);
  if (beingDeleted(*newPod)) {
    onPodDeleted(newPod);
    if (labelsChanged) {
      if (ObjectPtr old = ownerOf(*oldPod)) enqueue(*old);
    }
    return;
  }
  auto oldRef = controllerRef(*oldPod);
  auto newRef = controllerRef(*newPod);
  bool refChanged = (oldRef.has_value() != newRef.has_value()) ||
                    (oldRef && newRef && oldRef->uid != newRef->uid);
  if (refChanged) {
    if (ObjectPtr old = ownerOf(*oldPod)) enqueue(*old);
  }
  if (newRef) {
    if (ObjectPtr owner = ownerOf(*newPod)) {
      enqueue(*owner);
      // Ready now: it becomes available minReadySeconds later.
      std::int64_t minReady = num(*owner, "spec.minReadySeconds");
      if (minReady > 0 && !isPodReady(*oldPod) && isPodReady(*newPod)) {
        queue_.addAfter(client::objectKey(*owner), std::chrono::seconds(minReady + 1));
      }
    }
    return;
  }
  if (labelsChanged || refChanged) enqueueMatchingOwners(*newPod);
}

void ReplicaSetController::onPodDeleted(const ObjectPtr& pod) {
  if (ObjectPtr owner = ownerOf(*pod)) {
    std::string key = client::objectKey(*owner);
    expectations_.deletionObserved(key, client::objectKey(*pod));
    enqueue(*owner);
  }
}

asio::awaitable<void> ReplicaSetController::run() {
  if (!co_await waitForCaches(informers_, executor_, kind_.kind)) co_return;
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); },
                      kind_.kind);
}

asio::awaitable<Result<void>> ReplicaSetController::sync(const std::string& key) {
  ObjectPtr cached = owners_.get(key);
  if (!cached) {
    expectations_.forget(key);
    co_return Result<void>{};
  }
  json::object owner = *cached;
  auto selector = selectorOf(owner, kind_.selectorIsMap);
  if (!selector) co_return std::move(selector).error();  // validation should prevent this
  bool needsSync = expectations_.satisfied(key);
  auto pods = co_await claimPods(owner, *selector);
  if (!pods) co_return std::move(pods).error();
  std::optional<Error> manageError;
  if (needsSync && !beingDeleted(owner)) {
    auto managed = co_await manageReplicas(owner, *pods);
    if (!managed) manageError = managed.error();
  }
  auto updated = co_await updateStatus(owner, *pods, manageError);
  if (manageError) co_return *manageError;
  if (!updated) co_return std::move(updated).error();
  co_return Result<void>{};
}

asio::awaitable<Result<std::vector<PodPtr>>> ReplicaSetController::claimPods(
    const json::object& owner, const selectors::LabelSelector& selector) {
  std::vector<PodPtr> claimed;
  std::string uid = str(owner, "metadata.uid");
  bool ownerDeleting = beingDeleted(owner);
  // What upstream's ClaimPods looks at, without the pods other controllers own:
  // ours (to keep or release) and the namespace's orphans (to adopt).
  std::vector<ObjectPtr> candidates = pods_.byIndex(kControllerUidIndex, uid);
  for (ObjectPtr& orphan : pods_.byIndex(kOrphanNamespaceIndex, str(owner, "metadata.namespace"))) {
    candidates.push_back(std::move(orphan));
  }
  for (const ObjectPtr& pod : candidates) {
    if (!isPodActive(*pod)) continue;
    auto ref = controllerRef(*pod);
    if (ref && ref->uid != uid) continue;  // another controller's
    bool matches = !selector.empty() && selector.matches(api::metaLabels(*pod));
    if (ref && matches) {
      claimed.push_back(pod);
      continue;
    }
    if (ownerDeleting || (!ref && (!matches || beingDeleted(*pod)))) continue;
    client::ResourcePath path{"", "v1", "pods", str(*pod, "metadata.namespace"),
                              str(*pod, "metadata.name"), "", ""};
    json::object patchBody;
    json::object meta{{"uid", str(*pod, "metadata.uid")}};
    if (ref) {  // ours but no longer selected: release it
      meta["ownerReferences"] = json::array{json::object{{"$patch", "delete"}, {"uid", uid}}};
    } else {    // a matching orphan: adopt it
      meta["ownerReferences"] =
          json::array{makeControllerRef(owner, kind_.apiVersion(), kind_.kind)};
    }
    patchBody["metadata"] = std::move(meta);
    const std::string contentType = "application/strategic-merge-patch+json";
    const std::string body = json::serialize(patchBody);
    auto patched = co_await client_.patch(path, contentType, body);
    if (!patched && patched.error().reason != Reason::NotFound &&
        patched.error().reason != Reason::Invalid) {
      co_return std::move(patched).error();
    }
    if (patched && !ref) claimed.push_back(std::make_shared<const json::object>(std::move(*patched)));
  }
  co_return claimed;
}

asio::awaitable<Result<void>> ReplicaSetController::manageReplicas(const json::object& owner,
                                                                   const std::vector<PodPtr>& pods) {
  std::string key = client::objectKey(owner);
  std::int64_t wanted = num(owner, "spec.replicas", 1);
  std::int64_t diff = static_cast<std::int64_t>(pods.size()) - wanted;
  if (diff < 0) {
    int count = static_cast<int>(std::min<std::int64_t>(-diff, options_.burstReplicas));
    expectations_.expectCreations(key, count);
    co_return co_await createPods(owner, count);
  }
  if (diff == 0) co_return Result<void>{};
  std::size_t count = static_cast<std::size_t>(std::min<std::int64_t>(diff, options_.burstReplicas));
  std::vector<PodPtr> victims = podsToDelete(pods, pods, count);
  std::set<std::string> victimKeys;
  for (const PodPtr& p : victims) victimKeys.insert(client::objectKey(*p));
  expectations_.expectDeletions(key, victimKeys);
  std::optional<Error> firstError;
  for (const PodPtr& p : victims) {
    client::ResourcePath path{"", "v1", "pods", str(*p, "metadata.namespace"),
                              str(*p, "metadata.name"), "", ""};
    const json::object noOptions;
    auto deleted = co_await client_.remove(path, noOptions);
    if (deleted) {
      events_.record(owner, "Normal", "SuccessfulDelete", "Deleted pod: " + str(*p, "metadata.name"));
      continue;
    }
    expectations_.deletionFailed(key, client::objectKey(*p));
    if (deleted.error().reason == Reason::NotFound) continue;
    events_.record(owner, "Warning", "FailedDelete", "Error deleting: " + deleted.error().message);
    if (!firstError) firstError = deleted.error();
  }
  if (firstError) co_return *firstError;
  co_return Result<void>{};
}

asio::awaitable<Result<void>> ReplicaSetController::createPods(const json::object& owner, int count) {
  std::string key = client::objectKey(owner);
  json::object templ;
  if (const json::value* t = api::findPath(owner, "spec.template"); t && t->is_object()) {
    templ = t->get_object();
  }
  json::object pod = podFromTemplate(templ, owner, makeControllerRef(owner, kind_.apiVersion(), kind_.kind));
  client::ResourcePath path{"", "v1", "pods", str(owner, "metadata.namespace"), "", "", ""};
  // Slow start: batches of 1, 2, 4, ... so a failing create (quota, admission)
  // fails once rather than `count` times.
  int remaining = count;
  for (int batch = 1; remaining > 0; batch *= 2) {
    int size = std::min(batch, remaining);
    auto failures = std::make_shared<std::vector<Error>>();
    auto pending = std::make_shared<int>(size);
    auto batchDone = std::make_shared<asio::steady_timer>(executor_, std::chrono::steady_clock::time_point::max());
    for (int i = 0; i < size; ++i) {
      asio::co_spawn(executor_, [this, path, pod, owner, failures]() -> asio::awaitable<void> {
        auto created = co_await client_.create(path, pod);
        if (created) {
          events_.record(owner, "Normal", "SuccessfulCreate", "Created pod: " + str(*created, "metadata.name"));
        } else {
          failures->push_back(created.error());
        }
      }, [pending, batchDone](std::exception_ptr) {
        if (--*pending == 0) batchDone->cancel();
      });
    }
    boost::system::error_code ec;
    co_await batchDone->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    remaining -= size;
    if (failures->empty()) continue;
    // Neither the failed creates nor the skipped ones will be observed.
    for (std::size_t i = 0; i < failures->size() + static_cast<std::size_t>(remaining); ++i) {
      expectations_.creationFailed(key);
    }
    const Error& first = failures->front();
    events_.record(owner, "Warning", "FailedCreate", "Error creating: " + first.message);
    co_return first;
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> ReplicaSetController::updateStatus(const json::object& owner,
                                                                 const std::vector<PodPtr>& pods,
                                                                 const std::optional<Error>& manageError) {
  std::int64_t minReady = num(owner, "spec.minReadySeconds");
  auto now = std::chrono::system_clock::now();
  std::int64_t fullyLabeled = 0, ready = 0, available = 0;
  for (const PodPtr& p : pods) {
    if (hasTemplateLabels(*p, owner)) ++fullyLabeled;
    if (isPodReady(*p)) ++ready;
    if (isPodAvailable(*p, minReady, now)) ++available;
  }
  json::object status;
  status["replicas"] = static_cast<std::int64_t>(pods.size());
  // Upstream's omitempty fields: zero values are left out.
  if (fullyLabeled) status["fullyLabeledReplicas"] = fullyLabeled;
  if (ready) status["readyReplicas"] = ready;
  if (available) status["availableReplicas"] = available;
  if (std::int64_t gen = num(owner, "metadata.generation")) status["observedGeneration"] = gen;
  json::array conditions;
  const json::value* old = api::findPath(owner, "status.conditions");
  if (old && old->is_array()) {
    for (const auto& c : old->get_array()) {
      if (c.is_object() && api::getString(c.get_object(), "type") == "ReplicaFailure") {
        if (manageError) conditions.push_back(c);  // keep its lastTransitionTime
        continue;
      }
      conditions.push_back(c);
    }
  }
  bool hasFailure = false;
  for (const auto& c : conditions) hasFailure |= api::getString(c.get_object(), "type") == "ReplicaFailure";
  if (manageError && !hasFailure) {
    std::int64_t wanted = num(owner, "spec.replicas", 1);
    conditions.push_back(json::object{
        {"type", "ReplicaFailure"},
        {"status", "True"},
        {"lastTransitionTime", api::nowTime()},
        {"reason", static_cast<std::int64_t>(pods.size()) < wanted ? "FailedCreate" : "FailedDelete"},
        {"message", manageError->message}});
  }
  if (!conditions.empty()) status["conditions"] = std::move(conditions);
  const json::value* current = owner.if_contains("status");
  if (current && *current == json::value(status)) co_return Result<void>{};
  json::object next = owner;
  next["status"] = std::move(status);
  client::ResourcePath path{kind_.group, kind_.version, kind_.resource,
                            str(owner, "metadata.namespace"), str(owner, "metadata.name"), "status", ""};
  auto written = co_await client_.update(path, next);
  if (!written && written.error().reason != Reason::NotFound) co_return std::move(written).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
