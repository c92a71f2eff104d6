#include "apiserver/registry/services/service_defaults.h"

#include <map>

#include "apiserver/registry/services/service_fields.h"
#include "apiserver/registry/services/service_ip_allocator.h"

namespace kcpp::apiserver::service {

namespace {

constexpr std::int64_t kDefaultClientIPTimeoutSeconds = 10800;

bool absent(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() || it->value().is_null();
}

void setOrErase(json::object& obj, std::string_view key, const std::vector<std::string>& values) {
  if (values.empty())
    obj.erase(key);
  else
    obj[key] = toArray(values);
}

void setOrErase(json::object& obj, std::string_view key, std::string_view value) {
  if (value.empty())
    obj.erase(key);
  else
    obj[key] = json::string(value);
}

void defaultSessionAffinity(json::object& spec) {
  if (stringOf(spec, "sessionAffinity").empty()) spec["sessionAffinity"] = "None";
  std::string_view affinity = stringOf(spec, "sessionAffinity");
  if (affinity == "None") spec.erase("sessionAffinityConfig");
  if (affinity != "ClientIP") return;
  const json::value* timeout = nullptr;
  if (auto* config = spec.if_contains("sessionAffinityConfig"); config && config->is_object()) {
    if (auto* clientIP = config->get_object().if_contains("clientIP");
        clientIP && clientIP->is_object()) {
      timeout = clientIP->get_object().if_contains("timeoutSeconds");
    }
  }
  if (!timeout || timeout->is_null()) {
    json::object clientIP{{"timeoutSeconds", kDefaultClientIPTimeoutSeconds}};
    spec["sessionAffinityConfig"] = json::object{{"clientIP", std::move(clientIP)}};
  }
}

void defaultPort(json::object& port) {
  if (stringOf(port, "protocol").empty()) port["protocol"] = "TCP";
  const json::value* target = port.if_contains("targetPort");
  bool unset = !target || target->is_null() || (isInt(target) && intOf(port, "targetPort") == 0) ||
               (target->is_string() && target->get_string().empty());
  if (unset) port["targetPort"] = intOf(port, "port");
}

void defaultLoadBalancerIPMode(json::object& svc) {
  json::value* status = svc.if_contains("status");
  json::value* lb =
      status && status->is_object() ? status->get_object().if_contains("loadBalancer") : nullptr;
  json::value* ingress = lb && lb->is_object() ? lb->get_object().if_contains("ingress") : nullptr;
  if (!ingress || !ingress->is_array()) return;
  for (auto& entry : ingress->get_array()) {
    if (!entry.is_object()) continue;
    json::object& e = entry.get_object();
    if (!stringOf(e, "ip").empty() && absent(e, "ipMode")) e["ipMode"] = "VIP";
  }
}

bool sameStrings(const json::object& a, const json::object& b, std::string_view key) {
  return stringsOf(specOf(a), key) == stringsOf(specOf(b), key);
}

bool sameClusterIPs(const json::object& a, const json::object& b) {
  return stringOf(specOf(a), "clusterIP") == stringOf(specOf(b), "clusterIP") &&
         sameStrings(a, b, "clusterIPs");
}

bool isSubset(const std::set<std::int64_t>& small, const std::set<std::int64_t>& big) {
  for (auto v : small) {
    if (!big.count(v)) return false;
  }
  return true;
}

std::set<std::int64_t> portNodePorts(const json::object& svc) {
  std::set<std::int64_t> out;
  for (const json::object* p : portsOf(svc)) {
    if (std::int64_t n = intOf(*p, "nodePort"); n != 0) out.insert(n);
  }
  return out;
}

void patchNodePorts(json::object& svc, const json::object& old) {
  std::set<std::int64_t> used;
  std::set<std::int64_t> newPorts = portNodePorts(svc);
  for (auto n : portNodePorts(old)) {
    if (newPorts.count(n)) used.insert(n);
  }
  std::map<std::string, std::int64_t, std::less<>> byName;
  for (const json::object* p : portsOf(old))
    byName[std::string(stringOf(*p, "name"))] = intOf(*p, "nodePort");
  for (json::object* p : portsOf(svc)) {
    if (intOf(*p, "nodePort") != 0) continue;
    auto it = byName.find(stringOf(*p, "name"));
    std::int64_t oldValue = it == byName.end() ? 0 : it->second;
    if (oldValue != 0 && !used.count(oldValue)) (*p)["nodePort"] = oldValue;
  }
}

// The family of a cluster IP this cluster can serve; empty for IPv6 and junk.
std::string_view familyOf(std::string_view ip) {
  return parseIpv4(ip) ? std::string_view("IPv4") : std::string_view();
}

}  // namespace

void applyServiceDefaults(json::object& svc) {
  json::object& spec = specOf(svc);
  defaultSessionAffinity(spec);
  if (stringOf(spec, "type").empty()) spec["type"] = std::string(kClusterIP);
  for (json::object* port : portsOf(svc)) defaultPort(*port);
  if (externallyAccessible(svc) && stringOf(spec, "externalTrafficPolicy").empty()) {
    spec["externalTrafficPolicy"] = "Cluster";
  }
  std::string_view type = typeOf(svc);
  if (absent(spec, "internalTrafficPolicy") &&
      (type == kNodePort || type == kLoadBalancer || type == kClusterIP)) {
    spec["internalTrafficPolicy"] = "Cluster";
  }
  if (type == kLoadBalancer) {
    if (absent(spec, "allocateLoadBalancerNodePorts")) spec["allocateLoadBalancerNodePorts"] = true;
    defaultLoadBalancerIPMode(svc);
  }
}

void normalizeClusterIPs(json::object& svc, const json::object* old) {
  json::object& spec = specOf(svc);
  std::string clusterIP(stringOf(spec, "clusterIP"));
  if (!old) {
    if (!clusterIP.empty() && stringsOf(spec, "clusterIPs").empty()) {
      spec["clusterIPs"] = toArray({clusterIP});
    }
    return;
  }
  const json::object& oldSpec = specOf(*old);
  std::string_view oldClusterIP = stringOf(oldSpec, "clusterIP");
  auto oldIPs = stringsOf(oldSpec, "clusterIPs");
  if (!oldIPs.empty() && stringsOf(spec, "clusterIPs").empty() && oldClusterIP == clusterIP) {
    spec["clusterIPs"] = toArray(oldIPs);
  }
  if (oldClusterIP == clusterIP || !sameStrings(svc, *old, "clusterIPs")) return;
  if (!oldClusterIP.empty() && clusterIP.empty()) {
    spec.erase("clusterIPs");  // a client clearing clusterIP
  } else {
    spec["clusterIPs"] = toArray({clusterIP});  // a client changing only clusterIP
  }
}

void patchAllocatedValues(json::object& svc, const json::object& old) {
  json::object& spec = specOf(svc);
  const json::object& oldSpec = specOf(old);
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (stringOf(spec, "clusterIP").empty())
      setOrErase(spec, "clusterIP", stringOf(oldSpec, "clusterIP"));
    if (stringsOf(spec, "clusterIPs").empty())
      setOrErase(spec, "clusterIPs", stringsOf(oldSpec, "clusterIPs"));
  }
  if (needsNodePort(old) && needsNodePort(svc)) patchNodePorts(svc, old);
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(svc) &&
      intOf(spec, "healthCheckNodePort") == 0 && intOf(oldSpec, "healthCheckNodePort") != 0) {
    spec["healthCheckNodePort"] = intOf(oldSpec, "healthCheckNodePort");
  }
}

