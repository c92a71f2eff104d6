#pragma once
// Quality of service and the Linux resources a container gets from its
// requests and limits, as upstream's pkg/apis/core/helper/qos,
// pkg/kubelet/qos/policy.go and kuberuntime's helpers_linux.go.

#include <boost/json.hpp>

#include <cstdint>
#include <string>

namespace kcpp::kubelet::kuberuntime {

namespace json = boost::json;

// "Guaranteed", "Burstable" or "BestEffort" from the spec (GetPodQOS): the
// status's qosClass when the API server already set it.
std::string podQosClass(const json::object& pod);
std::string computePodQos(const json::object& pod);

// oom_score_adj for a container: upstream's policy (Guaranteed -997,
// BestEffort 1000, Burstable 1000 - 1000×request/capacity within [3, 999]) but
// never below 0 — these nodes lack CAP_SYS_RESOURCE (NODE-NOTES) and containerd
// runs with restrict_oom_score_adj.
std::int64_t oomScoreAdj(const json::object& pod, const json::object& container, std::int64_t memoryCapacityBytes);

inline constexpr std::int64_t kCpuPeriodUsec = 100000;  // 100 ms, the CFS default
inline constexpr std::int64_t kMinShares = 2;
inline constexpr std::int64_t kMaxShares = 262144;

// MilliCPUToShares and MilliCPUToQuota.
std::int64_t milliCpuToShares(std::int64_t milliCpu);
std::int64_t milliCpuToQuota(std::int64_t milliCpu, std::int64_t periodUsec);

// A container's request or limit of `resource` ("cpu" in millicores, others in
// whole units, rounded up); nullopt-like -1 when unset.
std::int64_t containerMilliCpu(const json::object& container, const char* kind /* "requests"|"limits" */);
std::int64_t containerBytes(const json::object& container, const char* kind, const char* resource);

struct LinuxResources {
  std::int64_t cpuShares = kMinShares;
  std::int64_t cpuPeriod = 0;  // 0: no quota
  std::int64_t cpuQuota = 0;
  std::int64_t memoryLimitBytes = 0;  // 0: unlimited
  std::int64_t oomScoreAdj = 0;
};

LinuxResources containerResources(const json::object& pod, const json::object& container,
                                  std::int64_t memoryCapacityBytes);

}  // namespace kcpp::kubelet::kuberuntime
