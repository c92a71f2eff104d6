#pragma once
// The kubelet's ProberManager (pkg/kubelet/prober): one worker per probe of each
// container, probing every periodSeconds once the container has run for
// initialDelaySeconds. A result only changes after successThreshold successes or
// failureThreshold failures in a row. The startup probe holds liveness and
// readiness off until it succeeds; readiness is false until the first success
// (and simply "running and started" without a readiness probe). Liveness or
// startup failure past the threshold calls the RestartHook, then the worker waits
// for a new container id. Every failed probe records a Warning event "Unhealthy"
// ("Liveness probe failed: HTTP probe failed with statuscode: 500").
//
// Workers are coroutines on the given executor; ready()/started() may be called
// from any thread.

#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "kubelet/prober/prober.h"

namespace kcpp::kubelet::prober {

struct ProberOptions {
  ExecFunction exec;  // exec probes (CRI ExecSync)
  // An event about the pod's container (type "Warning", reason "Unhealthy" or
  // "ProbeWarning", message as upstream).
  std::function<void(const boost::json::object& pod, const std::string& container,
                     const std::string& type, const std::string& reason, const std::string& message)>
      recordEvent;
  // How long one second of a probe's timings lasts (tests shorten it).
  std::chrono::milliseconds second{1000};
};

class ProberManager {
 public:
  // Liveness/startup failure past failureThreshold: the pod worker kills and
  // restarts the container (upstream: reason "Unhealthy" event, then restart).
  using RestartHook = std::function<void(const std::string& podUid, const std::string& container)>;

  ProberManager(boost::asio::any_io_executor executor, RestartHook onRestart, ProberOptions options = {});
  ~ProberManager();
  ProberManager(const ProberManager&) = delete;
  ProberManager& operator=(const ProberManager&) = delete;

  void addPod(const boost::json::object& pod);  // starts workers per probe; again: updates the pod
  void removePod(const std::string& podUid);
  // Called by the pod worker after each status computation: container ids,
  // start times and pod IP needed by the probes.
  void updateContainerStatus(const std::string& podUid, const std::string& container,
                             const std::string& containerId, bool running, const std::string& podIp);
  bool ready(const std::string& podUid, const std::string& container) const;    // readiness
  bool started(const std::string& podUid, const std::string& container) const;  // startup

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kcpp::kubelet::prober
