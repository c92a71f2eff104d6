// ValidateService: ports, selector, session affinity, type and traffic policies.
#include "apiserver/registry/services/service_validation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <string>

#include "api/meta/status.h"
#include "api/selectors/label_validation.h"
#include "api/validation/names.h"
#include "apiserver/registry/services/field_errors.h"
#include "apiserver/registry/services/service_fields.h"

namespace kcpp::apiserver::service {

namespace {

const char* kInvalidIP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const char* kOnlyLoadBalancer = "may only be used when `type` is 'LoadBalancer'";
constexpr std::int64_t kMaxClientIPTimeoutSeconds = 86400;

std::string portPath(std::size_t i) { return "spec.ports[" + std::to_string(i) + "]"; }

std::vector<std::string> portNameProblems(std::string_view name) {
  std::vector<std::string> out;
  if (name.size() > 15) out.emplace_back("must be no more than 15 characters");
  bool charset = !name.empty(), letter = false;
  for (char c : name) {
    charset = charset && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    letter = letter || (c >= 'a' && c <= 'z');
  }
  if (!charset)
    out.emplace_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!letter) out.emplace_back("must contain at least one letter (a-z)");
  if (name.find("--") != std::string_view::npos)
    out.emplace_back("must not contain consecutive hyphens");
  if (!name.empty() && (name.front() == '-' || name.back() == '-')) {
    out.emplace_back("must not begin or end with a hyphen");
  }
  return out;
}

std::string validPortNumber(std::int64_t port) {
  return port >= 1 && port <= 65535 ? "" : "must be between 1 and 65535, inclusive";
}

void checkPortName(const json::object& port, const std::string& path, bool requireName,
                   std::set<std::string>& names, std::vector<Cause>& causes) {
  std::string name(stringOf(port, "name"));
  if (requireName && name.empty()) {
    causes.push_back(api::fieldRequired(path + ".name", ""));
    return;
  }
  if (name.empty()) return;
  for (const auto& problem : api::dns1123LabelProblems(name)) {
    causes.push_back(invalidString(path + ".name", name, problem));
  }
  if (!names.insert(name).second) causes.push_back(duplicateValue(path + ".name", goQuote(name)));
}

void checkTargetPort(const json::object& port, const std::string& path,
                     std::vector<Cause>& causes) {
  const json::value* target = port.if_contains("targetPort");
  if (target && target->is_string()) {
    for (const auto& problem : portNameProblems(target->get_string())) {
      causes.push_back(invalidString(path + ".targetPort", target->get_string(), problem));
    }
    return;
  }
  std::int64_t number = intOf(port, "targetPort");
  if (auto problem = validPortNumber(number); !problem.empty()) {
    causes.push_back(invalidInt(path + ".targetPort", number, problem));
  }
}

void checkPort(const json::object& port, std::size_t i, bool requireName,
               std::set<std::string>& names, std::vector<Cause>& causes) {
  std::string path = portPath(i);
  checkPortName(port, path, requireName, names, causes);
  std::int64_t number = intOf(port, "port");
  if (auto problem = validPortNumber(number); !problem.empty()) {
    causes.push_back(invalidInt(path + ".port", number, problem));
  }
  std::string_view protocol = stringOf(port, "protocol");
  if (protocol.empty()) {
    causes.push_back(api::fieldRequired(path + ".protocol", ""));
  } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
    causes.push_back(notSupported(path + ".protocol", goQuote(protocol), {"SCTP", "TCP", "UDP"}));
  }
  checkTargetPort(port, path, causes);
  if (const json::value* app = port.if_contains("appProtocol"); app && app->is_string()) {
    for (const auto& problem : selectors::qualifiedNameErrors(app->get_string())) {
      causes.push_back(invalidString(path + ".appProtocol", app->get_string(), problem));
    }
  }
}

