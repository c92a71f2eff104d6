#include "controllers/volume/persistentvolume/pv_controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "controllers/volume/persistentvolume/pv_util.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;
using namespace volume;

namespace {

const std::string kName = "persistentvolume-binder";
const std::string kClaimPrefix = "claim:";
const std::string kVolumePrefix = "volume:";
// Named, never temporaries in co_await arguments (GCC 12 coroutine bug).
const std::string kPending = "Pending";
const std::string kBound = "Bound";
const std::string kLost = "Lost";
const std::string kAvailable = "Available";
const std::string kReleased = "Released";
const std::string kFailed = "Failed";
const std::string kNoMessage;
const std::string kNoRecycler = "No recycler plugin found for the volume!";

client::ResourcePath volumePath(const std::string& name, const std::string& sub = "") {
  return client::ResourcePath{"", "v1", "persistentvolumes", "", name, sub, ""};
}

client::ResourcePath claimPath(const std::string& ns, const std::string& name, const std::string& sub = "") {
  return client::ResourcePath{"", "v1", "persistentvolumeclaims", ns, name, sub, ""};
}

bool isBindCompleted(const json::object& claim) { return !annotation(claim, kAnnBindCompleted).empty(); }

json::object claimRefTo(const json::object& claim) {
  return json::object{{"kind", "PersistentVolumeClaim"},
                      {"namespace", api::metaNamespace(claim)},
                      {"name", api::metaName(claim)},
                      {"uid", str(claim, "metadata.uid")},
                      {"apiVersion", "v1"},
                      {"resourceVersion", api::metaResourceVersion(claim)}};
}

}  // namespace

PersistentVolumeController::PersistentVolumeController(client::RestClient& client,
                                                       client::InformerFactory& informers,
                                                       asio::any_io_executor executor,
                                                       PersistentVolumeOptions options)
    : client_(client),
      informers_(informers),
      claims_(informers.forResource("", "v1", "persistentvolumeclaims")),
      volumes_(informers.forResource("", "v1", "persistentvolumes")),
      classes_(informers.forResource("storage.k8s.io", "v1", "storageclasses")),
      nodes_(informers.forResource("", "v1", "nodes")),
      executor_(executor),
      options_(options),
      queue_(executor),
      recorder_(client, executor, "persistentvolume-controller") {
  client::EventHandlers claimHandlers;
  claimHandlers.onAdd = [this](const ObjectPtr& c) { enqueueClaim(*c); };
  claimHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& c) { enqueueClaim(*c); };
  claimHandlers.onDelete = [this](const ObjectPtr& c) {
    lastEvent_.erase(str(*c, "metadata.uid"));
    // The volume it was bound to is now Released.
    std::string bound = str(*c, "spec.volumeName");
    if (!bound.empty()) enqueueVolume(bound);
  };
  claims_.addHandlers(std::move(claimHandlers));
  client::EventHandlers volumeHandlers;
  auto onVolume = [this](const ObjectPtr& v) {
    enqueueVolume(std::string(api::metaName(*v)));
    // A new or freed volume may be what a waiting claim needs.
    enqueuePendingClaims();
  };
  volumeHandlers.onAdd = onVolume;
  volumeHandlers.onUpdate = [onVolume](const ObjectPtr&, const ObjectPtr& v) { onVolume(v); };
  volumeHandlers.onDelete = [this](const ObjectPtr& v) {
    lastEvent_.erase(str(*v, "metadata.uid"));
    const json::value* ref = api::findPath(*v, "spec.claimRef");
    if (ref && ref->is_object()) {
      queue_.add(kClaimPrefix + str(ref->get_object(), "namespace") + "/" + str(ref->get_object(), "name"));
    }
  };
  volumes_.addHandlers(std::move(volumeHandlers));
}

void PersistentVolumeController::enqueueClaim(const json::object& claim) {
  queue_.add(kClaimPrefix + client::objectKey(claim));
}

void PersistentVolumeController::enqueueVolume(const std::string& name) { queue_.add(kVolumePrefix + name); }

