#pragma once
// What must happen to bring a pod's runtime state to its spec: upstream's
// computePodActions (kuberuntime_manager.go) with podSandboxChanged,
// findNextInitContainerToRun and ShouldContainerBeRestarted, plus the
// CrashLoopBackOff check made before each (re)start (doBackOff).

#include <boost/json.hpp>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kubelet/kuberuntime/backoff.h"
#include "kubelet/kuberuntime/runtime_pod.h"

namespace kcpp::kubelet::kuberuntime {

namespace json = boost::json;

struct ContainerToKill {
  std::string id;
  std::string name;
  std::string message;  // e.g. "Container app definition changed, will be restarted"
  std::string reason;   // "", "Unhealthy" (liveness/startup), "Unknown"
};

struct PodActions {
  bool killPod = false;
  bool createSandbox = false;
  std::string sandboxId;  // the sandbox to keep (or the one being replaced)
  int attempt = 0;        // of the sandbox to create
  std::optional<std::size_t> nextInitContainer;  // index in spec.initContainers
  std::vector<std::size_t> containersToStart;    // indices in spec.containers
  std::vector<ContainerToKill> containersToKill;
};

// "Always", "OnFailure" or "Never" (the API default is Always).
std::string restartPolicy(const json::object& pod);

// The containers of spec.containers / spec.initContainers as objects.
std::vector<const json::object*> specContainers(const json::object& pod, const char* field = "containers");

// `probeFailed`: ids of running containers whose liveness or startup probe
// failed past its threshold (the prober asks for a restart).
PodActions computePodActions(const json::object& pod, const PodRuntimeStatus& status,
                             const std::set<std::string>& probeFailed = {});

// podSandboxChanged: whether the pod needs a new sandbox (its status shows
// PodReadyToStartContainers False until one exists with networking).
bool sandboxNeedsReplacing(const json::object& pod, const PodRuntimeStatus& status);

// Whether the container should run again (ShouldContainerBeRestarted).
bool shouldContainerBeRestarted(const json::object& pod, const json::object& container, const PodRuntimeStatus& status);

// format.Pod: "name_namespace(uid)".
std::string formatPod(const json::object& pod);
// Go's time.Duration.String() for whole milliseconds ("10s", "1m20s", "5m0s").
std::string goDuration(std::chrono::milliseconds d);

// doBackOff: when the container's last exit is still inside its back-off, the
// waiting message ("back-off 20s restarting failed container=app
// pod=web_default(uid)"); otherwise records the restart in `backoff` and
// returns nullopt.
std::optional<std::string> checkBackoff(const json::object& pod, const json::object& container,
                                        const PodRuntimeStatus& status, Backoff& backoff,
                                        Backoff::Clock::time_point now);

}  // namespace kcpp::kubelet::kuberuntime