void checkTypeSpecific(const json::object& svc, std::vector<Cause>& causes) {
  const json::object& spec = specOf(svc);
  std::string_view type = typeOf(svc);
  if ((type == kLoadBalancer || type == kNodePort) && isHeadless(svc)) {
    causes.push_back(
        invalidString("spec.clusterIPs[0]", kNone,
                      "may not be set to 'None' for " + std::string(type) + " services"));
  }
  if (type != kExternalName) return;
  const char* notForExternalName = "may not be set for ExternalName services";
  if (!clusterIPsOf(svc).empty())
    causes.push_back(api::fieldForbidden("spec.clusterIPs", notForExternalName));
  if (!stringsOf(spec, "ipFamilies").empty()) {
    causes.push_back(api::fieldForbidden("spec.ipFamilies", notForExternalName));
  }
  if (!stringOf(spec, "ipFamilyPolicy").empty()) {
    causes.push_back(api::fieldForbidden("spec.ipFamilyPolicy", notForExternalName));
  }
  std::string cname(stringOf(spec, "externalName"));
  if (!cname.empty() && cname.back() == '.') cname.pop_back();
  if (cname.empty()) {
    causes.push_back(api::fieldRequired("spec.externalName", ""));
    return;
  }
  for (const auto& problem : api::dns1123SubdomainProblems(cname)) {
    causes.push_back(invalidString("spec.externalName", cname, problem));
  }
}

void checkSelector(const json::object& spec, std::vector<Cause>& causes) {
  const json::value* selector = spec.if_contains("selector");
  if (!selector || !selector->is_object()) return;
  for (const auto& kv : selector->get_object()) {
    for (const auto& problem : selectors::qualifiedNameErrors(kv.key())) {
      causes.push_back(invalidString("spec.selector", kv.key(), problem));
    }
    std::string_view value =
        kv.value().is_string() ? std::string_view(kv.value().get_string()) : "";
    for (const auto& problem : selectors::labelValueErrors(value)) {
      causes.push_back(invalidString("spec.selector", value, problem));
    }
  }
}

void checkClientIPConfig(const json::object& spec, std::vector<Cause>& causes) {
  const std::string why = "when session affinity type is ClientIP";
  const json::value* config = spec.if_contains("sessionAffinityConfig");
  if (!config || !config->is_object()) {
    causes.push_back(api::fieldRequired("spec.sessionAffinityConfig", why));
    return;
  }
  const json::value* clientIP = config->get_object().if_contains("clientIP");
  if (!clientIP || !clientIP->is_object()) {
    causes.push_back(api::fieldRequired("spec.sessionAffinityConfig.clientIP", why));
    return;
  }
  const char* path = "spec.sessionAffinityConfig.clientIP.timeoutSeconds";
  const json::value* timeout = clientIP->get_object().if_contains("timeoutSeconds");
  if (!timeout || timeout->is_null()) {
    causes.push_back(api::fieldRequired(path, why));
    return;
  }
  std::int64_t seconds = intOf(clientIP->get_object(), "timeoutSeconds");
  if (seconds <= 0 || seconds > kMaxClientIPTimeoutSeconds) {
    causes.push_back(invalidInt(path, seconds, "must be greater than 0 and less than 86400"));
  }
}

void checkSessionAffinity(const json::object& spec, std::vector<Cause>& causes) {
  std::string_view affinity = stringOf(spec, "sessionAffinity");
  if (affinity.empty()) {
    causes.push_back(api::fieldRequired("spec.sessionAffinity", ""));
  } else if (affinity != "ClientIP" && affinity != "None") {
    causes.push_back(notSupported("spec.sessionAffinity", goQuote(affinity), {"ClientIP", "None"}));
  }
  if (affinity == "ClientIP") {
    checkClientIPConfig(spec, causes);
  } else if (affinity == "None" && spec.if_contains("sessionAffinityConfig") &&
             !spec.at("sessionAffinityConfig").is_null()) {
    causes.push_back(api::fieldForbidden("spec.sessionAffinityConfig",
                                         "must not be set when session affinity is None"));
  }
}

