#pragma once
// What a Service's EndpointSlices should hold, from the pods it selects
// (upstream's podToEndpoint, getEndpointPorts, getAddressTypesForService and
// setEndpointSliceLabels): per address type, the endpoints grouped by their
// resolved port list, since one slice carries one port list.

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kcpp::controllers::endpointslice {

namespace json = boost::json;
using PodPtr = std::shared_ptr<const json::object>;

inline constexpr std::string_view kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr std::string_view kControllerName = "endpointslice-controller.k8s.io";
inline constexpr std::string_view kZoneLabel = "topology.kubernetes.io/zone";

// One endpoint and its identity within a port group (addresses, hostname and
// pod: upstream's endpoint hash); the rest may change in place.
struct DesiredEndpoint {
  std::string key;
  json::object endpoint;
};

// Endpoints sharing one resolved port list.
struct PortGroup {
  json::array ports;
  std::vector<DesiredEndpoint> endpoints;
};

// Port groups by their key (portMapKey of their ports).
using PortGroups = std::map<std::string, PortGroup>;

// The address types ("IPv4", "IPv6") a Service's slices use: its ipFamilies,
// else its clusterIP's family, else (headless) both.
std::set<std::string> addressTypesFor(const json::object& service);

// Looks a node up by name (nullptr when unknown).
using NodeLookup = std::function<std::shared_ptr<const json::object>(const std::string&)>;

struct DesiredState {
  PortGroups groups;
  // Pods skipped because their node is unknown: the sync is retried.
  std::vector<std::string> podsWithoutNode;
};

// The desired endpoints of `addressType` for `service` over `pods` (selected already).
DesiredState desiredEndpoints(const json::object& service, const std::vector<PodPtr>& pods,
                              const std::string& addressType, const NodeLookup& nodes);

// A stable key for a port list (order-independent).
std::string portMapKey(const json::array& ports);
// The identity of an endpoint inside a slice.
std::string endpointKey(const json::object& endpoint);

// The labels a slice of `service` carries: the Service's own (reserved ones
// aside), headless, service-name and managed-by.
json::object sliceLabels(const json::object& service, std::string_view controllerName);

}  // namespace kcpp::controllers::endpointslice