void PersistentVolumeController::enqueuePendingClaims() {
  for (const ObjectPtr& claim : claims_.list()) {
    if (str(*claim, "spec.volumeName").empty() || !isBindCompleted(*claim)) enqueueClaim(*claim);
  }
}

asio::awaitable<void> PersistentVolumeController::run() {
  if (!co_await waitForCaches(informers_, executor_, kName)) co_return;
  timer_ = std::make_shared<asio::steady_timer>(executor_);
  auto resyncDone = std::make_shared<bool>(false);
  asio::co_spawn(executor_, resync(), [resyncDone](std::exception_ptr) { *resyncDone = true; });
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); }, kName);
  // The resync loop holds `this`: let it end before run() does.
  while (!*resyncDone) {
    timer_->cancel();
    asio::steady_timer pause(executor_, std::chrono::milliseconds(5));
    boost::system::error_code ec;
    co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> PersistentVolumeController::resync() {
  while (!stopped_) {
    timer_->expires_after(options_.syncPeriod);
    boost::system::error_code ec;
    co_await timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopped_) break;
    for (const ObjectPtr& claim : claims_.list()) enqueueClaim(*claim);
    for (const ObjectPtr& volume : volumes_.list()) enqueueVolume(std::string(api::metaName(*volume)));
  }
}

void PersistentVolumeController::stop() {
  stopped_ = true;
  if (timer_) timer_->cancel();
  queue_.shutDown();
}

void PersistentVolumeController::event(const json::object& object, const std::string& kind,
                                       const std::string& type, const std::string& reason,
                                       const std::string& message) {
  std::string& last = lastEvent_[str(object, "metadata.uid")];
  if (last == reason) return;
  last = reason;
  json::object regarding = object;
  regarding["kind"] = kind;
  regarding["apiVersion"] = "v1";
  recorder_.record(regarding, type, reason, message);
}

asio::awaitable<Result<void>> PersistentVolumeController::sync(const std::string& key) {
  if (key.starts_with(kClaimPrefix)) {
    ObjectPtr claim = claims_.get(key.substr(kClaimPrefix.size()));
    if (!claim || api::findPath(*claim, "metadata.deletionTimestamp")) co_return Result<void>{};
    co_return co_await syncClaim(*claim);
  }
  ObjectPtr volume = volumes_.get(key.substr(kVolumePrefix.size()));
  if (!volume) co_return Result<void>{};
  co_return co_await syncVolume(*volume);
}

asio::awaitable<Result<void>> PersistentVolumeController::syncClaim(const json::object& claim) {
  if (!isBindCompleted(claim)) co_return co_await syncUnboundClaim(claim);
  co_return co_await syncBoundClaim(claim);
}

asio::awaitable<Result<void>> PersistentVolumeController::syncUnboundClaim(const json::object& claim) {
  std::string className = claimClass(claim);
  ObjectPtr storageClass = className.empty() ? nullptr : classes_.get(className);
  bool delayBinding = storageClass && str(*storageClass, "volumeBindingMode") == "WaitForFirstConsumer";
  std::string nodeName = annotation(claim, kAnnSelectedNode);
  ObjectPtr node = nodeName.empty() ? nullptr : nodes_.get(nodeName);
  std::string wanted = str(claim, "spec.volumeName");
  if (wanted.empty()) {
    ObjectPtr match = findBestMatch(volumes_.list(), claim, delayBinding, node.get(), nodeName);
    if (!match) co_return co_await claimWithoutVolume(claim, delayBinding, !nodeName.empty());
    co_return co_await bind(*match, claim);
  }
  // Pre-bound by the user to one volume.
  ObjectPtr volume = volumes_.get(wanted);
  if (!volume) {
    auto pending = co_await updateClaimPhase(claim, kPending, nullptr);
    if (!pending) co_return std::move(pending).error();
    co_return Result<void>{};
  }
  const json::value* ref = api::findPath(*volume, "spec.claimRef");
  if (ref && ref->is_object() && !claimRefMatches(*volume, claim)) {
    event(claim, "PersistentVolumeClaim", "Warning", "FailedBinding",
          "volume \"" + wanted + "\" already bound to a different claim.");
    auto pending = co_await updateClaimPhase(claim, kPending, nullptr);
    if (!pending) co_return std::move(pending).error();
    co_return Result<void>{};
  }
  if (auto why = volumeMismatch(*volume, claim)) {
    event(claim, "PersistentVolumeClaim", "Warning", "VolumeMismatch", "Cannot bind to requested volume \"" +
          wanted + "\": " + *why);
    auto pending = co_await updateClaimPhase(claim, kPending, nullptr);
    if (!pending) co_return std::move(pending).error();
    co_return Result<void>{};
  }
  co_return co_await bind(*volume, claim);
}

