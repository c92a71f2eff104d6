#include "sim/sim_pod.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "api/meta/object.h"
#include "api/validation/cron_schedule.h"

namespace kcpp::sim {

namespace {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::optional<SystemTime> timeAt(const json::object& obj, std::string_view path) {
  std::string text = str(obj, path);
  if (text.empty()) return std::nullopt;
  return api::parseTime(text);
}

std::vector<SimContainer> containersOf(const json::object& pod, std::string_view path) {
  std::vector<SimContainer> out;
  const json::value* list = api::findPath(pod, path);
  if (!list || !list->is_array()) return out;
  for (const auto& c : list->get_array()) {
    if (!c.is_object()) continue;
    SimContainer container;
    container.name = str(c.get_object(), "name");
    container.image = str(c.get_object(), "image");
    if (const json::object* probe = api::findObject(c.get_object(), "readinessProbe")) {
      const json::value* delay = probe->if_contains("initialDelaySeconds");
      container.readinessDelaySeconds = delay && delay->is_int64() ? static_cast<int>(delay->get_int64()) : 0;
    }
    out.push_back(std::move(container));
  }
  return out;
}

const json::object* podCondition(const json::object& pod, std::string_view type) {
  const json::value* conditions = api::findPath(pod, "status.conditions");
  if (!conditions || !conditions->is_array()) return nullptr;
  for (const auto& c : conditions->get_array()) {
    if (c.is_object() && api::getString(c.get_object(), "type") == type) return &c.get_object();
  }
  return nullptr;
}

std::optional<SystemTime> scheduledTime(const json::object& pod) {
  const json::object* scheduled = podCondition(pod, "PodScheduled");
  if (!scheduled) return std::nullopt;
  return timeAt(*scheduled, "lastTransitionTime");
}

json::value timeOrNull(std::optional<SystemTime> t) {
  if (!t) return nullptr;
  return json::value(api::formatTime(*t));
}

json::object condition(const char* type, bool status, SystemTime since, const std::string& reason = "",
                       const std::string& message = "") {
  json::object c{{"type", type}, {"status", status ? "True" : "False"}, {"lastProbeTime", nullptr},
                 {"lastTransitionTime", api::formatTime(since)}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

std::string hex64(const std::string& seed) {
  std::string out;
  char buf[17];
  for (int part = 0; part < 4; ++part) {
    std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(seed + char('a' + part)));
    out += buf;
  }
  return out;
}

// Names of containers in upstream's message: "containers with unready status: [a b]".
std::string nameList(const std::vector<SimContainer>& containers, const std::function<bool(const SimContainer&)>& pick) {
  std::string out;
  for (const auto& c : containers) {
    if (!pick(c)) continue;
    if (!out.empty()) out += " ";
    out += c.name;
  }
  return "[" + out + "]";
}

}  // namespace

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  auto parsed = api::validation::parseGoDuration(text);
  if (!parsed) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
}

std::optional<PodFacts> parsePodFacts(const json::object& pod) {
  PodFacts f;
  f.ns = str(pod, "metadata.namespace");
  f.name = str(pod, "metadata.name");
  f.uid = str(pod, "metadata.uid");
  if (f.name.empty()) return std::nullopt;
  f.nodeName = str(pod, "spec.nodeName");
  std::string policy = str(pod, "spec.restartPolicy");
  f.restartPolicy = policy == "Never"       ? RestartPolicy::Never
                    : policy == "OnFailure" ? RestartPolicy::OnFailure
                                            : RestartPolicy::Always;
  const json::value* hostNetwork = api::findPath(pod, "spec.hostNetwork");
  f.hostNetwork = hostNetwork && hostNetwork->is_bool() && hostNetwork->get_bool();
  f.containers = containersOf(pod, "spec.containers");
  f.initContainers = containersOf(pod, "spec.initContainers");
  if (const json::object* annotations = api::findObject(*api::findObject(pod, "metadata"), "annotations")) {
    std::string_view duration = api::getString(*annotations, kRunDurationAnnotation);
    if (!duration.empty()) f.runDuration = parseDuration(duration);
    std::string_view code = api::getString(*annotations, kExitCodeAnnotation);
    if (!code.empty()) f.exitCode = std::atoi(std::string(code).c_str());
  }
  f.deletionTimestamp = timeAt(pod, "metadata.deletionTimestamp");
  f.qosClass = str(pod, "status.qosClass");
  f.phase = str(pod, "status.phase");
  f.podIP = str(pod, "status.podIP");
  f.startTime = timeAt(pod, "status.startTime");
  f.scheduledAt = scheduledTime(pod);
  if (const json::object* ready = podCondition(pod, "Ready")) f.readyStatus = api::getString(*ready, "status");
  return f;
}

SystemTime readyAt(const PodFacts& facts, SystemTime runningSince) {
  int delay = 0;
  for (const auto& c : facts.containers) delay = std::max(delay, c.readinessDelaySeconds);
  return runningSince + std::chrono::seconds(delay);
}

std::string fakeContainerId(const std::string& podUid, const std::string& container, int restart) {
  return "containerd://" + hex64(podUid + "/" + container + "/" + std::to_string(restart));
}

std::string fakeImageId(const std::string& image) {
  std::string repo = image;
  if (auto at = repo.find('@'); at != std::string::npos) repo = repo.substr(0, at);
  auto slash = repo.rfind('/');
  if (auto colon = repo.rfind(':'); colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    repo = repo.substr(0, colon);
  }
  auto first = repo.find('/');
  if (first == std::string::npos) {
    repo = "docker.io/library/" + repo;
  } else {
    std::string host = repo.substr(0, first);
    if (host.find('.') == std::string::npos && host.find(':') == std::string::npos && host != "localhost") {
      repo = "docker.io/" + repo;
    }
  }
  return repo + "@sha256:" + hex64(image);
}

namespace {

json::object waitingStatus(const SimContainer& c, const char* reason) {
  return json::object{{"name", c.name},   {"image", c.image}, {"imageID", ""},
                      {"ready", false},   {"restartCount", 0}, {"started", false},
                      {"state", json::object{{"waiting", json::object{{"reason", reason}}}}}};
}

json::object runningStatus(const PodFacts& f, const PodProgress& p, const SimContainer& c, SystemTime now) {
  bool ready = c.readinessDelaySeconds < 0 || now >= p.runningSince + std::chrono::seconds(c.readinessDelaySeconds);
  json::object s{{"name", c.name},
                 {"image", c.image},
                 {"imageID", fakeImageId(c.image)},
                 {"containerID", fakeContainerId(f.uid, c.name, p.restartCount)},
                 {"ready", ready},
                 {"restartCount", p.restartCount},
                 {"started", true},
                 {"state", json::object{{"running", json::object{{"startedAt", api::formatTime(p.runningSince)}}}}}};
  if (p.lastFinishedAt) {
    json::object terminated{{"exitCode", p.lastExitCode},
                            {"reason", p.lastExitCode == 0 ? "Completed" : "Error"},
                            {"startedAt", api::formatTime(*p.lastFinishedAt)},
                            {"finishedAt", api::formatTime(*p.lastFinishedAt)},
                            {"containerID", fakeContainerId(f.uid, c.name, p.restartCount - 1)}};
    s["lastState"] = json::object{{"terminated", std::move(terminated)}};
  } else {
    s["lastState"] = json::object{};
  }
  return s;
}

json::object terminatedStatus(const PodFacts& f, const PodProgress& p, const SimContainer& c, int exitCode,
                              SystemTime startedAt, SystemTime finishedAt, int restart) {
  json::object terminated{{"exitCode", exitCode},
                          {"reason", exitCode == 0 ? "Completed" : "Error"},
                          {"startedAt", api::formatTime(startedAt)},
                          {"finishedAt", api::formatTime(finishedAt)},
                          {"containerID", fakeContainerId(f.uid, c.name, restart)}};
  return json::object{{"name", c.name},
                      {"image", c.image},
                      {"imageID", fakeImageId(c.image)},
                      {"containerID", fakeContainerId(f.uid, c.name, restart)},
                      {"ready", false},
                      {"restartCount", p.restartCount},
                      {"started", false},
                      {"state", json::object{{"terminated", std::move(terminated)}}}};
}

json::array initStatuses(const PodFacts& f, const PodProgress& p, bool done) {
  json::array out;
  for (const auto& c : f.initContainers) {
    if (!done) {
      out.push_back(waitingStatus(c, "PodInitializing"));
      continue;
    }
    json::object s = terminatedStatus(f, p, c, 0, p.creatingSince, p.creatingSince, 0);
    s["ready"] = true;
    s["restartCount"] = 0;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

json::object podStatus(const PodFacts& f, const PodProgress& p, const std::string& hostIP, SystemTime now) {
  json::object status;
  SystemTime scheduled = f.scheduledAt.value_or(p.firstSeen);
  json::array containers;
  json::array conditions;
  bool sandboxReady = p.stage == PodStage::Running;
  bool initialized = p.stage != PodStage::Creating || f.initContainers.empty();
  conditions.push_back(condition("PodReadyToStartContainers", sandboxReady,
                                 sandboxReady ? p.runningSince : (p.stage == PodStage::Terminated ? p.finishedAt : p.creatingSince)));
  std::string notInit = "containers with incomplete status: " + nameList(f.initContainers, [](const SimContainer&) { return true; });
  conditions.push_back(initialized ? condition("Initialized", true, p.creatingSince)
                                   : condition("Initialized", false, p.creatingSince, "ContainersNotInitialized", notInit));
  if (p.stage == PodStage::Creating) {
    status["phase"] = "Pending";
    for (const auto& c : f.containers) containers.push_back(waitingStatus(c, f.initContainers.empty() ? "ContainerCreating" : "PodInitializing"));
    std::string message = "containers with unready status: " + nameList(f.containers, [](const SimContainer&) { return true; });
    conditions.push_back(condition("Ready", false, p.creatingSince, "ContainersNotReady", message));
    conditions.push_back(condition("ContainersReady", false, p.creatingSince, "ContainersNotReady", message));
  } else if (p.stage == PodStage::Running) {
    status["phase"] = "Running";
    for (const auto& c : f.containers) containers.push_back(runningStatus(f, p, c, now));
    bool ready = p.readySince.has_value();
    SystemTime since = ready ? *p.readySince : p.runningSince;
    std::string message = "containers with unready status: " + nameList(f.containers, [&](const SimContainer& c) {
      return c.readinessDelaySeconds >= 0 && now < p.runningSince + std::chrono::seconds(c.readinessDelaySeconds);
    });
    conditions.push_back(ready ? condition("Ready", true, since) : condition("Ready", false, since, "ContainersNotReady", message));
    conditions.push_back(ready ? condition("ContainersReady", true, since)
                               : condition("ContainersReady", false, since, "ContainersNotReady", message));
  } else {
    status["phase"] = p.succeeded ? "Succeeded" : "Failed";
    for (const auto& c : f.containers) {
      containers.push_back(terminatedStatus(f, p, c, p.lastExitCode, p.runningSince, p.finishedAt, p.restartCount));
    }
    const char* reason = p.succeeded ? "PodCompleted" : "PodFailed";
    conditions.push_back(condition("Ready", false, p.finishedAt, reason));
    conditions.push_back(condition("ContainersReady", false, p.finishedAt, reason));
  }
  conditions.push_back(condition("PodScheduled", true, scheduled));
  status["conditions"] = std::move(conditions);
  status["hostIP"] = hostIP;
  status["hostIPs"] = json::array{json::object{{"ip", hostIP}}};
  if (!p.podIP.empty()) {
    status["podIP"] = p.podIP;
    status["podIPs"] = json::array{json::object{{"ip", p.podIP}}};
  }
  status["startTime"] = timeOrNull(p.creatingSince);
  if (!f.initContainers.empty()) status["initContainerStatuses"] = initStatuses(f, p, initialized);
  status["containerStatuses"] = std::move(containers);
  if (!f.qosClass.empty()) status["qosClass"] = f.qosClass;
  return status;
}

}  // namespace kcpp::sim
