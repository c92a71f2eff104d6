#pragma once
// What a simulated node knows about one pod, kept small on purpose (a sim
// process may hold 30,000 of them): the facts read from the pod's spec and
// metadata (PodFacts, refreshed on every watch event) and the simulated kubelet's
// own progress (PodProgress). podStatus() writes the status a kubelet would
// report for that progress, as upstream's kubelet generates it
// (pkg/kubelet/status/generate.go and kubelet_pods.go).

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kcpp::sim {

namespace json = boost::json;
using SystemTime = std::chrono::system_clock::time_point;

// Annotations a test or benchmark puts on a pod to script its life.
inline constexpr const char* kRunDurationAnnotation = "sim.kcpp.io/run-duration";  // e.g. "5s"
inline constexpr const char* kExitCodeAnnotation = "sim.kcpp.io/exit-code";        // e.g. "1"

enum class RestartPolicy { Always, OnFailure, Never };

struct SimContainer {
  std::string name;
  std::string image;
  // readinessProbe.initialDelaySeconds; -1 without a readiness probe.
  int readinessDelaySeconds = -1;
};

// Read from the pod object on every event.
struct PodFacts {
  std::string ns;
  std::string name;
  std::string uid;
  std::string nodeName;
  RestartPolicy restartPolicy = RestartPolicy::Always;
  bool hostNetwork = false;  // the pod's IP is the node's
  std::vector<SimContainer> containers;
  std::vector<SimContainer> initContainers;
  std::optional<std::chrono::milliseconds> runDuration;
  int exitCode = 0;
  std::optional<SystemTime> deletionTimestamp;
  std::string qosClass;
  std::string phase;  // as the API last showed it
  std::string podIP;  // as the API last showed it
  std::optional<SystemTime> startTime;
  std::optional<SystemTime> scheduledAt;  // PodScheduled's lastTransitionTime
  std::string readyStatus;                // the Ready condition's status in the API
};

enum class PodStage { New, Creating, Running, Terminated };

// What the simulated kubelet has done with the pod.
struct PodProgress {
  PodStage stage = PodStage::New;
  SystemTime firstSeen{};
  SystemTime creatingSince{};
  SystemTime runningSince{};  // the current container run started
  std::optional<SystemTime> readySince;
  SystemTime finishedAt{};
  int restartCount = 0;
  int lastExitCode = 0;
  std::optional<SystemTime> lastFinishedAt;  // previous run, for lastState
  bool succeeded = false;
  std::string podIP;
  std::optional<SystemTime> deletingNoticed;  // when the sim first saw deletionTimestamp
};

// Facts of a pod object; an error message if it is not one.
std::optional<PodFacts> parsePodFacts(const json::object& pod);

// "5s", "1m30s", "250ms", "2h" (Go's time.ParseDuration), in milliseconds; nullopt if malformed.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

// When every container with a readiness probe is ready, given the run's start.
SystemTime readyAt(const PodFacts& facts, SystemTime runningSince);

// The status a kubelet reports at `progress`, on a node at `hostIP`.
json::object podStatus(const PodFacts& facts, const PodProgress& progress, const std::string& hostIP,
                       SystemTime now);

// Well-formed fake IDs: "containerd://<64 hex>" and "<image>@sha256:<64 hex>".
std::string fakeContainerId(const std::string& podUid, const std::string& container, int restart);
std::string fakeImageId(const std::string& image);

}  // namespace kcpp::sim