std::vector<std::string> specialIPProblems(std::string_view ip) {
  std::vector<std::string> out;
  std::string copy(ip);
  in_addr v4{};
  in6_addr v6{};
  bool unspecified = false, loopback = false, linkLocal = false, linkLocalMulticast = false;
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    std::uint32_t a = ntohl(v4.s_addr);
    unspecified = a == 0;
    loopback = (a >> 24) == 127;
    linkLocal = (a >> 16) == 0xa9fe;
    linkLocalMulticast = (a >> 8) == 0xe00000;
  } else if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
    const unsigned char* b = v6.s6_addr;
    static const unsigned char kZero[16] = {};
    unspecified = std::equal(b, b + 16, kZero);
    loopback = std::equal(b, b + 15, kZero) && b[15] == 1;
    linkLocal = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
    linkLocalMulticast = b[0] == 0xff && (b[1] & 0x0f) == 0x02;
  }
  if (unspecified) out.push_back("may not be unspecified (" + copy + ")");
  if (loopback) out.emplace_back("may not be in the loopback range (127.0.0.0/8, ::1/128)");
  if (linkLocal) out.emplace_back("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
  if (linkLocalMulticast) {
    out.emplace_back("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
  }
  return out;
}

void checkExternalIPs(const json::object& spec, std::vector<Cause>& causes) {
  auto ips = stringsOf(spec, "externalIPs");
  for (std::size_t i = 0; i < ips.size(); ++i) {
    std::string path = "spec.externalIPs[" + std::to_string(i) + "]";
    if (!isValidIP(ips[i])) {
      causes.push_back(invalidString(path, ips[i], kInvalidIP));
      continue;
    }
    for (const auto& problem : specialIPProblems(ips[i])) {
      causes.push_back(invalidString(path, ips[i], problem));
    }
  }
}

void checkType(const json::object& svc, std::vector<Cause>& causes) {
  std::string_view type = typeOf(svc);
  if (type.empty()) {
    causes.push_back(api::fieldRequired("spec.type", ""));
  } else if (type != kClusterIP && type != kNodePort && type != kLoadBalancer &&
             type != kExternalName) {
    causes.push_back(notSupported("spec.type", goQuote(type),
                                  {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));
  }
}

std::string goServicePortKey(std::string_view protocol, std::int64_t port) {
  return "core.ServicePort{Name:\"\", Protocol:" + goQuote(protocol) +
         ", AppProtocol:(*string)(nil), Port:" + std::to_string(port) +
         ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}";
}

void checkPortUniqueness(const json::object& svc, std::vector<Cause>& causes) {
  auto ports = portsOf(svc);
  if (typeOf(svc) == kClusterIP) {
    for (std::size_t i = 0; i < ports.size(); ++i) {
      if (intOf(*ports[i], "nodePort") != 0) {
        causes.push_back(api::fieldForbidden(portPath(i) + ".nodePort",
                                             "may not be used when `type` is 'ClusterIP'"));
      }
    }
  }
  std::set<std::pair<std::string, std::int64_t>> nodePorts, servicePorts;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    std::string protocol(stringOf(*ports[i], "protocol"));
    std::int64_t nodePort = intOf(*ports[i], "nodePort");
    if (nodePort != 0 && !nodePorts.emplace(protocol, nodePort).second) {
      causes.push_back(duplicateValue(portPath(i) + ".nodePort", std::to_string(nodePort)));
    }
  }
  for (std::size_t i = 0; i < ports.size(); ++i) {
    std::string protocol(stringOf(*ports[i], "protocol"));
    std::int64_t port = intOf(*ports[i], "port");
    if (!servicePorts.emplace(protocol, port).second) {
      causes.push_back(duplicateValue(portPath(i), goServicePortKey(protocol, port)));
    }
  }
}

bool isValidCIDR(std::string_view cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view address = cidr.substr(0, slash), digits = cidr.substr(slash + 1);
  int bits = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return false;
  if (isIPv6(address)) return bits >= 0 && bits <= 128;
  return isValidIP(address) && bits >= 0 && bits <= 32;
}

std::string_view trimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

