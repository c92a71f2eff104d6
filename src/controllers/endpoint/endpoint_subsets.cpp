#include "controllers/endpoint/endpoint_subsets.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "api/meta/object.h"
#include "controllers/endpointutil/pod_endpoints.h"

namespace kcpp::controllers::endpoint {

using endpointutil::stringAt;

namespace {

// podToEndpointAddressForService's choice of family: the Service's first
// ipFamily, else its clusterIP's, else (headless) the pod's own.
std::string familyFor(const json::object& service, const json::object& pod) {
  const json::value* families = api::findPath(service, "spec.ipFamilies");
  if (families && families->is_array() && !families->get_array().empty() &&
      families->get_array()[0].is_string()) {
    return std::string(families->get_array()[0].get_string());
  }
  std::string ip = endpointutil::isServiceIPSet(service) ? stringAt(service, "spec.clusterIP")
                                                         : stringAt(pod, "status.podIP");
  return endpointutil::isIPv6(ip) ? "IPv6" : "IPv4";
}

EndpointPort portFor(const json::object& servicePort, std::int64_t number) {
  EndpointPort p;
  p.name = api::getString(servicePort, "name");
  p.port = number;
  p.protocol = api::getString(servicePort, "protocol");
  if (p.protocol.empty()) p.protocol = "TCP";
  p.appProtocol = api::getString(servicePort, "appProtocol");
  return p;
}

bool addressLess(const EndpointAddress& a, const EndpointAddress& b) {
  if (a.ip != b.ip) return a.ip < b.ip;
  return a.podUid < b.podUid;
}

bool subsetLess(const EndpointSubset& a, const EndpointSubset& b) {
  if (a.ports != b.ports) return a.ports < b.ports;
  if (a.addresses.empty() || b.addresses.empty()) return a.addresses.size() < b.addresses.size();
  return addressLess(a.addresses.front(), b.addresses.front());
}

}  // namespace

std::vector<EndpointSubset> desiredSubsets(const json::object& service, const std::vector<PodPtr>& pods) {
  const json::value* publish = api::findPath(service, "spec.publishNotReadyAddresses");
  bool tolerateUnready = publish && publish->is_bool() && publish->get_bool();
  const json::value* portsValue = api::findPath(service, "spec.ports");
  const json::array noPorts;
  const json::array& servicePorts = portsValue && portsValue->is_array() ? portsValue->get_array() : noPorts;
  bool headless = stringAt(service, "spec.clusterIP") == "None";

  std::vector<EndpointAddress> addresses;
  std::map<EndpointPort, std::vector<std::size_t>> byPort;  // resolved port → addresses offering it
  for (const PodPtr& pod : pods) {
    if (!endpointutil::shouldPodBeInEndpoints(*pod, tolerateUnready)) continue;
    EndpointAddress address;
    address.ip = endpointutil::podIPOfFamily(*pod, familyFor(service, *pod));
    if (address.ip.empty()) continue;  // no IP of the Service's family
    if (endpointutil::shouldSetHostname(*pod, service)) address.hostname = stringAt(*pod, "spec.hostname");
    address.nodeName = stringAt(*pod, "spec.nodeName");
    address.podNamespace = api::metaNamespace(*pod);
    address.podName = api::metaName(*pod);
    address.podUid = stringAt(*pod, "metadata.uid");
    address.ready = tolerateUnready || endpointutil::isPodReady(*pod);
    std::size_t index = addresses.size();
    bool used = false;
    if (servicePorts.empty()) {
      // A headless Service may have no ports: its addresses still count.
      if (headless) {
        byPort[EndpointPort{"", -1, "", ""}].push_back(index);
        used = true;
      }
    }
    for (const json::value& sp : servicePorts) {
      if (!sp.is_object()) continue;
      auto number = endpointutil::findPort(*pod, sp.get_object());
      if (!number) continue;  // this pod does not offer the port
      byPort[portFor(sp.get_object(), *number)].push_back(index);
      used = true;
    }
    if (used) addresses.push_back(std::move(address));
  }
  // Ports offered by exactly the same addresses share one subset.
  std::map<std::vector<std::size_t>, std::vector<EndpointPort>> byAddressSet;
  for (auto& [port, indices] : byPort) {
    std::vector<EndpointPort>& ports = byAddressSet[indices];
    if (port.port >= 0) ports.push_back(port);
  }
  std::vector<EndpointSubset> subsets;
  subsets.reserve(byAddressSet.size());
  for (auto& [indices, ports] : byAddressSet) {
    EndpointSubset subset;
    subset.addresses.reserve(indices.size());
    for (std::size_t i : indices) subset.addresses.push_back(addresses[i]);
    std::sort(subset.addresses.begin(), subset.addresses.end(), addressLess);
    subset.ports = std::move(ports);
    std::sort(subset.ports.begin(), subset.ports.end());
    subsets.push_back(std::move(subset));
  }
  std::sort(subsets.begin(), subsets.end(), subsetLess);
  return subsets;
}

bool truncateSubsets(std::vector<EndpointSubset>& subsets, std::size_t capacity) {
  std::size_t totalReady = 0, totalNotReady = 0;
  for (const EndpointSubset& s : subsets) {
    for (const EndpointAddress& a : s.addresses) (a.ready ? totalReady : totalNotReady)++;
  }
  if (totalReady + totalNotReady <= capacity) return false;
  // Ready addresses win: not-ready ones are kept only in the room they leave.
  bool truncateReady = totalReady > capacity;
  std::size_t room = truncateReady ? capacity : capacity - totalReady;
  std::size_t total = truncateReady ? totalReady : totalNotReady;
  std::size_t canBeAdded = room;
  for (EndpointSubset& s : subsets) {
    std::size_t inSubset = 0;
    for (const EndpointAddress& a : s.addresses) inSubset += a.ready == truncateReady ? 1 : 0;
    // Each subset keeps its share of the room, rounded up; the last ones get what is left.
    auto share = static_cast<std::size_t>(
        std::ceil(static_cast<double>(inSubset) / static_cast<double>(total) * static_cast<double>(room)));
    std::size_t keep = std::min(share, canBeAdded);
    std::vector<EndpointAddress> kept;
    std::size_t taken = 0;
    for (EndpointAddress& a : s.addresses) {
      if (a.ready == truncateReady) {
        if (taken < keep) {
          kept.push_back(std::move(a));
          ++taken;
        }
      } else if (!truncateReady) {
        kept.push_back(std::move(a));  // ready addresses all stay
      }
    }
    s.addresses = std::move(kept);
    canBeAdded -= taken;
  }
  return true;
}

namespace {

json::object addressToJson(const EndpointAddress& a) {
  json::object out;
  out["ip"] = a.ip;
  if (!a.hostname.empty()) out["hostname"] = a.hostname;
  if (!a.nodeName.empty()) out["nodeName"] = a.nodeName;
  out["targetRef"] = json::object{{"kind", "Pod"}, {"namespace", a.podNamespace},
                                  {"name", a.podName}, {"uid", a.podUid}};
  return out;
}

json::object portToJson(const EndpointPort& p) {
  json::object out;
  if (!p.name.empty()) out["name"] = p.name;
  out["port"] = p.port;
  out["protocol"] = p.protocol;
  if (!p.appProtocol.empty()) out["appProtocol"] = p.appProtocol;
  return out;
}

}  // namespace

json::array subsetsToJson(const std::vector<EndpointSubset>& subsets) {
  json::array out;
  out.reserve(subsets.size());
  for (const EndpointSubset& s : subsets) {
    json::array ready, notReady, ports;
    for (const EndpointAddress& a : s.addresses) (a.ready ? ready : notReady).push_back(addressToJson(a));
    for (const EndpointPort& p : s.ports) ports.push_back(portToJson(p));
    json::object subset;
    if (!ready.empty()) subset["addresses"] = std::move(ready);
    if (!notReady.empty()) subset["notReadyAddresses"] = std::move(notReady);
    if (!ports.empty()) subset["ports"] = std::move(ports);
    if (!subset.empty()) out.push_back(std::move(subset));
  }
  return out;
}

}  // namespace kcpp::controllers::endpoint
