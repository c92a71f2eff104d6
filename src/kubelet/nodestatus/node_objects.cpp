#include "kubelet/nodestatus/node_objects.h"

#include <cstdio>

#include "api/meta/object.h"

namespace kcpp::kubelet::nodestatus {

namespace {

struct ConditionText {
  const char* type;
  const char* trueReason;
  const char* trueMessage;
  const char* falseReason;
  const char* falseMessage;
};

// setters.go: MemoryPressureCondition, DiskPressureCondition, PIDPressureCondition.
constexpr ConditionText kMemory{"MemoryPressure", "KubeletHasInsufficientMemory",
                                "kubelet has insufficient memory available", "KubeletHasSufficientMemory",
                                "kubelet has sufficient memory available"};
constexpr ConditionText kDisk{"DiskPressure", "KubeletHasDiskPressure", "kubelet has disk pressure",
                              "KubeletHasNoDiskPressure", "kubelet has no disk pressure"};
constexpr ConditionText kPid{"PIDPressure", "KubeletHasInsufficientPID", "kubelet has insufficient PID available",
                             "KubeletHasSufficientPID", "kubelet has sufficient PID available"};

// The lastTransitionTime `type` keeps when its status stays `status`.
SystemTime transitionTime(const json::array& previous, const std::string& type, const std::string& status,
                          SystemTime now) {
  for (const auto& c : previous) {
    if (!c.is_object()) continue;
    const json::object& cond = c.get_object();
    if (api::getString(cond, "type") != type) continue;
    if (api::getString(cond, "status") != status) return now;
    auto parsed = api::parseTime(api::getString(cond, "lastTransitionTime"));
    return parsed ? *parsed : now;
  }
  return now;
}

json::object pressure(const ConditionText& text, bool active, const json::array& previous, SystemTime now) {
  std::string status = active ? "True" : "False";
  return nodeCondition(text.type, status, active ? text.trueReason : text.falseReason,
                       active ? text.trueMessage : text.falseMessage, now,
                       transitionTime(previous, text.type, status, now));
}

}  // namespace

json::object nodeCondition(const std::string& type, const std::string& status, const std::string& reason,
                           const std::string& message, SystemTime heartbeat, SystemTime transition) {
  return json::object{{"type", type},
                      {"status", status},
                      {"reason", reason},
                      {"message", message},
                      {"lastHeartbeatTime", api::formatTime(heartbeat)},
                      {"lastTransitionTime", api::formatTime(transition)}};
}

std::string notReadyMessage(const std::vector<std::string>& reasons) {
  if (reasons.size() == 1) return reasons.front();
  std::string out = "[";
  for (std::size_t i = 0; i < reasons.size(); ++i) out += (i ? ", " : "") + reasons[i];
  return out + "]";
}

json::array nodeConditions(const NodeHealth& health, const json::array& previous, SystemTime now) {
  bool ready = health.notReadyReasons.empty();
  std::string readyStatus = ready ? "True" : "False";
  json::object readyCondition =
      nodeCondition("Ready", readyStatus, ready ? "KubeletReady" : "KubeletNotReady",
                    ready ? "kubelet is posting ready status" : notReadyMessage(health.notReadyReasons), now,
                    transitionTime(previous, "Ready", readyStatus, now));
  return json::array{pressure(kMemory, health.memoryPressure, previous, now),
                     pressure(kDisk, health.diskPressure, previous, now),
                     pressure(kPid, health.pidPressure, previous, now), std::move(readyCondition)};
}

json::array healthyConditions(SystemTime now, SystemTime since) {
  json::array conditions = nodeConditions(NodeHealth{}, json::array{}, now);
  for (auto& c : conditions) c.as_object()["lastTransitionTime"] = api::formatTime(since);
  return conditions;
}

std::string microTime(SystemTime t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  std::string seconds = api::formatTime(t);  // ends in 'Z'
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lldZ", static_cast<long long>(micros));
  return seconds.substr(0, seconds.size() - 1) + frac;
}

json::object leaseObject(const std::string& nodeName, const std::string& nodeUid, int leaseDurationSeconds,
                         SystemTime renewTime) {
  json::object metadata{{"name", nodeName}, {"namespace", kNodeLeaseNamespace}};
  if (!nodeUid.empty()) {
    metadata["ownerReferences"] = json::array{json::object{
        {"apiVersion", "v1"}, {"kind", "Node"}, {"name", nodeName}, {"uid", nodeUid}}};
  }
  json::object lease{{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}};
  lease["metadata"] = std::move(metadata);
  lease["spec"] = json::object{{"holderIdentity", nodeName},
                               {"leaseDurationSeconds", leaseDurationSeconds},
                               {"renewTime", microTime(renewTime)}};
  return lease;
}

}  // namespace kcpp::kubelet::nodestatus
