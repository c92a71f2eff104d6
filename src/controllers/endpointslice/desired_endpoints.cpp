#include "controllers/endpointslice/desired_endpoints.h"

#include <algorithm>

#include "api/meta/object.h"
#include "controllers/endpointutil/pod_endpoints.h"

namespace kcpp::controllers::endpointslice {

using endpointutil::stringAt;

std::set<std::string> addressTypesFor(const json::object& service) {
  std::set<std::string> out;
  const json::value* families = api::findPath(service, "spec.ipFamilies");
  if (families && families->is_array()) {
    for (const json::value& f : families->get_array()) {
      if (f.is_string() && (f.get_string() == "IPv4" || f.get_string() == "IPv6")) {
        out.emplace(f.get_string());
      }
    }
  }
  if (!out.empty()) return out;
  if (endpointutil::isServiceIPSet(service)) {
    out.insert(endpointutil::isIPv6(stringAt(service, "spec.clusterIP")) ? "IPv6" : "IPv4");
    return out;
  }
  return {"IPv4", "IPv6"};
}

namespace {

json::array endpointPorts(const json::object& service, const json::object& pod) {
  json::array out;
  const json::value* ports = api::findPath(service, "spec.ports");
  if (!ports || !ports->is_array()) return out;  // a headless Service may have none
  for (const json::value& p : ports->get_array()) {
    if (!p.is_object()) continue;
    auto number = endpointutil::findPort(pod, p.get_object());
    if (!number) continue;
    const json::object& sp = p.get_object();
    std::string protocol(api::getString(sp, "protocol"));
    json::object port{{"name", api::getString(sp, "name")},
                      {"port", *number},
                      {"protocol", protocol.empty() ? "TCP" : protocol}};
    if (!api::getString(sp, "appProtocol").empty()) port["appProtocol"] = api::getString(sp, "appProtocol");
    out.push_back(std::move(port));
  }
  return out;
}

json::array addressesOf(const json::object& pod, const std::string& addressType) {
  json::array out;
  for (const std::string& ip : endpointutil::podIPs(pod)) {
    if (endpointutil::isIPv6(ip) == (addressType == "IPv6")) out.emplace_back(ip);
  }
  return out;
}

json::object podToEndpoint(const json::object& pod, const json::object* node, const json::object& service,
                           json::array addresses) {
  const json::value* publish = api::findPath(service, "spec.publishNotReadyAddresses");
  bool publishNotReady = publish && publish->is_bool() && publish->get_bool();
  bool serving = endpointutil::isPodReady(pod);
  bool terminating = endpointutil::isPodTerminating(pod);
  // "ready" is never true for a terminating pod unless publishNotReadyAddresses.
  bool ready = publishNotReady || (serving && !terminating);
  json::object ep;
  ep["addresses"] = std::move(addresses);
  ep["conditions"] = json::object{{"ready", ready}, {"serving", serving}, {"terminating", terminating}};
  if (endpointutil::shouldSetHostname(pod, service)) ep["hostname"] = stringAt(pod, "spec.hostname");
  ep["targetRef"] = json::object{{"kind", "Pod"}, {"namespace", api::metaNamespace(pod)},
                                 {"name", api::metaName(pod)}, {"uid", stringAt(pod, "metadata.uid")}};
  std::string nodeName = stringAt(pod, "spec.nodeName");
  if (!nodeName.empty()) ep["nodeName"] = nodeName;
  if (node) {
    std::string zone = endpointutil::labelOf(*node, kZoneLabel);
    if (!zone.empty()) ep["zone"] = zone;
  }
  return ep;
}

}  // namespace

std::string portMapKey(const json::array& ports) {
  std::vector<std::string> parts;
  for (const json::value& p : ports) parts.push_back(json::serialize(p));
  std::sort(parts.begin(), parts.end());
  std::string key;
  for (const std::string& part : parts) key += part + ";";
  return key;
}

std::string endpointKey(const json::object& endpoint) {
  std::string key;
  if (const json::value* addresses = endpoint.if_contains("addresses"); addresses && addresses->is_array()) {
    for (const json::value& a : addresses->get_array()) {
      if (a.is_string()) key += std::string(a.get_string()) + ",";
    }
  }
  key += "|" + std::string(api::getString(endpoint, "hostname")) + "|";
  if (const json::object* ref = api::findObject(endpoint, "targetRef")) {
    key += std::string(api::getString(*ref, "namespace")) + "/" + std::string(api::getString(*ref, "name"));
  }
  return key;
}

DesiredState desiredEndpoints(const json::object& service, const std::vector<PodPtr>& pods,
                              const std::string& addressType, const NodeLookup& nodes) {
  DesiredState state;
  const json::value* publish = api::findPath(service, "spec.publishNotReadyAddresses");
  bool publishNotReady = publish && publish->is_bool() && publish->get_bool();
  for (const PodPtr& pod : pods) {
    // Terminating pods stay, marked terminating (upstream: includeTerminating).
    if (!endpointutil::shouldPodBeInEndpoints(*pod, true)) continue;
    std::shared_ptr<const json::object> node = nodes(stringAt(*pod, "spec.nodeName"));
    if (!node && !publishNotReady) {
      // A pod on a node that does not exist is left out until the node shows
      // up or the pod goes, unless its address is to be published anyway.
      state.podsWithoutNode.emplace_back(api::metaName(*pod));
      continue;
    }
    json::array addresses = addressesOf(*pod, addressType);
    if (addresses.empty()) continue;
    json::array ports = endpointPorts(service, *pod);
    std::string groupKey = portMapKey(ports);
    PortGroup& group = state.groups[groupKey];
    if (group.endpoints.empty()) group.ports = std::move(ports);
    json::object endpoint = podToEndpoint(*pod, node.get(), service, std::move(addresses));
    std::string key = endpointKey(endpoint);
    group.endpoints.push_back(DesiredEndpoint{std::move(key), std::move(endpoint)});
  }
  return state;
}

json::object sliceLabels(const json::object& service, std::string_view controllerName) {
  json::object labels;
  if (const json::value* l = api::findPath(service, "metadata.labels"); l && l->is_object()) {
    for (const auto& kv : l->get_object()) {
      if (kv.key() == endpointutil::kServiceNameLabel || kv.key() == kManagedByLabel ||
          kv.key() == endpointutil::kHeadlessLabel) {
        continue;  // reserved: the controller sets these
      }
      labels[kv.key()] = kv.value();
    }
  }
  if (!endpointutil::isServiceIPSet(service)) labels[endpointutil::kHeadlessLabel] = "";
  labels[endpointutil::kServiceNameLabel] = api::metaName(service);
  labels[kManagedByLabel] = controllerName;
  return labels;
}

}  // namespace kcpp::controllers::endpointslice
