#pragma once
// The subsets of a Service's Endpoints, computed from the pods it selects as
// upstream's syncService does: one address per pod with an IP of the Service's
// family (ready, or notReady unless publishNotReadyAddresses), the Service's
// ports resolved per pod (named targetPorts by container port name), then
// repacked (endpoints.RepackSubsets) so that addresses sharing the same
// resolved ports share one subset, and truncated to 1000 addresses.

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kcpp::controllers::endpoint {

namespace json = boost::json;
using PodPtr = std::shared_ptr<const json::object>;

// Upstream's maxCapacity: addresses an Endpoints object holds at most.
inline constexpr std::size_t kMaxEndpointsCapacity = 1000;

struct EndpointAddress {
  std::string ip;
  std::string hostname;
  std::string nodeName;
  std::string podNamespace;
  std::string podName;
  std::string podUid;
  bool ready = false;
};

struct EndpointPort {
  std::string name;
  std::int64_t port = 0;  // -1: the sentinel of a headless Service without ports
  std::string protocol;
  std::string appProtocol;
  auto operator<=>(const EndpointPort&) const = default;
};

struct EndpointSubset {
  std::vector<EndpointAddress> addresses;  // ready and not ready, sorted by IP then uid
  std::vector<EndpointPort> ports;
};

// The repacked, sorted subsets for `service` over `pods` (already filtered by
// its selector).
std::vector<EndpointSubset> desiredSubsets(const json::object& service, const std::vector<PodPtr>& pods);

// truncateEndpoints: keeps at most `capacity` addresses, ready ones first, each
// subset keeping its proportion; true when something was cut.
bool truncateSubsets(std::vector<EndpointSubset>& subsets, std::size_t capacity = kMaxEndpointsCapacity);

// The v1 wire form (addresses / notReadyAddresses / ports).
json::array subsetsToJson(const std::vector<EndpointSubset>& subsets);

}  // namespace kcpp::controllers::endpoint
