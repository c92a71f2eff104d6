// Pod columns: upstream's printPod, the READY / STATUS / RESTARTS summary of a
// pod's containers (init containers and restartable "sidecar" init containers
// included), and the wide IP / NODE / NOMINATED NODE / READINESS GATES.

#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

namespace {

// The running summary printPod builds while walking container statuses.
struct PodSummary {
  std::string reason;
  int ready = 0;
  int total = 0;
  std::int64_t restarts = 0;
  std::optional<TimePoint> lastRestart;
  // Restarts of restartable init containers alone, and their latest.
  std::int64_t sidecarRestarts = 0;
  std::optional<TimePoint> lastSidecarRestart;
  bool initializing = false;
};

void later(std::optional<TimePoint>& latest, std::optional<TimePoint> t) {
  if (t && (!latest || *latest < *t)) latest = t;
}

std::optional<TimePoint> lastTermination(const json::object& status) {
  return timeAt(status, "lastState.terminated.finishedAt");
}

bool conditionIs(const json::object& pod, std::string_view type, std::string_view status) {
  for (const json::value& c : arr(pod, "status.conditions")) {
    if (str(asObject(c), "type") == type) return str(asObject(c), "status") == status;
  }
  return false;
}

const json::object* initContainerSpec(const json::object& pod, std::string_view name) {
  for (const json::value& c : arr(pod, "spec.initContainers")) {
    if (str(asObject(c), "name") == name) return &asObject(c);
  }
  return nullptr;
}

bool restartable(const json::object* spec) {
  return spec && str(*spec, "restartPolicy") == "Always";
}

std::string initialReason(const json::object& pod) {
  std::string reason = strOr(pod, "status.reason", str(pod, "status.phase"));
  for (const json::value& c : arr(pod, "status.conditions")) {
    const json::object& cond = asObject(c);
    if (str(cond, "type") == "PodScheduled" && str(cond, "reason") == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }
  return reason;
}

// The reason a failed (terminated, non-zero) container gives, with `prefix`.
std::string terminatedReason(const json::object& status, const std::string& prefix) {
  std::string reason = str(status, "state.terminated.reason");
  if (!reason.empty()) return prefix + reason;
  std::int64_t signal = num(status, "state.terminated.signal");
  if (signal != 0) return prefix + "Signal:" + std::to_string(signal);
  return prefix + "ExitCode:" + std::to_string(num(status, "state.terminated.exitCode"));
}

// One init container status; false when the walk stops at it.
bool walkInit(const json::object& pod, const json::object& status, std::size_t index,
              PodSummary& s) {
  const json::object* spec = initContainerSpec(pod, str(status, "name"));
  s.restarts += num(status, "restartCount");
  later(s.lastRestart, lastTermination(status));
  if (restartable(spec)) {
    s.sidecarRestarts += num(status, "restartCount");
    later(s.lastSidecarRestart, lastTermination(status));
  }
  bool terminated = has(status, "state.terminated");
  if (terminated && num(status, "state.terminated.exitCode") == 0) return true;
  if (restartable(spec) && flag(status, "started")) {
    if (flag(status, "ready")) ++s.ready;
    return true;
  }
  std::string waiting = str(status, "state.waiting.reason");
  if (terminated) {
    s.reason = terminatedReason(status, "Init:");
  } else if (!waiting.empty() && waiting != "PodInitializing") {
    s.reason = "Init:" + waiting;
  } else {
    s.reason = "Init:" + std::to_string(index) + "/" +
               std::to_string(arr(pod, "spec.initContainers").size());
  }
  s.initializing = true;
  return false;
}

void walkContainers(const json::object& pod, PodSummary& s) {
  s.restarts = s.sidecarRestarts;
  s.lastRestart = s.lastSidecarRestart;
  bool hasRunning = false;
  const json::array& statuses = arr(pod, "status.containerStatuses");
  for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
    const json::object& c = asObject(*it);
    s.restarts += num(c, "restartCount");
    later(s.lastRestart, lastTermination(c));
    std::string waiting = str(c, "state.waiting.reason");
    if (!waiting.empty()) {
      s.reason = waiting;
    } else if (has(c, "state.terminated")) {
      s.reason = terminatedReason(c, "");
    } else if (flag(c, "ready") && has(c, "state.running")) {
      hasRunning = true;
      ++s.ready;
    }
  }
  // A pod with a container still running is not "Completed".
  if (s.reason == "Completed" && hasRunning) {
    s.reason = conditionIs(pod, "Ready", "True") ? "Running" : "NotReady";
  }
}

PodSummary summarize(const json::object& pod) {
  PodSummary s;
  s.reason = initialReason(pod);
  s.total = static_cast<int>(arr(pod, "spec.containers").size());
  for (const json::value& c : arr(pod, "spec.initContainers")) {
    if (restartable(&asObject(c))) ++s.total;
  }
  const json::array& inits = arr(pod, "status.initContainerStatuses");
  for (std::size_t i = 0; i < inits.size(); ++i) {
    if (!walkInit(pod, asObject(inits[i]), i, s)) break;
  }
  if (!s.initializing || conditionIs(pod, "Initialized", "True")) walkContainers(pod, s);
  std::string phase = str(pod, "status.phase");
  bool deleting = has(pod, "metadata.deletionTimestamp");
  if (deleting && str(pod, "status.reason") == "NodeLost") {
    s.reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    s.reason = "Terminating";
  }
  return s;
}

std::string podReady(const json::object& pod) {
  PodSummary s = summarize(pod);
  return std::to_string(s.ready) + "/" + std::to_string(s.total);
}

std::string podRestarts(const json::object& pod) {
  PodSummary s = summarize(pod);
  std::string out = std::to_string(s.restarts);
  if (s.restarts != 0 && s.lastRestart) out += " (" + since(*s.lastRestart) + " ago)";
  return out;
}

std::string podIP(const json::object& pod) {
  const json::array& ips = arr(pod, "status.podIPs");
  std::string ip = ips.empty() ? str(pod, "status.podIP") : str(asObject(ips[0]), "ip");
  return ip.empty() ? "<none>" : ip;
}

std::string readinessGates(const json::object& pod) {
  const json::array& gates = arr(pod, "spec.readinessGates");
  if (gates.empty()) return "<none>";
  int trueConditions = 0;
  for (const json::value& g : gates) {
    if (conditionIs(pod, str(asObject(g), "conditionType"), "True")) ++trueConditions;
  }
  return std::to_string(trueConditions) + "/" + std::to_string(gates.size());
}

json::array podConditions(const json::object& pod) {
  std::string phase = str(pod, "status.phase");
  if (phase != "Succeeded" && phase != "Failed") return {};
  json::object c;
  c["type"] = "Completed";
  c["status"] = "True";
  c["reason"] = phase;
  c["message"] = phase == "Succeeded" ? "The pod has completed successfully." : "The pod failed.";
  return json::array{std::move(c)};
}

std::vector<Column> podColumns() {
  return {
      nameColumn(),
      textColumn("Ready", "The aggregate readiness state of this pod for accepting traffic.",
                 podReady),
      textColumn("Status", "The aggregate status of the containers in this pod.",
                 [](const json::object& o) { return summarize(o).reason; }),
      textColumn("Restarts",
                 "The number of times the containers in this pod have been restarted and when "
                 "the last container in this pod has restarted.",
                 podRestarts),
      ageColumn(),
      textColumn("IP",
                 "podIP address allocated to the pod. Routable at least within the cluster. "
                 "Empty if not yet allocated.",
                 podIP, 1),
      textColumn("Node",
                 "NodeName indicates in which node this pod is scheduled. If empty, this pod is "
                 "a candidate for scheduling by the scheduler defined in schedulerName. Once "
                 "this field is set, the kubelet for this node becomes responsible for the "
                 "lifecycle of this pod. This field should not be used to express a desire for "
                 "the pod to be scheduled on a specific node. "
                 "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/"
                 "#nodename",
                 [](const json::object& o) { return strOr(o, "spec.nodeName", "<none>"); }, 1),
      textColumn("Nominated Node",
                 "nominatedNodeName is set only when this pod preempts other pods on the node, "
                 "but it cannot be scheduled right away as preemption victims receive their "
                 "graceful termination periods. This field does not guarantee that the pod will "
                 "be scheduled on this node. Scheduler may decide to place the pod elsewhere if "
                 "other nodes become available sooner. Scheduler may also decide to give the "
                 "resources on this node to a higher priority pod that is created after "
                 "preemption. As a result, this field may be different than PodSpec.nodeName "
                 "when the pod is scheduled.",
                 [](const json::object& o) {
                   return strOr(o, "status.nominatedNodeName", "<none>");
                 },
                 1),
      textColumn("Readiness Gates",
                 "If specified, all readiness gates will be evaluated for pod readiness. A pod "
                 "is ready when all its containers are ready AND all conditions specified in the "
                 "readiness gates have status equal to \"True\" More info: "
                 "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
                 readinessGates, 1)};
}

}  // namespace

void addPodPrinters(PrinterMap& printers) {
  printers["/pods"] = {podColumns(), podConditions};
}

}  // namespace kcpp::apiserver::table