void dropTypeDependentFields(json::object& svc, const json::object& old) {
  json::object& spec = specOf(svc);
  const json::object& oldSpec = specOf(old);
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (sameClusterIPs(svc, old)) {
      spec.erase("clusterIP");
      spec.erase("clusterIPs");
    }
    if (sameStrings(svc, old, "ipFamilies")) spec.erase("ipFamilies");
    if (stringOf(spec, "ipFamilyPolicy") == stringOf(oldSpec, "ipFamilyPolicy")) {
      spec.erase("ipFamilyPolicy");
    }
  }
  if (needsNodePort(old) && !needsNodePort(svc) &&
      isSubset(portNodePorts(svc), portNodePorts(old))) {
    for (json::object* p : portsOf(svc)) p->erase("nodePort");
  }
  if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(svc) &&
      intOf(spec, "healthCheckNodePort") == intOf(oldSpec, "healthCheckNodePort")) {
    spec.erase("healthCheckNodePort");
  }
}

void trimForSingleStack(json::object& svc, const json::object& old) {
  std::string_view oldPolicy = stringOf(specOf(old), "ipFamilyPolicy");
  json::object& spec = specOf(svc);
  if ((oldPolicy != "RequireDualStack" && oldPolicy != "PreferDualStack") ||
      stringOf(spec, "ipFamilyPolicy") != "SingleStack") {
    return;
  }
  for (std::string_view key : {"clusterIPs", "ipFamilies"}) {
    auto values = stringsOf(spec, key);
    if (values.size() > 1) spec[key] = toArray({values[0]});
  }
}

void defaultIPFamilies(json::object& svc, const json::object* old) {
  if (!needsClusterIP(svc)) return;
  json::object& spec = specOf(svc);
  bool headlessSelectorless = stringOf(spec, "clusterIP") == kNone && !hasSelector(svc);
  if (stringOf(spec, "ipFamilyPolicy").empty()) {
    std::string_view oldPolicy = old ? stringOf(specOf(*old), "ipFamilyPolicy") : "";
    spec["ipFamilyPolicy"] = json::string(!oldPolicy.empty()     ? oldPolicy
                                          : headlessSelectorless ? "RequireDualStack"
                                                                 : "SingleStack");
  }
  auto families = stringsOf(spec, "ipFamilies");
  auto ips = stringsOf(spec, "clusterIPs");
  for (std::size_t i = families.size(); i < ips.size() && ips[i] != kNone; ++i) {
    if (familyOf(ips[i]).empty()) return;  // IPv6: validation says it is not configured
    families.emplace_back(familyOf(ips[i]));
  }
  if (families.empty()) families.emplace_back("IPv4");
  if (headlessSelectorless && families.size() < 2 &&
      stringOf(spec, "ipFamilyPolicy") != "SingleStack") {
    families.emplace_back(families[0] == "IPv4" ? "IPv6" : "IPv4");
  }
  spec["ipFamilies"] = toArray(families);
}

void prepareServiceCreate(json::object& svc) {
  svc["status"] = json::object{{"loadBalancer", json::object()}};
  applyServiceDefaults(svc);
  normalizeClusterIPs(svc, nullptr);
  defaultIPFamilies(svc, nullptr);
}

void prepareServiceUpdate(json::object& svc, const json::object& old) {
  applyServiceDefaults(svc);
  patchAllocatedValues(svc, old);
  normalizeClusterIPs(svc, &old);
  dropTypeDependentFields(svc, old);
  trimForSingleStack(svc, old);
  defaultIPFamilies(svc, &old);
}

}  // namespace kcpp::apiserver::service
