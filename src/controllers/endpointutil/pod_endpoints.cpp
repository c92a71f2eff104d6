#include "controllers/endpointutil/pod_endpoints.h"

#include "api/meta/object.h"

namespace kcpp::controllers::endpointutil {

std::string stringAt(const json::object& obj, std::string_view dottedPath) {
  const json::value* v = api::findPath(obj, dottedPath);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string labelOf(const json::object& obj, std::string_view key) {
  const json::value* labels = api::findPath(obj, "metadata.labels");
  if (!labels || !labels->is_object()) return "";
  const json::value* v = labels->get_object().if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool isPodReady(const json::object& pod) {
  const json::value* conditions = api::findPath(pod, "status.conditions");
  if (!conditions || !conditions->is_array()) return false;
  for (const json::value& c : conditions->get_array()) {
    if (c.is_object() && api::getString(c.get_object(), "type") == "Ready") {
      return api::getString(c.get_object(), "status") == "True";
    }
  }
  return false;
}

bool isPodTerminating(const json::object& pod) {
  return api::findPath(pod, "metadata.deletionTimestamp") != nullptr;
}

bool shouldPodBeInEndpoints(const json::object& pod, bool includeTerminating) {
  std::string phase = stringAt(pod, "status.phase");
  if (phase == "Succeeded" || phase == "Failed") return false;
  if (podIPs(pod).empty()) return false;
  return includeTerminating || !isPodTerminating(pod);
}

bool shouldSetHostname(const json::object& pod, const json::object& service) {
  return !stringAt(pod, "spec.hostname").empty() &&
         stringAt(pod, "spec.subdomain") == api::metaName(service) &&
         api::metaNamespace(pod) == api::metaNamespace(service);
}

namespace {

std::string protocolOf(const json::object& port) {
  std::string_view p = api::getString(port, "protocol");
  return p.empty() ? "TCP" : std::string(p);
}

std::optional<std::int64_t> namedPortIn(const json::value* containers, std::string_view name,
                                        const std::string& protocol, bool sidecarsOnly) {
  if (!containers || !containers->is_array()) return std::nullopt;
  for (const json::value& c : containers->get_array()) {
    if (!c.is_object()) continue;
    if (sidecarsOnly && api::getString(c.get_object(), "restartPolicy") != "Always") continue;
    const json::value* ports = c.get_object().if_contains("ports");
    if (!ports || !ports->is_array()) continue;
    for (const json::value& p : ports->get_array()) {
      if (!p.is_object()) continue;
      const json::object& port = p.get_object();
      const json::value* number = port.if_contains("containerPort");
      if (api::getString(port, "name") == name && protocolOf(port) == protocol && number &&
          number->is_int64()) {
        return number->get_int64();
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> findPort(const json::object& pod, const json::object& servicePort) {
  const json::value* target = servicePort.if_contains("targetPort");
  if (!target) target = servicePort.if_contains("port");  // the server defaults it so
  if (target && target->is_int64()) return target->get_int64();
  if (!target || !target->is_string()) return std::nullopt;
  std::string protocol = protocolOf(servicePort);
  std::string_view name = target->get_string();
  if (auto p = namedPortIn(api::findPath(pod, "spec.containers"), name, protocol, false)) return p;
  return namedPortIn(api::findPath(pod, "spec.initContainers"), name, protocol, true);
}

std::vector<std::string> podIPs(const json::object& pod) {
  std::vector<std::string> out;
  const json::value* ips = api::findPath(pod, "status.podIPs");
  if (ips && ips->is_array()) {
    for (const json::value& ip : ips->get_array()) {
      if (ip.is_object() && !api::getString(ip.get_object(), "ip").empty()) {
        out.emplace_back(api::getString(ip.get_object(), "ip"));
      }
    }
  }
  if (out.empty()) {
    std::string ip = stringAt(pod, "status.podIP");
    if (!ip.empty()) out.push_back(std::move(ip));
  }
  return out;
}

bool isIPv6(std::string_view ip) { return ip.find(':') != std::string_view::npos; }

std::string podIPOfFamily(const json::object& pod, std::string_view family) {
  for (std::string& ip : podIPs(pod)) {
    if (isIPv6(ip) == (family == "IPv6")) return std::move(ip);
  }
  return "";
}

std::optional<selectors::Labels> serviceSelector(const json::object& service) {
  const json::value* sel = api::findPath(service, "spec.selector");
  if (!sel || !sel->is_object() || sel->get_object().empty()) return std::nullopt;
  selectors::Labels labels;
  for (const auto& kv : sel->get_object()) {
    if (kv.value().is_string()) labels[std::string(kv.key())] = std::string(kv.value().get_string());
  }
  return labels;
}

bool isServiceIPSet(const json::object& service) {
  std::string ip = stringAt(service, "spec.clusterIP");
  return !ip.empty() && ip != "None";
}

namespace {

bool hostnameAndSubdomainEqual(const json::object& a, const json::object& b) {
  return stringAt(a, "spec.hostname") == stringAt(b, "spec.hostname") &&
         stringAt(a, "spec.subdomain") == stringAt(b, "spec.subdomain");
}

// podEndpointsChanged: did anything an endpoint shows change?
bool podEndpointsChanged(const json::object& oldPod, const json::object& newPod) {
  return isPodTerminating(oldPod) != isPodTerminating(newPod) ||
         isPodReady(oldPod) != isPodReady(newPod) || podIPs(oldPod) != podIPs(newPod) ||
         stringAt(oldPod, "status.phase") != stringAt(newPod, "status.phase") ||
         stringAt(oldPod, "spec.nodeName") != stringAt(newPod, "spec.nodeName");
}

}  // namespace

bool selectorPicks(const selectors::Labels& selector, const json::object& obj) {
  const json::value* labels = api::findPath(obj, "metadata.labels");
  const json::object* map = labels && labels->is_object() ? &labels->get_object() : nullptr;
  for (const auto& [k, v] : selector) {
    const json::value* have = map ? map->if_contains(k) : nullptr;
    if (!have || !have->is_string() || have->get_string() != v) return false;
  }
  return true;
}

std::set<std::string> podServiceMemberships(const client::Informer& services, const json::object& pod) {
  std::set<std::string> out;
  for (const client::ObjectPtr& svc : services.byIndex("namespace", std::string(api::metaNamespace(pod)))) {
    auto selector = serviceSelector(*svc);
    if (selector && selectorPicks(*selector, pod)) out.insert(client::objectKey(*svc));
  }
  return out;
}

std::set<std::string> servicesToUpdateOnPodChange(const client::Informer& services,
                                                  const json::object& oldPod, const json::object& newPod) {
  if (api::metaResourceVersion(oldPod) == api::metaResourceVersion(newPod)) return {};
  bool podChanged = podEndpointsChanged(oldPod, newPod);
  bool labelsChanged = api::metaLabels(oldPod) != api::metaLabels(newPod) ||
                       !hostnameAndSubdomainEqual(oldPod, newPod);
  if (!podChanged && !labelsChanged) return {};
  std::set<std::string> now = podServiceMemberships(services, newPod);
  if (!labelsChanged) return now;
  std::set<std::string> before = podServiceMemberships(services, oldPod);
  if (podChanged) {  // every Service it was or is in
    now.insert(before.begin(), before.end());
    return now;
  }
  // Only membership moved (determineNeededServiceUpdates): those it left or joined.
  std::set<std::string> moved;
  for (const auto& k : now) if (!before.contains(k)) moved.insert(k);
  for (const auto& k : before) if (!now.contains(k)) moved.insert(k);
  // A hostname/subdomain change alters the endpoints of the Services it stays in too.
  if (!hostnameAndSubdomainEqual(oldPod, newPod)) moved.insert(now.begin(), now.end());
  return moved;
}

}  // namespace kcpp::controllers::endpointutil