asio::awaitable<Result<void>> PersistentVolumeController::claimWithoutVolume(const json::object& claim,
                                                                            bool delayBinding,
                                                                            bool nodeSelected) {
  std::string className = claimClass(claim);
  ObjectPtr storageClass = className.empty() ? nullptr : classes_.get(className);
  if (delayBinding && !nodeSelected) {
    event(claim, "PersistentVolumeClaim", "Normal", "WaitForFirstConsumer",
          "waiting for first consumer to be created before binding");
  } else if (className.empty()) {
    event(claim, "PersistentVolumeClaim", "Normal", "FailedBinding",
          "no persistent volumes available for this claim and no storage class is set");
  } else if (!storageClass) {
    event(claim, "PersistentVolumeClaim", "Warning", "ProvisioningFailed",
          "storageclass.storage.k8s.io \"" + className + "\" not found");
  } else {
    std::string provisioner = str(*storageClass, "provisioner");
    if (annotation(claim, kAnnStorageProvisioner) != provisioner ||
        annotation(claim, kAnnBetaStorageProvisioner) != provisioner) {
      // Tells the (external) provisioner this claim is its to serve.
      json::object annotated = claim;
      setAnnotation(annotated, kAnnStorageProvisioner, provisioner);
      setAnnotation(annotated, kAnnBetaStorageProvisioner, provisioner);
      auto path = claimPath(std::string(api::metaNamespace(claim)), std::string(api::metaName(claim)));
      auto updated = co_await client_.update(path, annotated);
      if (!updated) co_return std::move(updated).error();
    }
    event(claim, "PersistentVolumeClaim", "Normal", "ExternalProvisioning",
          "Waiting for a volume to be created either by the external provisioner '" + provisioner +
              "' or manually by the system administrator. If volume creation is delayed, please verify that "
              "the provisioner is running and correctly registered.");
  }
  auto pending = co_await updateClaimPhase(claim, kPending, nullptr);
  if (!pending) co_return std::move(pending).error();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> PersistentVolumeController::syncBoundClaim(const json::object& claim) {
  std::string name = str(claim, "spec.volumeName");
  if (name.empty()) {
    event(claim, "PersistentVolumeClaim", "Warning", "ClaimLost",
          "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
    auto lost = co_await updateClaimPhase(claim, kLost, nullptr);
    if (!lost) co_return std::move(lost).error();
    co_return Result<void>{};
  }
  ObjectPtr volume = volumes_.get(name);
  if (!volume) {
    event(claim, "PersistentVolumeClaim", "Warning", "ClaimLost",
          "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    auto lost = co_await updateClaimPhase(claim, kLost, nullptr);
    if (!lost) co_return std::move(lost).error();
    co_return Result<void>{};
  }
  const json::value* ref = api::findPath(*volume, "spec.claimRef");
  bool refSet = ref && ref->is_object();
  if (!refSet || claimRefMatches(*volume, claim)) {
    // Finish (or confirm) the binding; bind() writes only what differs.
    co_return co_await bind(*volume, claim);
  }
  event(claim, "PersistentVolumeClaim", "Warning", "ClaimMisbound",
        "Two claims are bound to the same volume, this one is bound incorrectly");
  auto lost = co_await updateClaimPhase(claim, kLost, nullptr);
  if (!lost) co_return std::move(lost).error();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> PersistentVolumeController::bind(const json::object& volume,
                                                             const json::object& claim) {
  std::string volumeName(api::metaName(volume));
  std::string ns(api::metaNamespace(claim));
  std::string claimName(api::metaName(claim));
  json::object boundVolume = volume;
  if (!claimRefMatches(volume, claim) || str(volume, "spec.claimRef.uid").empty()) {
    if (!api::findPath(volume, "spec.claimRef")) setAnnotation(boundVolume, kAnnBoundByController, "yes");
    api::ensureObject(boundVolume, "spec")["claimRef"] = claimRefTo(claim);
    auto path = volumePath(volumeName);
    auto updated = co_await client_.update(path, boundVolume);
    if (!updated) co_return std::move(updated).error();
    boundVolume = std::move(*updated);
  }
  if (str(boundVolume, "status.phase") != "Bound") {
    auto phased = co_await updateVolumePhase(boundVolume, kBound, kNoMessage);
    if (!phased) co_return std::move(phased).error();
  }
  json::object boundClaim = claim;
  if (str(claim, "spec.volumeName") != volumeName || !isBindCompleted(claim)) {
    if (str(claim, "spec.volumeName").empty()) setAnnotation(boundClaim, kAnnBoundByController, "yes");
    api::ensureObject(boundClaim, "spec")["volumeName"] = volumeName;
    setAnnotation(boundClaim, kAnnBindCompleted, "yes");
    auto path = claimPath(ns, claimName);
    auto updated = co_await client_.update(path, boundClaim);
    if (!updated) co_return std::move(updated).error();
    boundClaim = std::move(*updated);
  }
  if (str(boundClaim, "status.phase") != "Bound" || !api::findPath(boundClaim, "status.capacity")) {
    auto phased = co_await updateClaimPhase(boundClaim, kBound, &boundVolume);
    if (!phased) co_return std::move(phased).error();
    spdlog::info("persistentvolume-binder: bound claim {}/{} to volume {}", ns, claimName, volumeName);
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> PersistentVolumeController::syncVolume(const json::object& volume) {
  const json::value* ref = api::findPath(volume, "spec.claimRef");
  std::string phase = str(volume, "status.phase");
  if (!ref || !ref->is_object() || str(volume, "spec.claimRef.uid").empty()) {
    // Free, or pre-bound to a claim that has not been bound yet.
    if (phase != "Available") {
      auto available = co_await updateVolumePhase(volume, kAvailable, kNoMessage);
      if (!available) co_return std::move(available).error();
    }
    co_return Result<void>{};
  }
  std::string ns = str(volume, "spec.claimRef.namespace");
  std::string name = str(volume, "spec.claimRef.name");
  ObjectPtr cached = claims_.get(ns + "/" + name);
  std::optional<json::object> claim;
  if (cached) claim = *cached;
  if (!claim) {
    // The cache may not have seen the claim yet: ask the server before releasing.
    auto fresh = co_await freshClaim(ns, name);
    if (!fresh) co_return std::move(fresh).error();
    claim = std::move(*fresh);
  }
  if (claim && str(*claim, "metadata.uid") == str(volume, "spec.claimRef.uid")) {
    std::string boundTo = str(*claim, "spec.volumeName");
    if (boundTo.empty() || boundTo == api::metaName(volume)) {
      // Binding in progress or done: the claim's sync finishes it.
      if (!boundTo.empty() && phase != "Bound") {
        auto bound = co_await updateVolumePhase(volume, kBound, kNoMessage);
        if (!bound) co_return std::move(bound).error();
      }
      co_return Result<void>{};
    }
    // The claim went to another volume: free this one.
    json::object freed = volume;
    if (annotation(volume, kAnnBoundByController).empty()) {
      api::ensureObject(freed, "spec")["claimRef"].as_object().erase("uid");  // keep the user's pre-binding
    } else {
      api::ensureObject(freed, "spec").erase("claimRef");
    }
    auto path = volumePath(std::string(api::metaName(volume)));
    auto updated = co_await client_.update(path, freed);
    if (!updated) co_return std::move(updated).error();
    auto available = co_await updateVolumePhase(*updated, kAvailable, kNoMessage);
    if (!available) co_return std::move(available).error();
    co_return Result<void>{};
  }
  // The claim is gone.
  if (phase != "Released" && phase != "Failed") {
    auto released = co_await updateVolumePhase(volume, kReleased, kNoMessage);
    if (!released) co_return std::move(released).error();
    co_return co_await reclaimVolume(*released);
  }
  if (phase == "Released") co_return co_await reclaimVolume(volume);
  co_return Result<void>{};
}

asio::awaitable<Result<void>> PersistentVolumeController::reclaimVolume(const json::object& volume) {
  std::string policy = str(volume, "spec.persistentVolumeReclaimPolicy");
  std::string name(api::metaName(volume));
  if (policy == "Retain" || policy.empty()) co_return Result<void>{};
  if (policy == "Delete") {
    // A provisioner's volume is deleted by that provisioner (with its storage).
    if (!annotation(volume, kAnnDynamicallyProvisioned).empty()) co_return Result<void>{};
    spdlog::info("persistentvolume-binder: deleting released volume {}", name);
    auto path = volumePath(name);
    json::object options{{"preconditions", json::object{{"uid", str(volume, "metadata.uid")}}}};
    auto removed = co_await client_.remove(path, options);
    if (!removed && removed.error().reason != Reason::NotFound) co_return std::move(removed).error();
    co_return Result<void>{};
  }
  // Recycle needs a recycler pod and a volume plugin; kcpp has neither.
  event(volume, "PersistentVolume", "Warning", "VolumeFailedRecycle", "No recycler plugin found for the volume!");
  auto failed = co_await updateVolumePhase(volume, kFailed, kNoRecycler);
  if (!failed) co_return std::move(failed).error();
  co_return Result<void>{};
}

asio::awaitable<Result<json::object>> PersistentVolumeController::updateVolumePhase(const json::object& volume,
                                                                                 const std::string& phase,
                                                                                 const std::string& message) {
  json::object next = volume;
  json::object& status = api::ensureObject(next, "status");
  status["phase"] = phase;
  if (message.empty()) status.erase("message");
  else status["message"] = message;
  status["lastPhaseTransitionTime"] = api::nowTime();
  auto path = volumePath(std::string(api::metaName(volume)), "status");
  co_return co_await client_.update(path, next);
}

asio::awaitable<Result<json::object>> PersistentVolumeController::updateClaimPhase(const json::object& claim,
                                                                                const std::string& phase,
                                                                                const json::object* volume) {
  json::object next = claim;
  json::object& status = api::ensureObject(next, "status");
  bool changed = str(claim, "status.phase") != phase;
  status["phase"] = phase;
  if (volume) {
    const json::value* modes = api::findPath(*volume, "spec.accessModes");
    const json::value* capacity = api::findPath(*volume, "spec.capacity");
    if (modes) status["accessModes"] = *modes;
    if (capacity) status["capacity"] = *capacity;
    changed = changed || status["capacity"] != json::value(api::findPath(claim, "status.capacity")
                                                                ? *api::findPath(claim, "status.capacity")
                                                                : json::value());
  } else if (phase != "Bound") {
    changed = changed || status.erase("capacity") + status.erase("accessModes") > 0;
  }
  if (!changed) co_return next;
  auto path = claimPath(std::string(api::metaNamespace(claim)), std::string(api::metaName(claim)), "status");
  co_return co_await client_.update(path, next);
}

asio::awaitable<Result<std::optional<json::object>>> PersistentVolumeController::freshClaim(const std::string& ns,
                                                                                        const std::string& name) {
  auto path = claimPath(ns, name);
  auto got = co_await client_.get(path);
  if (got) co_return std::optional<json::object>(std::move(*got));
  if (got.error().reason == Reason::NotFound) co_return std::optional<json::object>();
  co_return std::move(got).error();
}

}  // namespace kcpp::controllers
