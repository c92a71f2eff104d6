#pragma once
// How the kubelet gets its container runtime: the options the kubelet/agent
// command fills from its flags, and where a kcpp-managed containerd keeps its
// files (k3s's layout under <data-dir>/agent/).

#include <chrono>
#include <string>

namespace kcpp::kubelet::containerd {

struct RuntimeOptions {
  // --container-runtime-endpoint: when set, kcpp starts no containerd and the
  // kubelet talks to this CRI socket (unix:///path or /path).
  std::string containerRuntimeEndpoint;
  // --data-dir (kcpp's); the runtime's files live under <dataDir>/agent/.
  std::string dataDir;

  std::string containerdBinary = "containerd";  // looked up in PATH
  std::string sandboxImage = "docker.io/kcpp/pause:3.9";
  std::string cniBinDir = "/usr/lib/cni";        // Debian's containernetworking-plugins
  std::string cniConfDir;                        // empty: <dataDir>/agent/etc/cni/net.d
  std::string defaultRuntime = "runc";           // crun stays selectable by RuntimeClass handler "crun"
  bool debugLog = false;                         // containerd --log-level debug

  std::chrono::milliseconds startTimeout{std::chrono::seconds(30)};  // until its socket answers
  std::chrono::milliseconds stopGrace{std::chrono::seconds(10)};     // SIGTERM → SIGKILL
  std::chrono::milliseconds restartBackoff{std::chrono::milliseconds(500)};     // first restart delay
  std::chrono::milliseconds maxRestartBackoff{std::chrono::seconds(30)};        // doubling up to this
};

// Where a kcpp-managed containerd keeps its files.
struct ContainerdPaths {
  std::string root;        // <data>/agent/containerd (images, snapshots, metadata)
  std::string state;       // <data>/agent/run/containerd (sockets, task state, netns mounts)
  std::string config;      // <root>/config.toml (written at each start)
  std::string socket;      // <state>/containerd.sock
  std::string log;         // <root>/containerd.log (stdout+stderr, appended)
  std::string pidFile;     // <state>/containerd.pid (a survivor of a crashed kcpp is stopped)
  std::string cniConfDir;  // <data>/agent/etc/cni/net.d unless set
};

ContainerdPaths containerdPaths(const RuntimeOptions& options);

// The version-2 containerd config for these options and paths.
std::string containerdConfigToml(const RuntimeOptions& options, const ContainerdPaths& paths);

}  // namespace kcpp::kubelet::containerd
