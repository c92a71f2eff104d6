#include "kubelet/kuberuntime/pod_actions.h"

#include "api/meta/object.h"
#include "kubelet/kuberuntime/container_hash.h"

namespace kcpp::kubelet::kuberuntime {

namespace {

std::string containerName(const json::object& container) { return std::string(api::getString(container, "name")); }

std::string podUid(const json::object& pod) {
  const json::value* v = api::findPath(pod, "metadata.uid");
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

bool hostNetwork(const json::object& pod) {
  const json::value* v = api::findPath(pod, "spec.hostNetwork");
  return v && v->is_bool() && v->get_bool();
}

bool shouldRestartOnFailure(const json::object& pod) { return restartPolicy(pod) != "Never"; }

bool containerSucceeded(const json::object& container, const PodRuntimeStatus& status) {
  const RuntimeContainer* c = status.findContainer(containerName(container));
  return c && c->state == ContainerState::Exited && c->exitCode == 0;
}

bool isInitContainerFailed(const RuntimeContainer& c) {
  if (c.state == ContainerState::Exited && c.exitCode != 0) return true;
  return c.state == ContainerState::Unknown;
}

bool isRestartableInit(const json::object& container) { return api::getString(container, "restartPolicy") == "Always"; }

struct SandboxDecision {
  bool create = false;
  int attempt = 0;
  std::string id;
};

// podSandboxChanged: a new sandbox when there is none, more than one is ready,
// the newest is not ready, its network mode changed or it lost its IP.
SandboxDecision podSandboxChanged(const json::object& pod, const PodRuntimeStatus& status) {
  if (status.sandboxes.empty()) return {true, 0, ""};
  int ready = 0;
  for (const auto& s : status.sandboxes) ready += s.ready ? 1 : 0;
  const RuntimeSandbox& newest = status.sandboxes.front();
  int next = newest.attempt + 1;
  if (ready > 1) return {true, next, newest.id};
  if (!newest.ready) return {true, next, newest.id};
  if (newest.hostNetwork != hostNetwork(pod)) return {true, next, ""};
  if (!hostNetwork(pod) && newest.ip.empty() && newest.ips.empty()) return {true, next, newest.id};
  return {false, newest.attempt, newest.id};
}

struct InitProgress {
  const RuntimeContainer* lastStatus = nullptr;  // of the failed init container, if any
  std::optional<std::size_t> next;
  bool done = false;
};

// findNextInitContainerToRun.
InitProgress findNextInitContainer(const json::object& pod, const PodRuntimeStatus& status) {
  auto inits = specContainers(pod, "initContainers");
  if (inits.empty()) return {nullptr, std::nullopt, true};
  for (const json::object* c : specContainers(pod)) {
    const RuntimeContainer* s = status.findContainer(containerName(*c));
    if (s && s->state == ContainerState::Running) return {nullptr, std::nullopt, true};
  }
  for (std::size_t i = inits.size(); i-- > 0;) {
    const RuntimeContainer* s = status.findContainer(containerName(*inits[i]));
    if (s && isInitContainerFailed(*s)) return {s, i, false};
  }
  for (std::size_t i = inits.size(); i-- > 0;) {
    const RuntimeContainer* s = status.findContainer(containerName(*inits[i]));
    if (!s) continue;
    bool restartable = isRestartableInit(*inits[i]);
    if (s->state == ContainerState::Running && !restartable) return {nullptr, std::nullopt, false};
    // A sidecar (restartable init container) counts as done once it runs.
    if (s->state == ContainerState::Exited || (restartable && s->state == ContainerState::Running)) {
      if (i + 1 == inits.size()) return {nullptr, std::nullopt, true};
      return {nullptr, i + 1, false};
    }
  }
  return {nullptr, std::size_t{0}, false};
}

}  // namespace

std::string restartPolicy(const json::object& pod) {
  const json::value* v = api::findPath(pod, "spec.restartPolicy");
  if (!v || !v->is_string() || v->get_string().empty()) return "Always";
  return std::string(v->get_string());
}

std::vector<const json::object*> specContainers(const json::object& pod, const char* field) {
  std::vector<const json::object*> out;
  const json::object* spec = api::findObject(pod, "spec");
  const json::value* list = spec ? spec->if_contains(field) : nullptr;
  if (!list || !list->is_array()) return out;
  for (const auto& c : list->get_array()) {
    if (c.is_object()) out.push_back(&c.get_object());
  }
  return out;
}

bool shouldContainerBeRestarted(const json::object& pod, const json::object& container, const PodRuntimeStatus& status) {
  if (api::findPath(pod, "metadata.deletionTimestamp")) return false;  // a pod being deleted never restarts
  const RuntimeContainer* s = status.findContainer(containerName(container));
  if (!s) return true;
  if (s->state == ContainerState::Running) return false;
  if (s->state == ContainerState::Unknown || s->state == ContainerState::Created) return true;
  std::string policy = restartPolicy(pod);
  if (policy == "Never") return false;
  if (policy == "OnFailure" && s->exitCode == 0) return false;
  return true;
}

PodActions computePodActions(const json::object& pod, const PodRuntimeStatus& status,
                             const std::set<std::string>& probeFailed) {
  PodActions actions;
  SandboxDecision sandbox = podSandboxChanged(pod, status);
  actions.killPod = sandbox.create;
  actions.createSandbox = sandbox.create;
  actions.sandboxId = sandbox.id;
  actions.attempt = sandbox.attempt;
  auto containers = specContainers(pod);

  if (sandbox.create) {
    // A Never pod whose sandbox died after its containers ran is not revived.
    if (!shouldRestartOnFailure(pod) && sandbox.attempt != 0 && !status.containers.empty()) {
      actions.createSandbox = false;
      return actions;
    }
    std::vector<std::size_t> toStart;
    for (std::size_t i = 0; i < containers.size(); ++i) {
      if (restartPolicy(pod) == "OnFailure" && containerSucceeded(*containers[i], status)) continue;
      toStart.push_back(i);
    }
    if (toStart.empty()) {  // everything succeeded already
      actions.createSandbox = false;
      return actions;
    }
    if (!specContainers(pod, "initContainers").empty()) {
      actions.nextInitContainer = 0;
      return actions;
    }
    actions.containersToStart = std::move(toStart);
    return actions;
  }

  InitProgress init = findNextInitContainer(pod, status);
  if (!init.done) {
    if (init.next) {
      bool failed = init.lastStatus && isInitContainerFailed(*init.lastStatus);
      if (failed && !shouldRestartOnFailure(pod)) {
        actions.killPod = true;
      } else {
        if (init.lastStatus && init.lastStatus->state == ContainerState::Unknown) {
          actions.containersToKill.push_back({init.lastStatus->id, init.lastStatus->name,
                                              "Init container is in \"Unknown\" state, try killing it before restart",
                                              "Unknown"});
        }
        actions.nextInitContainer = init.next;
      }
    }
    return actions;
  }

  int keep = 0;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    const json::object& container = *containers[i];
    std::string name = containerName(container);
    const RuntimeContainer* s = status.findContainer(name);
    if (!s || s->state != ContainerState::Running) {
      if (shouldContainerBeRestarted(pod, container, status)) {
        actions.containersToStart.push_back(i);
        if (s && s->state == ContainerState::Unknown) {
          actions.containersToKill.push_back(
              {s->id, name, "Container is in \"Unknown\" state, try killing it before restart", "Unknown"});
        }
      }
      continue;
    }
    bool restart = shouldRestartOnFailure(pod);
    std::string message, reason;
    if (s->hash != containerHash(container)) {
      message = "Container " + name + " definition changed";
      restart = true;
    } else if (probeFailed.count(s->id)) {
      message = "Container " + name + " failed liveness probe";
      reason = "Unhealthy";
    } else {
      ++keep;
      continue;
    }
    if (restart) {
      message += ", will be restarted";
      actions.containersToStart.push_back(i);
    }
    actions.containersToKill.push_back({s->id, name, message, reason});
  }
  if (keep == 0 && actions.containersToStart.empty()) actions.killPod = true;
  return actions;
}

std::string formatPod(const json::object& pod) {
  return std::string(api::metaName(pod)) + "_" + std::string(api::metaNamespace(pod)) + "(" +
         podUid(pod) + ")";
}

std::string goDuration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms == 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string out;
  auto hours = ms / 3600000, minutes = ms / 60000 % 60;
  double seconds = static_cast<double>(ms % 60000) / 1000.0;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  return out + buf + "s";
}

