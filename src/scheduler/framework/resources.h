#pragma once
// Resource amounts as the scheduler compares them: cpu in millicores, the rest
// in whole units, parsed once from the API's quantity strings.

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace kcpp::scheduler {

struct Resources {
  std::int64_t milliCpu = 0;
  std::int64_t memory = 0;
  std::int64_t ephemeralStorage = 0;
  std::int64_t allowedPods = 0;  // node allocatable "pods"
  // Extended resources (example.com/gpu, hugepages-*), by name.
  std::map<std::string, std::int64_t> scalar;

  void add(const Resources& other);
  void subtract(const Resources& other);
  // Per resource, the larger of the two (init containers' rule).
  void setMax(const Resources& other);
  std::int64_t get(const std::string& name) const;
};

// A resources object ({"cpu": "500m", "memory": "1Gi", ...}); unparsable
// quantities count as zero (validation rejected them already).
Resources parseResourceList(const boost::json::object* list);

// Upstream's defaults for pods that request nothing, used only when scoring
// (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest).
constexpr std::int64_t kDefaultMilliCpuRequest = 100;
constexpr std::int64_t kDefaultMemoryRequest = 200 * 1024 * 1024;

}  // namespace kcpp::scheduler
