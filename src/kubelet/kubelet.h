#pragma once
// The Kubelet: runs the pods bound to this node through CRI (upstream's
// pkg/kubelet/kubelet.go syncPod / SyncTerminatingPod / SyncTerminatedPod and
// the PLEG relist). It wires, with explicit dependencies,
//
//   pod updates (pod sources) → PodWorkers → RuntimeManager (CRI)
//                                         → StatusManager (pods/status)
//   PodVolumes (VolumeManager), PodProbes (ProberManager)
//
// and relists the runtime every second, waking the worker of any pod whose
// sandboxes or containers changed state, and stopping pods the runtime holds
// that no source wants (once the sources have delivered their first sets, so
// a restarted kubelet adopts its running pods instead).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/rest/rest_client.h"
#include "controllers/common/event_recorder.h"
#include "kubelet/cri/runtime_service.h"
#include "kubelet/kuberuntime/runtime_manager.h"
#include "kubelet/podworkers/pod_workers.h"
#include "kubelet/status/pod_status.h"
#include "kubelet/status/status_manager.h"

namespace kcpp::kubelet {

namespace json = boost::json;
template <class T>
using Awaitable = boost::asio::awaitable<T>;

// The VolumeManager as the Kubelet uses it (see VolumeManagerAdapter).
class PodVolumes {
 public:
  virtual ~PodVolumes() = default;
  virtual Awaitable<Result<void>> mountPod(const json::object& pod) = 0;
  virtual Result<std::vector<kuberuntime::ContainerMount>> mountsFor(const json::object& pod,
                                                                      const std::string& container) const = 0;
  virtual Awaitable<Result<void>> unmountPod(const std::string& podUid) = 0;
};

// Any class with the contract's VolumeManager methods (volumes::VolumeManager).
template <class VolumeManager>
class VolumeManagerAdapter : public PodVolumes {
 public:
  explicit VolumeManagerAdapter(VolumeManager& volumes) : volumes_(volumes) {}
  Awaitable<Result<void>> mountPod(const json::object& pod) override { return volumes_.mountPod(pod); }
  Result<std::vector<kuberuntime::ContainerMount>> mountsFor(const json::object& pod,
                                                              const std::string& container) const override {
    auto mounts = volumes_.mountsFor(pod, container);
    if (!mounts) return mounts.error();
    std::vector<kuberuntime::ContainerMount> out;
    for (const auto& m : *mounts) out.push_back({m.containerPath, m.hostPath, m.readOnly, m.propagation});
    return out;
  }
  Awaitable<Result<void>> unmountPod(const std::string& podUid) override { return volumes_.unmountPod(podUid); }

 private:
  VolumeManager& volumes_;
};

// The ProberManager as the Kubelet uses it (see ProberManagerAdapter). Without
// one, running containers are ready and started.
class PodProbes {
 public:
  virtual ~PodProbes() = default;
  virtual void addPod(const json::object& pod) = 0;
  virtual void removePod(const std::string& podUid) = 0;
  virtual void updateContainerStatus(const std::string& podUid, const std::string& container,
                                     const std::string& containerId, bool running, const std::string& podIp) = 0;
  virtual bool ready(const std::string& podUid, const std::string& container) const = 0;
  virtual bool started(const std::string& podUid, const std::string& container) const = 0;
};

template <class ProberManager>
class ProberManagerAdapter : public PodProbes {
 public:
  explicit ProberManagerAdapter(ProberManager& probes) : probes_(probes) {}
  void addPod(const json::object& pod) override { probes_.addPod(pod); }
  void removePod(const std::string& podUid) override { probes_.removePod(podUid); }
  void updateContainerStatus(const std::string& podUid, const std::string& container, const std::string& containerId,
                             bool running, const std::string& podIp) override {
    probes_.updateContainerStatus(podUid, container, containerId, running, podIp);
  }
  bool ready(const std::string& podUid, const std::string& container) const override {
    return probes_.ready(podUid, container);
  }
  bool started(const std::string& podUid, const std::string& container) const override {
    return probes_.started(podUid, container);
  }