std::optional<std::string> checkBackoff(const json::object& pod, const json::object& container,
                                        const PodRuntimeStatus& status, Backoff& backoff,
                                        Backoff::Clock::time_point now) {
  std::string name = containerName(container);
  const RuntimeContainer* exited = nullptr;
  for (const auto& c : status.containers) {
    if (c.name == name && c.state == ContainerState::Exited) {
      exited = &c;
      break;
    }
  }
  if (!exited) return std::nullopt;
  auto finished = exited->finishedAt.value_or(now);
  std::string key = std::string(api::metaName(pod)) + "_" + std::string(api::metaNamespace(pod)) + "_" +
                    podUid(pod) + "_" + name + "_" +
                    containerHash(container);
  if (backoff.inBackOffSince(key, finished, now)) {
    return "back-off " + goDuration(backoff.get(key)) + " restarting failed container=" + name +
           " pod=" + formatPod(pod);
  }
  backoff.next(key, finished);
  return std::nullopt;
}

}  // namespace kcpp::kubelet::kuberuntime

namespace kcpp::kubelet::kuberuntime {

bool sandboxNeedsReplacing(const json::object& pod, const PodRuntimeStatus& status) {
  return podSandboxChanged(pod, status).create;
}

}  // namespace kcpp::kubelet::kuberuntime
