#include "kubelet/kubelet.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "kubelet/kubelet_internal.h"

namespace kcpp::kubelet {

namespace kr = kuberuntime;
namespace asio = boost::asio;

namespace {

std::string str(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string uidOf(const json::object& pod) { return str(pod, "metadata.uid"); }

bool isTerminalPhase(std::string_view phase) { return phase == "Succeeded" || phase == "Failed"; }

// The kubernetes.io/config.source annotation: "api", "file", or kcpp's
// "orphan" for runtime pods no source wants.
std::string configSource(const json::object& pod) {
  const json::object* meta = api::findObject(pod, "metadata");
  const json::object* annotations = meta ? api::findObject(*meta, "annotations") : nullptr;
  return annotations ? std::string(api::getString(*annotations, "kubernetes.io/config.source")) : "";
}

// Pods from a manifest file (static pods) report through their mirror pod.
bool isStaticPod(const json::object& pod) {
  std::string source = configSource(pod);
  return !source.empty() && source != "api";
}

// activeDeadlineSeconds: the time left, or nullopt without a deadline.
std::optional<std::chrono::milliseconds> deadlineLeft(const json::object& pod, const json::object* status,
                                                      std::chrono::system_clock::time_point now) {
  const json::value* deadline = api::findPath(pod, "spec.activeDeadlineSeconds");
  if (!deadline || !deadline->is_number()) return std::nullopt;
  std::string start = status ? std::string(api::getString(*status, "startTime")) : "";
  if (start.empty()) start = str(pod, "status.startTime");
  auto started = api::parseTime(start);
  if (!started) return std::nullopt;
  auto end = *started + std::chrono::seconds(deadline->to_number<std::int64_t>());
  return std::chrono::duration_cast<std::chrono::milliseconds>(end - now);
}

const char* kDeadlineMessage = "Pod was active on the node longer than the specified deadline";

}  // namespace

Kubelet::Kubelet(asio::any_io_executor executor, KubeletOptions options, KubeletDeps deps)
    : executor_(executor),
      options_(std::move(options)),
      deps_(std::move(deps)),
      recorder_(deps_.eventClient ? *deps_.eventClient : *deps_.client, executor, "kubelet"),
      resources_(std::make_unique<ApiResources>(*deps_.client, options_, deps_.volumes)),
      runtime_(executor, *deps_.runtime, *deps_.images, options_.runtime, *resources_,
               [this](const json::object& pod, const std::string& type, const std::string& reason,
                      const std::string& message) { recordEvent(pod, type, reason, message); }),
      statuses_(*deps_.client),
      workers_(executor, *this, podworkers::PodWorkersOptions{options_.resyncInterval, options_.syncRetry}),
      relistTimer_(executor) {}

Kubelet::~Kubelet() { stop(); }

void Kubelet::handlePodUpdate(const podworkers::PodUpdate& update) {
  for (const auto& pod : update.pods) workers_.updatePod(pod, update.op);
}

void Kubelet::stop() {
  stopped_ = true;
  relistTimer_.cancel();
  workers_.stop();
}

void Kubelet::restartContainer(const std::string& podUid, const std::string& container) {
  auto pod = workers_.pod(podUid);
  auto it = pods_.find(podUid);
  if (!pod || it == pods_.end() || !it->second.lastStatus) return;
  // The running container of that name, as last reported.
  const json::value* list = it->second.lastStatus->if_contains("containerStatuses");
  if (!list || !list->is_array()) return;
  for (const auto& s : list->get_array()) {
    if (!s.is_object() || api::getString(s.get_object(), "name") != container) continue;
    std::string id(api::getString(s.get_object(), "containerID"));
    if (auto sep = id.find("://"); sep != std::string::npos) id = id.substr(sep + 3);
    if (!id.empty()) it->second.probeFailed.insert(id);
  }
  workers_.notify(podUid);
}

void Kubelet::recordEvent(const json::object& pod, const std::string& type, const std::string& reason,
                          const std::string& message) {
  json::object regarding = pod;
  regarding["kind"] = "Pod";
  regarding["apiVersion"] = "v1";
  recorder_.record(regarding, type, reason, message);
}

Awaitable<void> Kubelet::run() {
  while (!stopped_) {
    if (std::chrono::steady_clock::now() - healthCheckedAt_ >= options_.healthPeriod) co_await checkRuntimeHealth();
    co_await relistOnce();
    checkReadinessChanges();
    relistTimer_.expires_after(options_.relistPeriod);
    co_await relistTimer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  // Workers finish the step they are in (they use this object).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (workers_.live() > 0 && std::chrono::steady_clock::now() < deadline) {
    asio::steady_timer pause(executor_, std::chrono::milliseconds(10));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (workers_.live() > 0) spdlog::warn("kubelet: {} pod workers still busy at shutdown", workers_.live());
}

Awaitable<void> Kubelet::relistOnce() {
  auto listed = co_await runtime_.relist();
  if (!listed) {
    spdlog::warn("kubelet: relist: {}", listed.error().message);
    co_return;
  }
  ++relists_;
  std::map<std::string, std::string> next;
  for (const auto& [uid, summary] : *listed) {
    next[uid] = summary.fingerprint;
    auto old = fingerprints_.find(uid);
    if (old == fingerprints_.end() || old->second != summary.fingerprint) workers_.notify(uid);
    bool known = workers_.state(uid).has_value() || workers_.finished(uid);
    if (!known && sourcesReady_) {
      // No source wants this pod (deleted while the kubelet was away): stop it.
      spdlog::info("kubelet: stopping orphaned pod {}/{} ({})", summary.ns, summary.name, uid);
      json::object orphan{{"metadata", json::object{{"name", summary.name}, {"namespace", summary.ns}, {"uid", uid}}},
                          {"spec", json::object{{"terminationGracePeriodSeconds", 2}}},
                          {"status", json::object{}}};
      orphan["metadata"].as_object()["annotations"] =
          json::object{{"kubernetes.io/config.source", "orphan"}};  // never written to the API
      workers_.updatePod(orphan, podworkers::PodOperation::Remove);
    }
  }
  for (const auto& [uid, print] : fingerprints_) {
    if (!next.count(uid)) workers_.notify(uid);  // everything of it vanished
  }
  fingerprints_ = std::move(next);
}

Awaitable<void> Kubelet::checkRuntimeHealth() {
  healthCheckedAt_ = std::chrono::steady_clock::now();
  cri::v1::StatusRequest req;
  auto status = co_await deps_.runtime->status(req);
  health_.known = true;
  if (!status) {
    health_.ready = false;
    health_.message = "container runtime is down";
    co_return;
  }
  std::string runtimeError, networkError;
  bool runtimeReady = false, networkReady = false;
  auto describe = [](const cri::v1::RuntimeCondition& c) {
    return c.type() + "=" + (c.status() ? "true" : "false") + " reason:" + c.reason() + " message:" + c.message();
  };
  for (const auto& c : status->status().conditions()) {
    if (c.type() == "RuntimeReady") {
      runtimeReady = c.status();
      if (!c.status()) runtimeError = "container runtime not ready: " + describe(c);
    } else if (c.type() == "NetworkReady") {
      networkReady = c.status();
      if (!c.status()) networkError = "container runtime network not ready: " + describe(c);
    }
  }
  if (!runtimeReady && runtimeError.empty()) runtimeError = "container runtime status check may not have completed yet";
  if (!networkReady && networkError.empty()) networkError = "container runtime network not ready: NetworkReady missing";
  health_.ready = runtimeReady && networkReady;
  health_.message = runtimeError.empty() ? networkError : (networkError.empty() ? runtimeError : runtimeError + ", " + networkError);
  if (health_.version.empty()) {
    cri::v1::VersionRequest versionReq;
    auto version = co_await deps_.runtime->version(versionReq);
    if (version) health_.version = version->runtime_name() + "://" + version->runtime_version();
  }
}

void Kubelet::checkReadinessChanges() {
  if (!deps_.probes) return;
  for (auto& [uid, state] : pods_) {
    auto pod = workers_.pod(uid);
    if (!pod) continue;
    std::string seen;
    for (const json::object* c : kr::specContainers(*pod)) {
      std::string name(api::getString(*c, "name"));
      seen += name + (deps_.probes->ready(uid, name) ? "+" : "-") + (deps_.probes->started(uid, name) ? "+" : "-");
    }
    if (seen != state.readiness) {
      state.readiness = seen;
      workers_.notify(uid);
    }
  }
}

Awaitable<Result<kr::PodRuntimeStatus>> Kubelet::runtimeStatus(const json::object& pod) {
  std::string uid = uidOf(pod);
  std::string name(api::metaName(pod));
  std::string ns(api::metaNamespace(pod));
  co_return co_await runtime_.podStatus(uid, name, ns);
}

json::object Kubelet::generateStatus(const json::object& pod, const kr::PodRuntimeStatus& runtime,
                                     std::optional<kr::WaitingReason> failure, bool terminal) {
  std::string uid = uidOf(pod);
  PodState& state = pods_[uid];
  // The status as the kubelet last made it is the base (the API copy may lag
  // behind the kubelet's own writes), with conditions others own from the API.
  json::object base = pod;
  if (state.lastStatus) {
    json::object status = *state.lastStatus;
    json::array conditions;
    if (const json::value* fromApi = api::findPath(pod, "status.conditions"); fromApi && fromApi->is_array()) {
      for (const auto& c : fromApi->get_array()) {
        if (c.is_object() && !status::kubeletOwnsCondition(api::getString(c.get_object(), "type"))) conditions.push_back(c);
      }
    }
    if (const json::value* own = status.if_contains("conditions"); own && own->is_array()) {
      for (const auto& c : own->get_array()) {
        if (c.is_object() && status::kubeletOwnsCondition(api::getString(c.get_object(), "type"))) conditions.push_back(c);
      }
    }
    status["conditions"] = std::move(conditions);
    // A terminal phase the API shows (set by anyone) stays.
    std::string apiPhase = str(pod, "status.phase");
    if (isTerminalPhase(apiPhase)) status["phase"] = apiPhase;
    base["status"] = std::move(status);
  }
  status::StatusInputs in;
  in.pod = &base;
  in.runtime = &runtime;
  in.waiting = state.waiting;
  in.hostIps = options_.hostIps;
  in.now = std::chrono::system_clock::now();
  in.podFailure = std::move(failure);
  in.podTerminal = terminal;
  if (deps_.probes) {
    PodProbes* probes = deps_.probes;
    in.ready = [probes, uid](const std::string& c) { return probes->ready(uid, c); };
    in.started = [probes, uid](const std::string& c) { return probes->started(uid, c); };
  }
  json::object generated = status::generatePodStatus(in);
  state.lastStatus = generated;
  return generated;
}

Awaitable<void> Kubelet::writeStatus(const json::object& pod, const json::object& status) {
  json::object target = pod;
  if (isStaticPod(pod)) {
    std::optional<json::object> mirror;
    if (deps_.mirrorPodOf && configSource(pod) != "orphan") {
      mirror = deps_.mirrorPodOf(pod);
    }
    if (!mirror) co_return;  // nowhere to report (yet)
    target = std::move(*mirror);
  }
  auto written = co_await statuses_.setPodStatus(target, status);
  if (!written) spdlog::warn("kubelet: status of {}/{}: {}", api::metaNamespace(pod), api::metaName(pod), written.error().message);
}

void Kubelet::reportToProber(const json::object& pod, const kr::PodRuntimeStatus& runtime) {
  if (!deps_.probes) return;
  std::string uid = uidOf(pod);
  auto ips = runtime.podIps();
  std::string ip = ips.empty() ? "" : ips.front();
  const json::value* hostNetwork = api::findPath(pod, "spec.hostNetwork");
  if (hostNetwork && hostNetwork->is_bool() && hostNetwork->get_bool() && !options_.hostIps.empty()) ip = options_.hostIps.front();
  for (const char* field : {"initContainers", "containers"}) {
    for (const json::object* spec : kr::specContainers(pod, field)) {
      std::string name(api::getString(*spec, "name"));
      const kr::RuntimeContainer* c = runtime.findContainer(name);
      bool running = c && c->state == kr::ContainerState::Running;
      deps_.probes->updateContainerStatus(uid, name, c ? c->id : "", running, ip);
    }
  }
}

Awaitable<podworkers::SyncOutcome> Kubelet::syncPod(const json::object& pod) {
  podworkers::SyncOutcome outcome;
  std::string uid = uidOf(pod);
  auto runtime = co_await runtimeStatus(pod);
  if (!runtime) {
    spdlog::warn("kubelet: runtime status of {}/{}: {}", api::metaNamespace(pod), api::metaName(pod), runtime.error().message);
    outcome.retryAfter = options_.syncRetry;
    co_return outcome;
  }
  auto now = std::chrono::system_clock::now();
  PodState& state = pods_[uid];
  auto left = deadlineLeft(pod, state.lastStatus ? &*state.lastStatus : nullptr, now);
  std::optional<kr::WaitingReason> failure;
  if (left && left->count() <= 0) failure = kr::WaitingReason{"DeadlineExceeded", kDeadlineMessage};
  json::object status = generateStatus(pod, *runtime, failure, false);
  // A pod the runtime has nothing of yet reports after this sync (one write
  // less per new pod); others report what the relist found first.
  bool fresh = runtime->sandboxes.empty() && runtime->containers.empty() && !failure;
  if (!fresh) co_await writeStatus(pod, status);
  if (failure) {
    recordEvent(pod, "Normal", "DeadlineExceeded", kDeadlineMessage);
    outcome.terminal = true;
    co_return outcome;
  }
  if (isTerminalPhase(api::getString(status, "phase"))) {
    outcome.terminal = true;
    co_return outcome;
  }
  if (deps_.volumes) {
    auto mounted = co_await deps_.volumes->mountPod(pod);
    if (!mounted) {
      recordEvent(pod, "Warning", "FailedMount", "Unable to attach or mount volumes: " + mounted.error().message);
      outcome.retryAfter = options_.syncRetry;
      co_return outcome;
    }
  }
  if (deps_.probes) deps_.probes->addPod(pod);

  std::set<std::string> probeFailed = pods_[uid].probeFailed;
  kr::SyncResult result = co_await runtime_.syncPod(pod, *runtime, probeFailed);
  PodState& after = pods_[uid];
  for (const auto& id : probeFailed) after.probeFailed.erase(id);
  for (const auto& name : result.started) after.waiting.erase(name);
  for (const auto& [name, reason] : result.waiting) after.waiting[name] = reason;
  if (result.error) spdlog::warn("kubelet: sync of {}/{}: {}", api::metaNamespace(pod), api::metaName(pod), result.error->message);

  // Report what the sync did at once (pod start latency), not at the next relist.
  auto synced = co_await runtimeStatus(pod);
  if (synced) {
    json::object newStatus = generateStatus(pod, *synced, std::nullopt, false);
    co_await writeStatus(pod, newStatus);
    reportToProber(pod, *synced);
    if (isTerminalPhase(api::getString(newStatus, "phase"))) outcome.terminal = true;
  }
  if (result.error || !result.waiting.empty()) outcome.retryAfter = options_.syncRetry;
  if (left && (!outcome.retryAfter || *left < *outcome.retryAfter)) {
    outcome.retryAfter = std::max(*left, std::chrono::milliseconds(1));  // wake for the deadline
  }
  co_return outcome;
}

Awaitable<Result<void>> Kubelet::terminatePod(const json::object& pod) {
  std::string uid = uidOf(pod);
  if (deps_.probes) deps_.probes->removePod(uid);
  auto runtime = co_await runtimeStatus(pod);
  if (!runtime) co_return std::move(runtime).error();
  auto killed = co_await runtime_.killPod(pod, *runtime);
  if (!killed) co_return killed;
  auto after = co_await runtimeStatus(pod);
  if (after && configSource(pod) != "orphan") {
    std::optional<kr::WaitingReason> failure;
    auto left = deadlineLeft(pod, pods_[uid].lastStatus ? &*pods_[uid].lastStatus : nullptr, std::chrono::system_clock::now());
    if (left && left->count() <= 0) failure = kr::WaitingReason{"DeadlineExceeded", kDeadlineMessage};
    json::object status = generateStatus(pod, *after, failure, true);
    co_await writeStatus(pod, status);
  }
  co_return Result<void>{};
}

Awaitable<Result<void>> Kubelet::terminatedPod(const json::object& pod, bool gone) {
  std::string uid = uidOf(pod);
  if (gone) {
    auto runtime = co_await runtimeStatus(pod);
    if (!runtime) co_return std::move(runtime).error();
    auto removed = co_await runtime_.removePod(*runtime);
    if (!removed) co_return removed;
  }
  if (deps_.volumes) {
    auto unmounted = co_await deps_.volumes->unmountPod(uid);
    if (!unmounted) co_return unmounted;
  }
  if (gone) {
    // The API object goes last, once its containers are gone (upstream's status
    // manager deletes with grace 0 after the pod's resources are reclaimed).
    if (api::findPath(pod, "metadata.deletionTimestamp") && !isStaticPod(pod)) {
      auto deleted = co_await statuses_.deletePod(pod);
      if (!deleted) co_return deleted;
    }
    statuses_.forget(uid);
    pods_.erase(uid);
  }
  co_return Result<void>{};
}

}  // namespace kcpp::kubelet