 private:
  ProberManager& probes_;
};

// What the node's Ready condition needs from the runtime (upstream's
// runtimeState): errors as upstream words them, and the runtime's version for
// nodeInfo.containerRuntimeVersion ("containerd://1.6.20").
struct RuntimeHealth {
  bool known = false;          // a Status call answered at least once
  bool ready = false;          // RuntimeReady and NetworkReady
  std::string message;         // why not ready ("container runtime is down", ...)
  std::string version;         // "<runtime_name>://<runtime_version>"
};

struct KubeletOptions {
  std::string nodeName;
  std::vector<std::string> hostIps;  // status.hostIP(s), env status.hostIP
  kuberuntime::RuntimeOptions runtime;
  std::chrono::milliseconds relistPeriod{std::chrono::seconds(1)};
  std::chrono::milliseconds resyncInterval{std::chrono::seconds(10)};
  std::chrono::milliseconds syncRetry{std::chrono::seconds(1)};  // after errors and inside back-offs
  // How long a namespace's Service list serves service-link variables
  // (upstream reads them from an informer; kcpp lists them, briefly cached).
  std::chrono::milliseconds serviceCacheTtl{std::chrono::seconds(2)};
  std::chrono::milliseconds healthPeriod{std::chrono::seconds(5)};  // CRI Status/Version
};

struct KubeletDeps {
  client::RestClient* client = nullptr;  // required: status, ConfigMaps/Secrets/Services
  // Events go through their own client (upstream's separate eventRecordQPS) so
  // they never queue status writes behind them; unset: `client`.
  client::RestClient* eventClient = nullptr;
  cri::RuntimeService* runtime = nullptr;
  cri::ImageService* images = nullptr;
  PodVolumes* volumes = nullptr;  // optional: no volumes
  PodProbes* probes = nullptr;    // optional: no probes
  // The API mirror pod a static pod's status goes to; unset: static pods
  // report no status.
  std::function<std::optional<json::object>(const json::object& staticPod)> mirrorPodOf;
};

class Kubelet : private podworkers::PodSyncer {
 public:
  Kubelet(boost::asio::any_io_executor executor, KubeletOptions options, KubeletDeps deps);
  ~Kubelet() override;

  // A pod update from the pod sources (config::PodUpdateHandler's method).
  void handlePodUpdate(const podworkers::PodUpdate& update);
  // The sources delivered their first full sets: pods the runtime holds that
  // none of them wants are orphans from now on.
  void setSourcesReady() { sourcesReady_ = true; }

  // The relist loop, until stop(); returns once the pod workers have ended
  // (at most 10 s after stop(): a step stopping a pod may still run then, so
  // the owner keeps the Kubelet until its io_context stops).
  Awaitable<void> run();
  void stop();

  // The prober's RestartHook: the container failed its liveness/startup probe.
  void restartContainer(const std::string& podUid, const std::string& container);

  podworkers::PodWorkers& workers() { return workers_; }
  kuberuntime::RuntimeManager& runtimeManager() { return runtime_; }
  status::StatusManager& statusManager() { return statuses_; }
  std::size_t relists() const { return relists_; }
  const RuntimeHealth& runtimeHealth() const { return health_; }

 private:
  class ApiResources;
  struct PodState {
    std::map<std::string, kuberuntime::WaitingReason> waiting;  // the reason cache
    std::set<std::string> probeFailed;                           // container ids to restart
    std::optional<json::object> lastStatus;                      // as last generated
    std::string readiness;                                       // prober results seen last
  };

  Awaitable<podworkers::SyncOutcome> syncPod(const json::object& pod) override;
  Awaitable<Result<void>> terminatePod(const json::object& pod) override;
  Awaitable<Result<void>> terminatedPod(const json::object& pod, bool gone) override;

  Awaitable<Result<kuberuntime::PodRuntimeStatus>> runtimeStatus(const json::object& pod);
  json::object generateStatus(const json::object& pod, const kuberuntime::PodRuntimeStatus& runtime,
                              std::optional<kuberuntime::WaitingReason> failure, bool terminal);
  Awaitable<void> writeStatus(const json::object& pod, const json::object& status);
  void reportToProber(const json::object& pod, const kuberuntime::PodRuntimeStatus& runtime);
  Awaitable<void> relistOnce();
  Awaitable<void> checkRuntimeHealth();
  void checkReadinessChanges();
  void recordEvent(const json::object& pod, const std::string& type, const std::string& reason,
                   const std::string& message);

  boost::asio::any_io_executor executor_;
  KubeletOptions options_;
  KubeletDeps deps_;
  controllers::EventRecorder recorder_;
  std::unique_ptr<ApiResources> resources_;
  kuberuntime::RuntimeManager runtime_;
  status::StatusManager statuses_;
  podworkers::PodWorkers workers_;
  std::map<std::string, PodState> pods_;               // by uid
  std::map<std::string, std::string> fingerprints_;    // relist: uid → runtime state
  bool sourcesReady_ = false;
  bool stopped_ = false;
  std::size_t relists_ = 0;
  RuntimeHealth health_;
  std::chrono::steady_clock::time_point healthCheckedAt_{};
  boost::asio::steady_timer relistTimer_;
};

}  // namespace kcpp::kubelet
