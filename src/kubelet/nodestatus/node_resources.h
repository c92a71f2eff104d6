#pragma once
// A node's capacity and allocatable, as upstream's kubelet computes them
// (nodestatus/setters.go MachineInfo; cm/node_container_manager_linux.go
// GetNodeAllocatableAbsolute): allocatable = capacity − kube-reserved −
// system-reserved − the hard eviction thresholds (memory.available<100Mi,
// nodefs.available<10% by default), never below zero; memory also loses the
// pre-allocated hugepages.

#include <boost/json.hpp>

#include <map>
#include <string>

#include "kubelet/nodestatus/machine_info.h"
#include "util/error.h"

namespace kcpp::kubelet::nodestatus {

namespace json = boost::json;

struct ResourceReservations {
  std::map<std::string, std::string> kubeReserved;    // --kube-reserved
  std::map<std::string, std::string> systemReserved;  // --system-reserved
  std::string evictionHardMemoryAvailable = "100Mi";  // upstream's default hard threshold
  double evictionHardNodefsAvailable = 0.10;          // nodefs.available<10%
};

// "cpu=100m,memory=100Mi" → map; an error names the bad item (upstream's
// flag message "invalid ... "). Only cpu, memory, ephemeral-storage and pid.
Result<std::map<std::string, std::string>> parseResourceList(const std::string& text);

// capacity: cpu, memory, ephemeral-storage, pods, hugepages-<size>.
json::object nodeCapacity(const MachineInfo& machine, int maxPods);
json::object nodeAllocatable(const json::object& capacity, const MachineInfo& machine,
                             const ResourceReservations& reservations);

}  // namespace kcpp::kubelet::nodestatus