void checkLoadBalancerFields(const json::object& svc, std::vector<Cause>& causes) {
  const json::object& spec = specOf(svc);
  bool loadBalancer = typeOf(svc) == kLoadBalancer;
  auto ranges = stringsOf(spec, "loadBalancerSourceRanges");
  if (!ranges.empty() && !loadBalancer) {
    causes.push_back(api::fieldForbidden("spec.LoadBalancerSourceRanges", kOnlyLoadBalancer));
  }
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    std::string_view value = trimSpace(ranges[i]);
    if (!isValidCIDR(value)) {
      causes.push_back(
          invalidString("spec.LoadBalancerSourceRanges[" + std::to_string(i) + "]", value,
                        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
    }
  }
  const json::value* allocate = spec.if_contains("allocateLoadBalancerNodePorts");
  bool allocateSet = allocate && !allocate->is_null();
  if (allocateSet && !loadBalancer) {
    causes.push_back(api::fieldForbidden("spec.allocateLoadBalancerNodePorts", kOnlyLoadBalancer));
  }
  if (loadBalancer && !allocateSet)
    causes.push_back(api::fieldRequired("allocateLoadBalancerNodePorts", ""));
  const json::value* lbClass = spec.if_contains("loadBalancerClass");
  if (!lbClass || !lbClass->is_string()) return;
  if (!loadBalancer) {
    causes.push_back(api::fieldForbidden("spec.loadBalancerClass", kOnlyLoadBalancer));
    return;
  }
  for (const auto& problem : selectors::qualifiedNameErrors(lbClass->get_string())) {
    causes.push_back(invalidString("spec.loadBalancerClass", lbClass->get_string(), problem));
  }
}

void checkTrafficPolicies(const json::object& svc, std::vector<Cause>& causes) {
  const json::object& spec = specOf(svc);
  std::string_view external = stringOf(spec, "externalTrafficPolicy");
  if (!externallyAccessible(svc)) {
    if (!external.empty()) {
      causes.push_back(invalidString("spec.externalTrafficPolicy", external,
                                     "may only be set for externally-accessible services"));
    }
  } else if (external.empty()) {
    causes.push_back(api::fieldRequired("spec.externalTrafficPolicy", ""));
  } else if (external != "Cluster" && external != "Local") {
    causes.push_back(
        notSupported("spec.externalTrafficPolicy", goQuote(external), {"Cluster", "Local"}));
  }
  std::int64_t healthCheck = intOf(spec, "healthCheckNodePort");
  if (!needsHealthCheckNodePort(svc) && healthCheck != 0) {
    causes.push_back(invalidInt("spec.healthCheckNodePort", healthCheck,
                                "may only be set when `type` is 'LoadBalancer' and "
                                "`externalTrafficPolicy` is 'Local'"));
  } else if (healthCheck != 0) {
    if (auto problem = validPortNumber(healthCheck); !problem.empty()) {
      causes.push_back(invalidInt("spec.healthCheckNodePort", healthCheck, problem));
    }
  }
  std::string_view internal = stringOf(spec, "internalTrafficPolicy");
  std::string_view type = typeOf(svc);
  if (internal.empty() && (type == kNodePort || type == kLoadBalancer || type == kClusterIP)) {
    causes.push_back(api::fieldRequired("spec.internalTrafficPolicy", ""));
  } else if (!internal.empty() && internal != "Cluster" && internal != "Local") {
    causes.push_back(
        notSupported("spec.internalTrafficPolicy", goQuote(internal), {"Cluster", "Local"}));
  }
  const json::value* distribution = spec.if_contains("trafficDistribution");
  if (distribution && distribution->is_string() && distribution->get_string() != "PreferClose") {
    causes.push_back(notSupported("spec.trafficDistribution", goQuote(distribution->get_string()),
                                  {"PreferClose"}));
  }
}

}  // namespace

std::vector<Cause> validateService(const json::object& svc) {
  if (auto early = validateClusterIPsRelatedFields(svc); !early.empty()) return early;
  if (auto early = validateIPFamilyConfig(svc); !early.empty()) return early;
  std::vector<Cause> causes;
  const json::object& spec = specOf(svc);
  auto ports = portsOf(svc);
  if (ports.empty() && !isHeadless(svc) && typeOf(svc) != kExternalName) {
    causes.push_back(api::fieldRequired("spec.ports", ""));
  }
  checkTypeSpecific(svc, causes);
  std::set<std::string> names;
  for (std::size_t i = 0; i < ports.size(); ++i)
    checkPort(*ports[i], i, ports.size() > 1, names, causes);
  checkSelector(spec, causes);
  checkSessionAffinity(spec, causes);
  checkExternalIPs(spec, causes);
  checkType(svc, causes);
  checkPortUniqueness(svc, causes);
  checkLoadBalancerFields(svc, causes);
  checkTrafficPolicies(svc, causes);
  return causes;
}

}  // namespace kcpp::apiserver::service
