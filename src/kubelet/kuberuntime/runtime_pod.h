#pragma once
// What the container runtime holds for one pod, independent of CRI's wire types
// (upstream's kubecontainer.PodStatus): the sandboxes and containers found by
// listing the runtime, newest first. The pod actions and the API status are
// computed from this; kuberuntime/cri_convert.* fills it from CRI answers.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kcpp::kubelet::kuberuntime {

using SystemTime = std::chrono::system_clock::time_point;

// Labels and annotations kcpp puts on CRI objects, named as upstream's
// (pkg/kubelet/types/labels.go and kuberuntime/labels.go), so tools that read
// them (crictl, upstream kubelets adopting pods) understand them.
inline constexpr const char* kPodNameLabel = "io.kubernetes.pod.name";
inline constexpr const char* kPodNamespaceLabel = "io.kubernetes.pod.namespace";
inline constexpr const char* kPodUidLabel = "io.kubernetes.pod.uid";
inline constexpr const char* kContainerNameLabel = "io.kubernetes.container.name";
inline constexpr const char* kContainerTypeLabel = "io.kubernetes.container.type";  // not upstream: "init" or "regular"
inline constexpr const char* kContainerHashAnnotation = "io.kubernetes.container.hash";
inline constexpr const char* kRestartCountAnnotation = "io.kubernetes.container.restartCount";
inline constexpr const char* kTerminationMessagePathAnnotation = "io.kubernetes.container.terminationMessagePath";
inline constexpr const char* kTerminationMessagePolicyAnnotation = "io.kubernetes.container.terminationMessagePolicy";
inline constexpr const char* kGracePeriodAnnotation = "io.kubernetes.pod.terminationGracePeriod";
inline constexpr const char* kPreStopHandlerAnnotation = "io.kubernetes.container.preStopHandler";
inline constexpr const char* kKubernetesManagedLabel = "io.kubernetes.managed";  // not upstream: marks kcpp's objects

// Why a container is not running although it should (upstream's reasonCache):
// "CrashLoopBackOff", "CreateContainerConfigError", "ErrImagePull", ...
struct WaitingReason {
  std::string reason;
  std::string message;
};

enum class ContainerState { Created, Running, Exited, Unknown };

struct RuntimeContainer {
  std::string id;  // the runtime's id, without the "containerd://" scheme
  std::string name;
  std::string sandboxId;
  ContainerState state = ContainerState::Unknown;
  std::optional<SystemTime> createdAt;
  std::optional<SystemTime> startedAt;
  std::optional<SystemTime> finishedAt;
  int exitCode = 0;
  std::string image;     // as the runtime names it
  std::string imageRef;  // the image id (digest) the runtime ran
  std::string hash;      // the spec hash it was created from (annotation)
  int restartCount = 0;  // from the annotation written at creation
  std::string reason;    // the runtime's ("OOMKilled", "Completed", "Error")
  std::string message;   // termination message, when the runtime read one
};

struct RuntimeSandbox {
  std::string id;
  bool ready = false;  // SANDBOX_READY
  int attempt = 0;
  std::optional<SystemTime> createdAt;
  std::string ip;                 // primary pod IP ("" with host networking)
  std::vector<std::string> ips;   // all pod IPs
  bool hostNetwork = false;       // namespace mode NODE
};

struct PodRuntimeStatus {
  std::string uid;
  std::string name;
  std::string ns;
  std::vector<RuntimeSandbox> sandboxes;     // newest first
  std::vector<RuntimeContainer> containers;  // newest first

  // The newest container of that name (upstream FindContainerStatusByName).
  const RuntimeContainer* findContainer(const std::string& name) const {
    for (const auto& c : containers) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
  const RuntimeSandbox* newestSandbox() const { return sandboxes.empty() ? nullptr : &sandboxes.front(); }
  // The pod IPs of the newest ready sandbox.
  std::vector<std::string> podIps() const {
    const RuntimeSandbox* s = newestSandbox();
    if (!s || !s->ready) return {};
    if (!s->ips.empty()) return s->ips;
    if (!s->ip.empty()) return {s->ip};
    return {};
  }
};

}  // namespace kcpp::kubelet::kuberuntime
