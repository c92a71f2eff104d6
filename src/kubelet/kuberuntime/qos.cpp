#include "kubelet/kuberuntime/qos.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "api/meta/object.h"
#include "api/validation/quantity.h"

namespace kcpp::kubelet::kuberuntime {

using api::validation::Quantity;

namespace {

std::vector<const json::object*> allContainers(const json::object& pod) {
  std::vector<const json::object*> out;
  for (const char* path : {"spec.initContainers", "spec.containers"}) {
    const json::value* list = api::findPath(pod, path);
    if (!list || !list->is_array()) continue;
    for (const auto& c : list->get_array()) {
      if (c.is_object()) out.push_back(&c.get_object());
    }
  }
  return out;
}

std::optional<Quantity> quantityOf(const json::object& container, const char* kind, const char* resource) {
  const json::object* resources = api::findObject(container, "resources");
  const json::object* list = resources ? api::findObject(*resources, kind) : nullptr;
  const json::value* v = list ? list->if_contains(resource) : nullptr;
  if (!v) return std::nullopt;
  return Quantity::fromJson(*v);
}

}  // namespace

std::string computePodQos(const json::object& pod) {
  std::map<std::string, Quantity> requests, limits;
  bool guaranteed = true;
  for (const json::object* c : allContainers(pod)) {
    std::set<std::string> limitsFound;
    for (const char* r : {"cpu", "memory"}) {
      auto req = quantityOf(*c, "requests", r);
      if (req && req->sign() > 0) requests[r] = requests.count(r) ? requests[r] + *req : *req;
      auto lim = quantityOf(*c, "limits", r);
      if (lim && lim->sign() > 0) {
        limitsFound.insert(r);
        limits[r] = limits.count(r) ? limits[r] + *lim : *lim;
      }
    }
    if (limitsFound.size() != 2) guaranteed = false;
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    for (const auto& [name, req] : requests) {
      auto lim = limits.find(name);
      if (lim == limits.end() || !(lim->second == req)) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

std::string podQosClass(const json::object& pod) {
  std::string_view fromStatus;
  if (const json::object* status = api::findObject(pod, "status")) fromStatus = api::getString(*status, "qosClass");
  return fromStatus.empty() ? computePodQos(pod) : std::string(fromStatus);
}

std::int64_t oomScoreAdj(const json::object& pod, const json::object& container, std::int64_t memoryCapacityBytes) {
  constexpr std::int64_t kGuaranteed = -997, kBestEffort = 1000;
  std::string qos = podQosClass(pod);
  std::int64_t score;
  if (qos == "Guaranteed") {
    score = kGuaranteed;
  } else if (qos == "BestEffort") {
    score = kBestEffort;
  } else {
    std::int64_t request = std::max<std::int64_t>(containerBytes(container, "requests", "memory"), 0);
    std::int64_t capacity = std::max<std::int64_t>(memoryCapacityBytes, 1);
    score = 1000 - (1000 * static_cast<__int128>(request)) / capacity;
    if (score < 1000 + kGuaranteed) score = 1000 + kGuaranteed;
    if (score == kBestEffort) score = kBestEffort - 1;
  }
  return std::max<std::int64_t>(score, 0);
}

std::int64_t milliCpuToShares(std::int64_t milliCpu) {
  if (milliCpu <= 0) return kMinShares;
  std::int64_t shares = milliCpu * 1024 / 1000;
  return std::clamp(shares, kMinShares, kMaxShares);
}

std::int64_t milliCpuToQuota(std::int64_t milliCpu, std::int64_t periodUsec) {
  if (milliCpu <= 0) return 0;
  constexpr std::int64_t kMinQuota = 1000;
  return std::max(milliCpu * periodUsec / 1000, kMinQuota);
}

std::int64_t containerMilliCpu(const json::object& container, const char* kind) {
  auto q = quantityOf(container, kind, "cpu");
  return q ? q->milliValue() : -1;
}

std::int64_t containerBytes(const json::object& container, const char* kind, const char* resource) {
  auto q = quantityOf(container, kind, resource);
  return q ? q->value() : -1;
}

LinuxResources containerResources(const json::object& pod, const json::object& container,
                                  std::int64_t memoryCapacityBytes) {
  LinuxResources r;
  std::int64_t cpuRequest = containerMilliCpu(container, "requests");
  std::int64_t cpuLimit = containerMilliCpu(container, "limits");
  // An unset request defaults to the limit (API defaulting does this too).
  if (cpuRequest < 0) cpuRequest = cpuLimit;
  r.cpuShares = milliCpuToShares(cpuRequest);
  if (cpuLimit > 0) {
    r.cpuPeriod = kCpuPeriodUsec;
    r.cpuQuota = milliCpuToQuota(cpuLimit, kCpuPeriodUsec);
  }
  std::int64_t memoryLimit = containerBytes(container, "limits", "memory");
  r.memoryLimitBytes = memoryLimit > 0 ? memoryLimit : 0;
  r.oomScoreAdj = oomScoreAdj(pod, container, memoryCapacityBytes);
  return r;
}

}  // namespace kcpp::kubelet::kuberuntime
