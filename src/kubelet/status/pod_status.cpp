#include "kubelet/status/pod_status.h"

#include <algorithm>

#include "api/meta/object.h"
#include "kubelet/kuberuntime/pod_actions.h"
#include "kubelet/kuberuntime/qos.h"

namespace kcpp::kubelet::status {

namespace kr = kubelet::kuberuntime;

namespace {

const char* kContainerCreating = "ContainerCreating";
const char* kPodInitializing = "PodInitializing";

std::string name(const json::object& o) { return std::string(api::getString(o, "name")); }

const json::object* objectAt(const json::object& o, std::string_view key) { return api::findObject(o, key); }

json::value timeOrNull(const std::optional<SystemTime>& t) {
  if (!t || t->time_since_epoch().count() == 0) return nullptr;
  return json::value(api::formatTime(*t));
}

std::string containerId(const std::string& id) { return "containerd://" + id; }

// The container statuses the API last showed, by name.
std::map<std::string, json::object> oldStatuses(const json::object& pod, const char* field) {
  std::map<std::string, json::object> out;
  const json::value* list = api::findPath(pod, std::string("status.") + field);
  if (!list || !list->is_array()) return out;
  for (const auto& s : list->get_array()) {
    if (s.is_object()) out[name(s.get_object())] = s.get_object();
  }
  return out;
}

bool hasState(const json::object& status, const char* state) {
  const json::object* s = objectAt(status, "state");
  return s && s->contains(state);
}

json::object lastTerminated(const json::object& status) {
  const json::object* last = objectAt(status, "lastState");
  const json::object* t = last ? objectAt(*last, "terminated") : nullptr;
  return t ? *t : json::object{};
}

json::object waitingState(const std::string& reason, const std::string& message = "") {
  json::object w;
  if (!reason.empty()) w["reason"] = reason;
  if (!message.empty()) w["message"] = message;
  return json::object{{"waiting", std::move(w)}};
}

// convertContainerStatus.
json::object convertContainer(const kr::RuntimeContainer& c, const json::object* old) {
  json::object s{{"name", c.name}, {"restartCount", c.restartCount}, {"image", c.image},
                 {"imageID", c.imageRef}, {"containerID", containerId(c.id)}};
  switch (c.state) {
    case kr::ContainerState::Running:
      s["state"] = json::object{{"running", json::object{{"startedAt", timeOrNull(c.startedAt)}}}};
      break;
    case kr::ContainerState::Created:
      s["state"] = waitingState("");
      break;
    case kr::ContainerState::Exited: {
      std::string reason = c.reason.empty() ? (c.exitCode == 0 ? "Completed" : "Error") : c.reason;
      json::object t{{"exitCode", c.exitCode}, {"reason", reason}, {"startedAt", timeOrNull(c.startedAt)},
                     {"finishedAt", timeOrNull(c.finishedAt)}, {"containerID", containerId(c.id)}};
      if (!c.message.empty()) t["message"] = c.message;
      s["state"] = json::object{{"terminated", std::move(t)}};
      break;
    }
    case kr::ContainerState::Unknown:
      if (old && hasState(*old, "running")) {
        // It ran and is gone: terminated, not waiting (a run-once pod must not run twice).
        s["state"] = json::object{{"terminated", json::object{{"exitCode", 137},
                                                              {"reason", "ContainerStatusUnknown"},
                                                              {"message", "The container could not be located when the pod was terminated"}}}};
        const json::value* count = old->if_contains("restartCount");
        s["restartCount"] = (count && count->is_int64() ? count->get_int64() : 0) + 1;
      } else {
        s["state"] = waitingState("");
      }
      break;
  }
  return s;
}

// convertToAPIContainerStatuses for one list (containers or initContainers).
json::array containerStatuses(const StatusInputs& in, bool init) {
  const json::object& pod = *in.pod;
  const kr::PodRuntimeStatus& rt = *in.runtime;
  auto specs = kr::specContainers(pod, init ? "initContainers" : "containers");
  bool hasInit = !kr::specContainers(pod, "initContainers").empty();
  auto olds = oldStatuses(pod, init ? "initContainerStatuses" : "containerStatuses");
  json::object defaultState = waitingState(hasInit ? kPodInitializing : kContainerCreating);

  std::map<std::string, json::object> statuses;
  for (const json::object* spec : specs) {
    std::string n = name(*spec);
    json::object s{{"name", n}, {"image", api::getString(*spec, "image")}, {"imageID", ""},
                   {"state", defaultState}, {"lastState", json::object{}}, {"restartCount", 0}};
    if (auto old = olds.find(n); old != olds.end()) {
      if (hasState(old->second, "terminated")) {
        s = old->second;
      } else {
        if (auto* rc = old->second.if_contains("restartCount")) s["restartCount"] = *rc;
        if (auto* ls = old->second.if_contains("lastState")) s["lastState"] = *ls;
      }
    }
    statuses[n] = std::move(s);
  }
  // A container that ran and vanished from the runtime shows a termination.
  for (const json::object* spec : specs) {
    std::string n = name(*spec);
    if (rt.findContainer(n)) continue;
    auto old = olds.find(n);
    if (old == olds.end() || hasState(old->second, "terminated") || !hasState(old->second, "running")) continue;
    json::object& s = statuses[n];
    if (!lastTerminated(s).empty()) continue;
    s["lastState"] = json::object{{"terminated", json::object{{"exitCode", 137},
                                                              {"reason", "ContainerStatusUnknown"},
                                                              {"message", "The container could not be located when the pod was deleted.  The container used to be Running"}}}};
    if (!api::findPath(pod, "metadata.deletionTimestamp")) s["restartCount"] = s["restartCount"].to_number<std::int64_t>() + 1;
  }
  // The newest runtime container of each name is the state, the one before it the lastState.
  std::map<std::string, int> seen;
  for (const auto& c : rt.containers) {
    auto it = statuses.find(c.name);
    if (it == statuses.end() || seen[c.name] >= 2) continue;
    auto old = olds.find(c.name);
    json::object converted = convertContainer(c, old == olds.end() ? nullptr : &old->second);
    // A runtime that names the image by its id: show the image as the spec has it.
    std::string_view runtimeImage = api::getString(converted, "image");
    if (runtimeImage.empty() || runtimeImage.starts_with("sha256:")) converted["image"] = it->second.at("image");
    if (seen[c.name] == 0) {
      converted["lastState"] = json::object{};
      it->second = std::move(converted);
    } else {
      it->second["lastState"] = converted["state"];
    }
    ++seen[c.name];
  }
  // Containers that should run but do not: waiting with the sync's reason.
  for (const json::object* spec : specs) {
    std::string n = name(*spec);
    const kr::RuntimeContainer* c = rt.findContainer(n);
    if (init && c && c->state == kr::ContainerState::Exited && c->exitCode == 0) continue;
    if (!kr::shouldContainerBeRestarted(pod, *spec, rt)) continue;
    auto reason = in.waiting.find(n);
    if (reason == in.waiting.end()) continue;
    json::object& s = statuses[n];
    if (hasState(s, "terminated")) s["lastState"] = s["state"];
    s["state"] = waitingState(reason->second.reason, reason->second.message);
  }
  // Readiness and started, as the prober manager sets them.
  for (const json::object* spec : specs) {
    std::string n = name(*spec);
    json::object& s = statuses[n];
    bool running = hasState(s, "running");
    bool ready = false, started = false;
    if (init) {
      const json::object* state = objectAt(s, "state");
      const json::object* t = state ? objectAt(*state, "terminated") : nullptr;
      bool restartable = api::getString(*spec, "restartPolicy") == "Always";
      started = running;
      ready = restartable ? running && (!in.ready || in.ready(n))
                          : t && t->if_contains("exitCode") && t->at("exitCode").to_number<std::int64_t>() == 0;
    } else if (running) {
      started = !in.started || in.started(n);
      ready = started && (!in.ready || in.ready(n));
    }
    s["ready"] = ready;
    s["started"] = started;
  }
  json::array out;
  if (init) {
    for (const json::object* spec : specs) out.push_back(std::move(statuses[name(*spec)]));
  } else {
    for (auto& [n, s] : statuses) out.push_back(std::move(s));  // sorted by name, as upstream
  }
  return out;
}

json::object condition(const char* type, bool status, const std::string& reason = "", const std::string& message = "") {
  json::object c{{"type", type}, {"status", status ? "True" : "False"}, {"lastProbeTime", nullptr}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

std::string bracketList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return "[" + out + "]";
}

const json::object* statusByName(const json::array& statuses, const std::string& n) {
  for (const auto& s : statuses) {
    if (s.is_object() && name(s.get_object()) == n) return &s.get_object();
  }
  return nullptr;
}

bool boolField(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

json::object containersReadyCondition(const json::object& pod, const json::array& initStatuses,
                                      const json::array& statuses, const std::string& phase) {
  if (phase == "Succeeded") return condition("ContainersReady", false, "PodCompleted");
  if (phase == "Failed") return condition("ContainersReady", false, "PodFailed");
  std::vector<std::string> unknown, unready;
  for (const json::object* spec : kr::specContainers(pod, "initContainers")) {
    if (api::getString(*spec, "restartPolicy") != "Always") continue;
    const json::object* s = statusByName(initStatuses, name(*spec));
    if (!s) unknown.push_back(name(*spec));
    else if (!boolField(*s, "ready")) unready.push_back(name(*spec));
  }
  for (const json::object* spec : kr::specContainers(pod)) {
    const json::object* s = statusByName(statuses, name(*spec));
    if (!s) unknown.push_back(name(*spec));
    else if (!boolField(*s, "ready")) unready.push_back(name(*spec));
  }
  std::string message;
  if (!unknown.empty()) message = "containers with unknown status: " + bracketList(unknown);
  if (!unready.empty()) message += (message.empty() ? "" : ", ") + std::string("containers with unready status: ") + bracketList(unready);
  if (!message.empty()) return condition("ContainersReady", false, "ContainersNotReady", message);
  return condition("ContainersReady", true);
}

json::object readyCondition(const json::object& pod, const json::array& conditions, const json::object& containersReady,
                            const std::string& phase) {
  if (phase == "Succeeded") return condition("Ready", false, "PodCompleted");
  if (phase == "Failed") return condition("Ready", false, "PodFailed");
  if (api::getString(containersReady, "status") != "True") {
    return condition("Ready", false, std::string(api::getString(containersReady, "reason")),
                     std::string(api::getString(containersReady, "message")));
  }
  std::vector<std::string> messages;
  const json::value* gates = api::findPath(pod, "spec.readinessGates");
  if (gates && gates->is_array()) {
    for (const auto& g : gates->get_array()) {
      if (!g.is_object()) continue;
      std::string type(api::getString(g.get_object(), "conditionType"));
      const json::object* found = nullptr;
      for (const auto& c : conditions) {
        if (c.is_object() && api::getString(c.get_object(), "type") == type) found = &c.get_object();
      }
      if (!found) {
        messages.push_back("corresponding condition of pod readiness gate \"" + type + "\" does not exist.");
      } else if (api::getString(*found, "status") != "True") {
        messages.push_back("the status of pod readiness gate \"" + type + "\" is not \"True\", but " +
                           std::string(api::getString(*found, "status")));
      }
    }
  }
  if (!messages.empty()) {
    std::string message;
    for (const auto& m : messages) message += (message.empty() ? "" : ", ") + m;
    return condition("Ready", false, "ReadinessGatesNotReady", message);
  }
  return condition("Ready", true);
}

json::object initializedCondition(const json::object& pod, const json::array& initStatuses, const std::string& phase) {
  auto inits = kr::specContainers(pod, "initContainers");
  if (inits.empty()) return condition("Initialized", true);
  std::vector<std::string> unknown, incomplete;
  for (const json::object* spec : inits) {
    const json::object* s = statusByName(initStatuses, name(*spec));
    if (!s) {
      unknown.push_back(name(*spec));
      continue;
    }
    bool restartable = api::getString(*spec, "restartPolicy") == "Always";
    bool done = restartable ? boolField(*s, "started") : boolField(*s, "ready");
    if (!done) incomplete.push_back(name(*spec));
  }
  if (phase == "Succeeded" && unknown.empty()) return condition("Initialized", true, "PodCompleted");
  // Once regular containers ran, the pod was initialized (HasAnyRegularContainerStarted).
  if (phase == "Running") return condition("Initialized", true);
  std::string message;
  if (!unknown.empty()) message = "containers with unknown status: " + bracketList(unknown);
  if (!incomplete.empty()) message += (message.empty() ? "" : ", ") + std::string("containers with incomplete status: ") + bracketList(incomplete);
  if (!message.empty()) return condition("Initialized", false, "ContainersNotInitialized", message);
  return condition("Initialized", true);
}

// Keeps lastTransitionTime when a condition's status did not change.
void stampTransitions(json::array& conditions, const json::object& pod, SystemTime now) {
  const json::value* old = api::findPath(pod, "status.conditions");
  for (auto& c : conditions) {
    json::object& cond = c.as_object();
    if (cond.contains("lastTransitionTime")) continue;
    std::string stamp = api::formatTime(now);
    if (old && old->is_array()) {
      for (const auto& o : old->get_array()) {
        if (!o.is_object()) continue;
        const json::object& prev = o.get_object();
        if (api::getString(prev, "type") == api::getString(cond, "type") &&
            api::getString(prev, "status") == api::getString(cond, "status") && prev.contains("lastTransitionTime")) {
          stamp = std::string(api::getString(prev, "lastTransitionTime"));
        }
      }
    }
    cond["lastTransitionTime"] = stamp;
  }
}

json::array ipList(const std::vector<std::string>& ips) {
  json::array out;
  for (const auto& ip : ips) out.push_back(json::object{{"ip", ip}});
  return out;
}

}  // namespace

bool kubeletOwnsCondition(std::string_view type) {
  return type == "PodScheduled" || type == "Ready" || type == "Initialized" || type == "ContainersReady" ||
         type == "PodReadyToStartContainers";
}

std::string podPhase(const json::object& pod, const json::array& initStatuses, const json::array& statuses,
                     bool podTerminal) {
  std::string policy = kr::restartPolicy(pod);
  int pendingInit = 0, failedInit = 0;
  for (const json::object* spec : kr::specContainers(pod, "initContainers")) {
    if (api::getString(*spec, "restartPolicy") == "Always") continue;  // sidecars do not gate the phase
    const json::object* s = statusByName(initStatuses, name(*spec));
    if (!s) {
      ++pendingInit;
      continue;
    }
    const json::object* state = objectAt(*s, "state");
    if (state && state->contains("terminated")) {
      if (state->at("terminated").as_object().at("exitCode").to_number<std::int64_t>() != 0) ++failedInit;
    } else if (state && state->contains("waiting")) {
      json::object last = lastTerminated(*s);
      if (!last.empty() && last.at("exitCode").to_number<std::int64_t>() != 0) ++failedInit;
      else ++pendingInit;
    } else {
      ++pendingInit;
    }
  }
  int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  bool anyRegularStarted = false;
  for (const json::object* spec : kr::specContainers(pod)) {
    const json::object* s = statusByName(statuses, name(*spec));
    const json::object* state = s ? objectAt(*s, "state") : nullptr;
    if (!state) {
      ++unknown;
      continue;
    }
    if (state->contains("running")) {
      ++running;
      anyRegularStarted = true;
    } else if (state->contains("terminated")) {
      ++stopped;
      anyRegularStarted = true;
      if (state->at("terminated").as_object().at("exitCode").to_number<std::int64_t>() == 0) ++succeeded;
    } else if (state->contains("waiting")) {
      if (!lastTerminated(*s).empty()) {
        ++stopped;
        anyRegularStarted = true;
      } else {
        ++waiting;
      }
    } else {
      ++unknown;
    }
  }
  if (failedInit > 0 && policy == "Never") return "Failed";
  if (podTerminal && running == 0) {
    // Nothing runs and nothing will: the pod ends here.
    return stopped > 0 && stopped == succeeded && unknown == 0 && waiting == 0 ? "Succeeded" : "Failed";
  }
  if ((pendingInit > 0 && !anyRegularStarted) || waiting > 0) return "Pending";
  if (running > 0 && unknown == 0) return "Running";
  if (running == 0 && stopped > 0 && unknown == 0) {
    if (policy == "Always") return "Running";
    if (stopped == succeeded) return "Succeeded";
    if (policy == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

json::object generatePodStatus(const StatusInputs& in) {
  const json::object& pod = *in.pod;
  json::object status;
  json::array inits = containerStatuses(in, true);
  json::array containers = containerStatuses(in, false);
  std::string phase = podPhase(pod, inits, containers, in.podTerminal);
  std::string apiPhase;
  if (const json::object* old = objectAt(pod, "status")) apiPhase = api::getString(*old, "phase");
  bool apiTerminal = apiPhase == "Failed" || apiPhase == "Succeeded";
  if (apiTerminal) phase = apiPhase;  // no way back out of a terminal phase
  if (in.podFailure && !apiTerminal) phase = "Failed";
  status["phase"] = phase;
  if (in.podFailure && phase == "Failed") {
    status["reason"] = in.podFailure->reason;
    status["message"] = in.podFailure->message;
  } else if (phase == apiPhase) {
    const json::object& old = *objectAt(pod, "status");
    if (!api::getString(old, "reason").empty()) status["reason"] = old.at("reason");
    if (!api::getString(old, "message").empty()) status["message"] = old.at("message");
  }

  json::array conditions;
  if (const json::value* old = api::findPath(pod, "status.conditions"); old && old->is_array()) {
    for (const auto& c : old->get_array()) {
      if (c.is_object() && !kubeletOwnsCondition(api::getString(c.get_object(), "type"))) conditions.push_back(c);
    }
  }
  conditions.push_back(condition("PodReadyToStartContainers", !kr::sandboxNeedsReplacing(pod, *in.runtime)));
  conditions.push_back(initializedCondition(pod, inits, phase));
  json::object containersReady = containersReadyCondition(pod, inits, containers, phase);
  conditions.push_back(readyCondition(pod, conditions, containersReady, phase));
  conditions.push_back(std::move(containersReady));
  // The scheduler's PodScheduled (with its time) stays; a pod placed by name gets one.
  json::object scheduled = condition("PodScheduled", true);
  if (const json::value* old = api::findPath(pod, "status.conditions"); old && old->is_array()) {
    for (const auto& c : old->get_array()) {
      if (c.is_object() && api::getString(c.get_object(), "type") == "PodScheduled") scheduled = c.get_object();
    }
  }
  conditions.push_back(std::move(scheduled));
  stampTransitions(conditions, pod, in.now);
  status["conditions"] = std::move(conditions);

  if (!in.hostIps.empty()) {
    status["hostIP"] = in.hostIps.front();
    status["hostIPs"] = ipList(in.hostIps);
  }
  const json::value* hostNetwork = api::findPath(pod, "spec.hostNetwork");
  std::vector<std::string> podIps =
      hostNetwork && hostNetwork->is_bool() && hostNetwork->get_bool() ? in.hostIps : in.runtime->podIps();
  if (podIps.empty()) {
    // A stopped sandbox has no IP to report: the pod keeps the one it had.
    if (const json::value* old = api::findPath(pod, "status.podIPs"); old && old->is_array()) {
      for (const auto& ip : old->get_array()) {
        if (ip.is_object()) podIps.emplace_back(api::getString(ip.get_object(), "ip"));
      }
    }
  }
  if (!podIps.empty()) {
    status["podIP"] = podIps.front();
    status["podIPs"] = ipList(podIps);
  }
  const json::value* start = api::findPath(pod, "status.startTime");
  status["startTime"] = start && start->is_string() ? json::value(*start) : json::value(api::formatTime(in.now));
  if (!inits.empty()) status["initContainerStatuses"] = std::move(inits);
  status["containerStatuses"] = std::move(containers);
  status["qosClass"] = kr::podQosClass(pod);
  return status;
}

}  // namespace kcpp::kubelet::status
