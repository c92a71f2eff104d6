#pragma once
// The kubelet's runtime manager (upstream kuberuntime_manager.go SyncPod,
// KillPod, GetPodStatus): drives CRI to bring one pod to its spec. Stateless
// apart from the back-offs; the pod worker serialises calls per pod.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kubelet/cri/runtime_service.h"
#include "kubelet/kuberuntime/backoff.h"
#include "kubelet/kuberuntime/env_vars.h"
#include "kubelet/kuberuntime/pod_actions.h"
#include "kubelet/kuberuntime/runtime_config.h"
#include "kubelet/kuberuntime/runtime_pod.h"

namespace kcpp::kubelet::kuberuntime {

template <class T>
using Awaitable = boost::asio::awaitable<T>;

// What starting a container needs from outside the runtime: the objects its
// environment refers to and its volume mounts.
class PodResources {
 public:
  virtual ~PodResources() = default;
  // ConfigMaps/Secrets the container refers to, the Services for its links,
  // host IPs and node allocatable. podIps are the sandbox's.
  virtual Awaitable<Result<EnvInputs>> envInputs(const json::object& pod, const json::object& container,
                                                 const std::vector<std::string>& podIps) = 0;
  virtual Result<std::vector<ContainerMount>> mounts(const json::object& pod, const std::string& container) = 0;
  // The CRI runtime handler of spec.runtimeClassName (the RuntimeClass's
  // handler); "" for the default runtime. An Error fails sandbox creation.
  virtual Awaitable<Result<std::string>> runtimeHandler(const std::string& runtimeClassName) {
    co_return runtimeClassName;
  }
  // Registry credentials for the pod's images (imagePullSecrets); none by default.
  virtual Awaitable<std::vector<v1::AuthConfig>> pullCredentials(const json::object& pod, const std::string& image) {
    (void)pod;
    (void)image;
    co_return std::vector<v1::AuthConfig>{};
  }
};

// An Event about the pod (upstream records them on the pod with the
// container's fieldPath; kcpp puts the container in the message).
using EventSink = std::function<void(const json::object& pod, const std::string& type, const std::string& reason,
                                     const std::string& message)>;

struct SyncResult {
  // Containers that should run and do not, with why (the reason cache):
  // CrashLoopBackOff, ErrImagePull, ImagePullBackOff, ErrImageNeverPull,
  // CreateContainerConfigError, CreateContainerError, RunContainerError,
  // PostStartHookError.
  std::map<std::string, WaitingReason> waiting;
  std::set<std::string> started;  // containers (re)started by this sync
  std::optional<Error> error;     // the sync could not finish (e.g. sandbox creation failed)
};

class RuntimeManager {
 public:
  RuntimeManager(boost::asio::any_io_executor executor, cri::RuntimeService& runtime, cri::ImageService& images,
                 RuntimeOptions options, PodResources& resources, EventSink events);

  // What the runtime holds for one pod (GetPodStatus).
  Awaitable<Result<PodRuntimeStatus>> podStatus(const std::string& uid, const std::string& name, const std::string& ns);
  // Every kcpp pod in the runtime, by uid, from two List calls (the relist).
  struct PodSummary {
    std::string name, ns;
    std::string fingerprint;  // changes whenever a sandbox or container changes state
  };
  Awaitable<Result<std::map<std::string, PodSummary>>> relist();

  // SyncPod. `probeFailed`: ids of containers the prober wants restarted.
  Awaitable<SyncResult> syncPod(const json::object& pod, const PodRuntimeStatus& status,
                                const std::set<std::string>& probeFailed = {});

  // KillPod: stops every running container (preStop hooks, then StopContainer
  // with the grace period) and then the sandboxes.
  Awaitable<Result<void>> killPod(const json::object& pod, const PodRuntimeStatus& status,
                                  std::optional<std::int64_t> gracePeriodOverride = std::nullopt);
  // Removes the stopped pod's containers and sandboxes (after termination).
  Awaitable<Result<void>> removePod(const PodRuntimeStatus& status);

  Backoff& crashBackoff() { return crashBackoff_; }
  const RuntimeOptions& options() const { return options_; }

 private:
  Awaitable<Result<void>> killContainer(const json::object& pod, const RuntimeContainer& container,
                                        const std::string& message, std::optional<std::int64_t> gracePeriodOverride);
  Awaitable<std::optional<WaitingReason>> startContainer(const json::object& pod, const json::object& container,
                                                         const PodRuntimeStatus& status, const std::string& sandboxId,
                                                         const v1::PodSandboxConfig& sandboxConfig,
                                                         const std::vector<std::string>& podIps);
  Awaitable<Result<std::string>> ensureImage(const json::object& pod, const json::object& container,
                                             std::optional<WaitingReason>& waiting);
  Awaitable<Result<std::string>> createSandbox(const json::object& pod, int attempt, v1::PodSandboxConfig& config);
  // Runs a lifecycle handler (exec or httpGet); an error message when it failed.
  Awaitable<std::optional<std::string>> runHook(const json::object& pod, const json::object& container,
                                                const std::string& containerId, const json::object& handler,
                                                std::int64_t timeoutSeconds);
  void event(const json::object& pod, const char* type, const char* reason, const std::string& message) const {
    if (events_) events_(pod, type, reason, message);
  }

  boost::asio::any_io_executor executor_;
  cri::RuntimeService& runtime_;
  cri::ImageService& images_;
  RuntimeOptions options_;
  ResolvConf hostResolv_;
  PodResources& resources_;
  EventSink events_;
  Backoff crashBackoff_;
  Backoff pullBackoff_;
};

// A container's sandbox/log directories made before CreateContainer.
std::string terminationMessageFile(const RuntimeOptions& options, const std::string& podUid,
                                   const std::string& container, int restartCount);

}  // namespace kcpp::kubelet::kuberuntime
