#pragma once
// The API status of a pod from what the runtime holds, as upstream's kubelet
// generates it (kubelet_pods.go generateAPIPodStatus / convertToAPIContainerStatuses
// / getPhase, status/generate.go for the conditions): phase, the kubelet-owned
// conditions, container statuses, IPs, qosClass, startTime.

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kubelet/kuberuntime/runtime_pod.h"

namespace kcpp::kubelet::status {

namespace json = boost::json;
using SystemTime = std::chrono::system_clock::time_point;

using WaitingReason = kuberuntime::WaitingReason;

struct StatusInputs {
  const json::object* pod = nullptr;                      // with its current API status
  const kuberuntime::PodRuntimeStatus* runtime = nullptr;
  std::map<std::string, WaitingReason> waiting;           // by container name
  // Prober results for running containers; unset: ready and started once running.
  std::function<bool(const std::string& container)> ready;
  std::function<bool(const std::string& container)> started;
  std::vector<std::string> hostIps;
  SystemTime now{};
  // A verdict of the pod worker that ends the pod (activeDeadlineSeconds:
  // reason "DeadlineExceeded"); phase becomes Failed with this reason/message.
  std::optional<WaitingReason> podFailure;
  // The pod is being stopped for good (deleted or removed): once nothing runs,
  // its phase is terminal — Succeeded if every container exited 0, else Failed
  // (upstream's podIsTerminal).
  bool podTerminal = false;
};

json::object generatePodStatus(const StatusInputs& in);

// getPhase from generated container statuses.
std::string podPhase(const json::object& pod, const json::array& initStatuses, const json::array& statuses,
                     bool podTerminal = false);

// Conditions the kubelet owns (PodConditionByKubelet).
bool kubeletOwnsCondition(std::string_view type);

}  // namespace kcpp::kubelet::status
