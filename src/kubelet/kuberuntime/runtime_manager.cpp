#include "kubelet/kuberuntime/runtime_manager.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/meta/object.h"
#include "kubelet/kuberuntime/cri_convert.h"

namespace kcpp::kubelet::kuberuntime {

namespace {

std::string str(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const char* kNormal = "Normal";
const char* kWarning = "Warning";

std::string containerName(const json::object& c) { return std::string(api::getString(c, "name")); }

}  // namespace

std::string terminationMessageFile(const RuntimeOptions& options, const std::string& podUid,
                                   const std::string& container, int restartCount) {
  return options.dataDir + "/pods/" + podUid + "/containers/" + container + "/" + std::to_string(restartCount);
}

RuntimeManager::RuntimeManager(boost::asio::any_io_executor executor, cri::RuntimeService& runtime,
                               cri::ImageService& images, RuntimeOptions options, PodResources& resources,
                               EventSink events)
    : executor_(std::move(executor)),
      runtime_(runtime),
      images_(images),
      options_(std::move(options)),
      resources_(resources),
      events_(std::move(events)),
      crashBackoff_(options_.crashBackoffInitial, options_.crashBackoffMax) {
  if (!options_.resolvConf.empty()) hostResolv_ = parseResolvConf(readText(options_.resolvConf));
}

Awaitable<Result<PodRuntimeStatus>> RuntimeManager::podStatus(const std::string& uid, const std::string& name,
                                                              const std::string& ns) {
  PodRuntimeStatus out;
  out.uid = uid;
  out.name = name;
  out.ns = ns;
  v1::ListPodSandboxRequest listSandboxes;
  (*listSandboxes.mutable_filter()->mutable_label_selector())[kPodUidLabel] = uid;
  auto sandboxes = co_await runtime_.listPodSandbox(listSandboxes);
  if (!sandboxes) co_return std::move(sandboxes).error();
  for (const auto& item : sandboxes->items()) {
    v1::PodSandboxStatusRequest req;
    req.set_pod_sandbox_id(item.id());
    auto status = co_await runtime_.podSandboxStatus(req);
    if (!status) {
      if (status.error().reason == Reason::NotFound) continue;  // removed meanwhile
      co_return std::move(status).error();
    }
    out.sandboxes.push_back(toRuntimeSandbox(status->status()));
  }
  v1::ListContainersRequest listContainers;
  (*listContainers.mutable_filter()->mutable_label_selector())[kPodUidLabel] = uid;
  auto containers = co_await runtime_.listContainers(listContainers);
  if (!containers) co_return std::move(containers).error();
  for (const auto& item : containers->containers()) {
    v1::ContainerStatusRequest req;
    req.set_container_id(item.id());
    auto status = co_await runtime_.containerStatus(req);
    if (!status) {
      if (status.error().reason == Reason::NotFound) continue;
      co_return std::move(status).error();
    }
    RuntimeContainer c = toRuntimeContainer(status->status());
    c.sandboxId = item.pod_sandbox_id();
    out.containers.push_back(std::move(c));
  }
  sortNewestFirst(out);
  co_return out;
}

Awaitable<Result<std::map<std::string, RuntimeManager::PodSummary>>> RuntimeManager::relist() {
  std::map<std::string, PodSummary> pods;
  v1::ListPodSandboxRequest listSandboxes;
  auto sandboxes = co_await runtime_.listPodSandbox(listSandboxes);
  if (!sandboxes) co_return std::move(sandboxes).error();
  for (const auto& s : sandboxes->items()) {
    auto uid = s.labels().find(kPodUidLabel);
    if (uid == s.labels().end()) continue;  // not a kubelet's sandbox
    PodSummary& p = pods[uid->second];
    p.name = s.metadata().name();
    p.ns = s.metadata().namespace_();
    p.fingerprint += "s:" + s.id() + "=" + std::to_string(s.state()) + ";";
  }
  v1::ListContainersRequest listContainers;
  auto containers = co_await runtime_.listContainers(listContainers);
  if (!containers) co_return std::move(containers).error();
  for (const auto& c : containers->containers()) {
    auto uid = c.labels().find(kPodUidLabel);
    if (uid == c.labels().end()) continue;
    PodSummary& p = pods[uid->second];
    if (p.name.empty()) {
      auto name = c.labels().find(kPodNameLabel);
      auto ns = c.labels().find(kPodNamespaceLabel);
      if (name != c.labels().end()) p.name = name->second;
      if (ns != c.labels().end()) p.ns = ns->second;
    }
    p.fingerprint += "c:" + c.id() + "=" + std::to_string(c.state()) + ";";
  }
  co_return pods;
}

Awaitable<Result<std::string>> RuntimeManager::createSandbox(const json::object& pod, int attempt,
                                                            v1::PodSandboxConfig& config) {
  config = makeSandboxConfig(pod, attempt, options_, hostResolv_);
  std::error_code ec;
  std::filesystem::create_directories(config.log_directory(), ec);  // the runtime writes container logs there
  v1::RunPodSandboxRequest req;
  *req.mutable_config() = config;
  std::string runtimeClass = str(pod, "spec.runtimeClassName");
  if (!runtimeClass.empty()) {
    auto handler = co_await resources_.runtimeHandler(runtimeClass);
    if (!handler) {
      event(pod, kWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + handler.error().message);
      co_return std::move(handler).error();
    }
    req.set_runtime_handler(*handler);
  }
  auto ran = co_await runtime_.runPodSandbox(req);
  if (!ran) {
    event(pod, kWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + ran.error().message);
    co_return std::move(ran).error();
  }
  co_return ran->pod_sandbox_id();
}

Awaitable<SyncResult> RuntimeManager::syncPod(const json::object& pod, const PodRuntimeStatus& status,
                                              const std::set<std::string>& probeFailed) {
  SyncResult result;
  PodActions actions = computePodActions(pod, status, probeFailed);
  if (actions.createSandbox && !actions.sandboxId.empty()) {
    event(pod, kNormal, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
  }
  if (actions.killPod) {
    auto killed = co_await killPod(pod, status);
    if (!killed) {
      result.error = killed.error();
      co_return result;
    }
    if (!actions.createSandbox) co_return result;
  } else {
    for (const auto& kill : actions.containersToKill) {
      const RuntimeContainer* c = nullptr;
      for (const auto& rc : status.containers) {
        if (rc.id == kill.id) c = &rc;
      }
      if (!c) continue;
      std::optional<std::int64_t> noOverride;  // named: GCC 12 co_await temporaries
      auto killed = co_await killContainer(pod, *c, kill.message, noOverride);
      if (!killed) {
        result.error = killed.error();
        co_return result;
      }
    }
  }

  std::string sandboxId = actions.sandboxId;
  std::vector<std::string> podIps = status.podIps();
  v1::PodSandboxConfig sandboxConfig;
  if (actions.createSandbox) {
    auto created = co_await createSandbox(pod, actions.attempt, sandboxConfig);
    if (!created) {
      result.error = created.error();
      co_return result;
    }
    sandboxId = *created;
    v1::PodSandboxStatusRequest req;
    req.set_pod_sandbox_id(sandboxId);
    auto sandbox = co_await runtime_.podSandboxStatus(req);
    if (!sandbox) {
      result.error = sandbox.error();
      co_return result;
    }
    podIps = toRuntimeSandbox(sandbox->status()).ips;
  } else {
    const RuntimeSandbox* newest = status.newestSandbox();
    sandboxConfig = makeSandboxConfig(pod, newest ? newest->attempt : 0, options_, hostResolv_);
  }

  // A fresh sandbox starts with no containers of its own: sync against that.
  PodRuntimeStatus current = status;
  if (actions.createSandbox) {
    std::erase_if(current.containers, [&](const RuntimeContainer& c) {
      return c.state == ContainerState::Running || c.state == ContainerState::Created;
    });
  }
  auto start = [&](const json::object& container) -> Awaitable<void> {
    std::string name = containerName(container);
    auto waiting = co_await startContainer(pod, container, current, sandboxId, sandboxConfig, podIps);
    if (waiting) {
      result.waiting[name] = *waiting;
    } else {
      result.started.insert(name);
    }
  };
  if (actions.nextInitContainer) {
    auto inits = specContainers(pod, "initContainers");
    co_await start(*inits[*actions.nextInitContainer]);
    co_return result;
  }
  auto containers = specContainers(pod);
  for (std::size_t index : actions.containersToStart) co_await start(*containers[index]);
  co_return result;
}

Awaitable<std::optional<WaitingReason>> RuntimeManager::startContainer(const json::object& pod,
                                                                       const json::object& container,
                                                                       const PodRuntimeStatus& status,
                                                                       const std::string& sandboxId,
                                                                       const v1::PodSandboxConfig& sandboxConfig,
                                                                       const std::vector<std::string>& podIps) {
  std::string name = containerName(container);
  auto now = Backoff::Clock::now();
  if (auto message = checkBackoff(pod, container, status, crashBackoff_, now)) {
    event(pod, kWarning, "BackOff", "Back-off restarting failed container " + name + " in pod " + formatPod(pod));
    co_return WaitingReason{"CrashLoopBackOff", *message};
  }
  std::optional<WaitingReason> waiting;
  auto imageRef = co_await ensureImage(pod, container, waiting);
  if (!imageRef) co_return waiting;

  ContainerInputs inputs;
  const RuntimeContainer* previous = status.findContainer(name);
  inputs.restartCount = previous ? previous->restartCount + 1 : 0;
  inputs.imageRef = *imageRef;
  auto envInputs = co_await resources_.envInputs(pod, container, podIps);
  if (!envInputs) {
    event(pod, kWarning, "Failed", "Error: " + envInputs.error().message);
    co_return WaitingReason{"CreateContainerConfigError", envInputs.error().message};
  }
  auto env = makeEnvironment(pod, container, *envInputs);
  if (!env) {
    event(pod, kWarning, "Failed", "Error: " + env.error().message);
    co_return WaitingReason{"CreateContainerConfigError", env.error().message};
  }
  for (const auto& warning : env->warnings) event(pod, kWarning, "InvalidEnvironmentVariableNames", warning);
  inputs.env = std::move(env->env);
  auto mounts = resources_.mounts(pod, name);
  if (!mounts) {
    event(pod, kWarning, "Failed", "Error: " + mounts.error().message);
    co_return WaitingReason{"CreateContainerConfigError", mounts.error().message};
  }
  inputs.mounts = std::move(*mounts);
  std::string uid = str(pod, "metadata.uid");
  if (!podIps.empty() && wantsManagedEtcHosts(pod, container)) {
    std::string hostsFile = options_.dataDir + "/pods/" + uid + "/etc-hosts";
    std::error_code mkdirError;
    std::filesystem::create_directories(std::filesystem::path(hostsFile).parent_path(), mkdirError);
    std::ofstream hosts(hostsFile, std::ios::trunc);
    hosts << etcHostsContent(pod, podIps, options_);
    if (hosts.good()) inputs.mounts.push_back(ContainerMount{"/etc/hosts", hostsFile, false, ""});
  }
  std::string messageFile = terminationMessageFile(options_, uid, name, inputs.restartCount);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(messageFile).parent_path(), ec);
  if (!ec) {
    std::ofstream touch(messageFile, std::ios::trunc);
    if (touch) inputs.terminationMessageHostPath = messageFile;
  }
  std::filesystem::create_directories(sandboxConfig.log_directory() + "/" + name, ec);

  v1::CreateContainerRequest create;
  create.set_pod_sandbox_id(sandboxId);
  *create.mutable_config() = makeContainerConfig(pod, container, inputs, options_);
  *create.mutable_sandbox_config() = sandboxConfig;
  auto created = co_await runtime_.createContainer(create);
  if (!created) {
    event(pod, kWarning, "Failed", "Error: " + created.error().message);
    co_return WaitingReason{"CreateContainerError", created.error().message};
  }
  event(pod, kNormal, "Created", "Created container " + name);
  v1::StartContainerRequest startReq;
  startReq.set_container_id(created->container_id());
  auto started = co_await runtime_.startContainer(startReq);
  if (!started) {
    event(pod, kWarning, "Failed", "Error: " + started.error().message);
    co_return WaitingReason{"RunContainerError", started.error().message};
  }
  event(pod, kNormal, "Started", "Started container " + name);

  const json::object* lifecycle = api::findObject(container, "lifecycle");
  const json::object* postStart = lifecycle ? api::findObject(*lifecycle, "postStart") : nullptr;
  if (postStart) {
    const std::string id = created->container_id();
    const std::int64_t grace = podGracePeriod(pod);
    auto failure = co_await runHook(pod, container, id, *postStart, grace);
    if (failure) {
      event(pod, kWarning, "FailedPostStartHook", *failure);
      RuntimeContainer running;
      running.id = created->container_id();
      running.name = name;
      running.state = ContainerState::Running;
      const std::string message = "FailedPostStartHook";  // named: GCC 12 co_await temporaries
      std::optional<std::int64_t> noOverride;
      auto killed = co_await killContainer(pod, running, message, noOverride);
      if (!killed) spdlog::warn("kubelet: killing {} after its postStart hook failed: {}", name, killed.error().message);
      co_return WaitingReason{"PostStartHookError", *failure};
    }
  }
  co_return std::nullopt;
}

Awaitable<Result<std::string>> RuntimeManager::ensureImage(const json::object& pod, const json::object& container,
                                                           std::optional<WaitingReason>& waiting) {
  std::string image(api::getString(container, "image"));
  std::string policy(api::getString(container, "imagePullPolicy"));
  if (policy.empty()) {
    auto slash = image.rfind('/');
    auto colon = image.rfind(':');
    bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
    bool latest = !tagged || image.substr(colon + 1) == "latest";
    policy = image.find('@') == std::string::npos && latest ? "Always" : "IfNotPresent";
  }
  v1::ImageStatusRequest statusReq;
  statusReq.mutable_image()->set_image(image);
  auto present = co_await images_.imageStatus(statusReq);
  if (!present) {
    waiting = WaitingReason{"ErrImageInspect", "Failed to inspect image \"" + image + "\": " + present.error().message};
    event(pod, kWarning, "InspectFailed", waiting->message);
    co_return std::move(present).error();
  }
  bool have = present->has_image();
  if (have && policy != "Always") {
    event(pod, kNormal, "Pulled", "Container image \"" + image + "\" already present on machine");
    co_return present->image().id();
  }
  if (policy == "Never") {
    waiting = WaitingReason{"ErrImageNeverPull",
                            "Container image \"" + image + "\" is not present with pull policy of Never"};
    event(pod, kWarning, "ErrImageNeverPull", waiting->message);
    co_return makeError(Reason::NotFound, waiting->message);
  }
  std::string key = str(pod, "metadata.uid") + "_" + image;
  auto now = Backoff::Clock::now();
  if (pullBackoff_.inBackOffSince(key, now, now)) {
    waiting = WaitingReason{"ImagePullBackOff", "Back-off pulling image \"" + image + "\""};
    event(pod, kNormal, "BackOff", waiting->message);
    co_return makeError(Reason::ServiceUnavailable, waiting->message);
  }
  event(pod, kNormal, "Pulling", "Pulling image \"" + image + "\"");
  auto credentials = co_await resources_.pullCredentials(pod, image);
  if (credentials.empty()) credentials.emplace_back();
  auto began = std::chrono::steady_clock::now();
  Result<v1::PullImageResponse> pulled = makeError(Reason::InternalError, "no pull attempted");
  for (const auto& auth : credentials) {
    v1::PullImageRequest pull;
    pull.mutable_image()->set_image(image);
    if (auth.ByteSizeLong() > 0) *pull.mutable_auth() = auth;
    pulled = co_await images_.pullImage(pull);
    if (pulled) break;
  }
  if (!pulled) {
    pullBackoff_.next(key, now);
    waiting = WaitingReason{"ErrImagePull", pulled.error().message};
    event(pod, kWarning, "Failed", "Failed to pull image \"" + image + "\": " + pulled.error().message);
    co_return std::move(pulled).error();
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
  event(pod, kNormal, "Pulled", "Successfully pulled image \"" + image + "\" in " + goDuration(took));
  co_return pulled->image_ref();
}

}  // namespace kcpp::kubelet::kuberuntime
