#include "api/validation/cluster_kinds.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "api/selectors/label_validation.h"
#include "api/validation/names.h"
#include "api/validation/net_checks.h"
#include "api/validation/workload_common.h"

namespace kcpp::api::validation {
namespace {

constexpr std::string_view kRbacGroup = "rbac.authorization.k8s.io";

const json::object& emptyObject() {
  static const json::object empty;
  return empty;
}

const json::object& child(const json::object& o, std::string_view key) {
  const json::object* c = objectAt(o, key);
  return c ? *c : emptyObject();
}

const json::object& asObject(const json::value& v) { return v.is_object() ? v.get_object() : emptyObject(); }

void policyRules(const json::object& obj, bool namespaced, Causes& out) {
  const json::array* rules = arrayAt(obj, "rules");
  for (std::size_t i = 0; rules && i < rules->size(); ++i) {
    const json::object& r = asObject((*rules)[i]);
    Path p = Path("rules").index(i);
    if (strings(arrayAt(r, "verbs")).empty()) out.push_back(required(p.child("verbs"), "verbs must contain at least one value"));
    const json::value* urls = valueAt(r, "nonResourceURLs");
    if (!strings(arrayAt(r, "nonResourceURLs")).empty()) {
      if (namespaced) {
        out.push_back(invalidValue(p.child("nonResourceURLs"), goStringSlice(urls), "namespaced rules cannot apply to non-resource URLs"));
      }
      if (!strings(arrayAt(r, "apiGroups")).empty() || !strings(arrayAt(r, "resources")).empty() ||
          !strings(arrayAt(r, "resourceNames")).empty()) {
        out.push_back(invalidValue(p.child("nonResourceURLs"), goStringSlice(urls),
                                   "rules cannot apply to both regular resources and non-resource URLs"));
      }
      continue;
    }
    if (!arrayAt(r, "apiGroups") || arrayAt(r, "apiGroups")->empty()) {
      out.push_back(required(p.child("apiGroups"), "resource rules must supply at least one api group"));
    }
    if (strings(arrayAt(r, "resources")).empty()) {
      out.push_back(required(p.child("resources"), "resource rules must supply at least one resource"));
    }
  }
}

// The roleRef with upstream's defaulting of an empty apiGroup.
struct RoleRef {
  std::string apiGroup, kind, name;
  bool operator==(const RoleRef&) const = default;
};

RoleRef roleRefOf(const json::object& obj) {
  const json::object& ref = child(obj, "roleRef");
  std::string group(stringAt(ref, "apiGroup"));
  return {group.empty() ? std::string(kRbacGroup) : group, std::string(stringAt(ref, "kind")),
          std::string(stringAt(ref, "name"))};
}

void pathSegmentName(std::string_view name, const Path& p, Causes& out) {
  for (const auto& msg : nameProblems(NameRule::PathSegment, name)) out.push_back(invalidStr(p, name, msg));
}

void subject(const json::object& s, bool namespaced, const Path& p, Causes& out) {
  std::string_view name = stringAt(s, "name"), kind = stringAt(s, "kind"), group = stringAt(s, "apiGroup");
  if (name.empty()) out.push_back(required(p.child("name")));
  if (kind == "ServiceAccount") {
    if (!name.empty()) {
      for (const auto& msg : dns1123SubdomainProblems(name)) out.push_back(invalidStr(p.child("name"), name, msg));
    }
    if (!group.empty()) out.push_back(notSupportedStr(p.child("apiGroup"), group, {""}));
    if (!namespaced && stringAt(s, "namespace").empty()) out.push_back(required(p.child("namespace")));
  } else if (kind == "User" || kind == "Group") {
    if (!group.empty() && group != kRbacGroup) out.push_back(notSupportedStr(p.child("apiGroup"), group, {std::string(kRbacGroup)}));
  } else {
    out.push_back(notSupportedStr(p.child("kind"), kind, {"ServiceAccount", "User", "Group"}));
  }
}

Causes binding(const json::object& obj, const json::object* old, bool namespaced) {
  Causes out;
  RoleRef ref = roleRefOf(obj);
  if (ref.apiGroup != kRbacGroup) out.push_back(notSupportedStr(Path("roleRef.apiGroup"), ref.apiGroup, {std::string(kRbacGroup)}));
  bool kindOk = namespaced ? (ref.kind == "Role" || ref.kind == "ClusterRole") : ref.kind == "ClusterRole";
  if (!kindOk) {
    std::vector<std::string> kinds = namespaced ? std::vector<std::string>{"Role", "ClusterRole"} : std::vector<std::string>{"ClusterRole"};
    out.push_back(notSupportedStr(Path("roleRef.kind"), ref.kind, kinds));
  }
  if (ref.name.empty()) out.push_back(required(Path("roleRef.name")));
  else pathSegmentName(ref.name, Path("roleRef.name"), out);
  const json::array* subjects = arrayAt(obj, "subjects");
  for (std::size_t i = 0; subjects && i < subjects->size(); ++i) {
    subject(asObject((*subjects)[i]), namespaced, Path("subjects").index(i), out);
  }
  if (old && !(roleRefOf(*old) == ref)) {
    out.push_back(invalidValue(Path("roleRef"), "rbac.RoleRef{APIGroup:" + goQuote(ref.apiGroup) + ", Kind:" + goQuote(ref.kind) +
                                                    ", Name:" + goQuote(ref.name) + "}",
                               "cannot change roleRef"));
  }
  return out;
}

bool isPercent(std::string_view s) {
  return s.size() >= 2 && s.back() == '%' &&
         std::all_of(s.begin(), s.end() - 1, [](unsigned char c) { return std::isdigit(c); });
}

void intOrPercent(const json::value& v, const Path& p, Causes& out) {
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (!isPercent(s)) {
      out.push_back(invalidValue(p, goIntOrString(v),
                                 "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  "
                                 "or '93%', regex used for validation is '[0-9]+%')"));
    } else if (s.size() > 4 || std::stoi(std::string(s.substr(0, s.size() - 1))) > 100) {
      out.push_back(invalidValue(p, goIntOrString(v), "must not be greater than 100%"));
    }
  } else if (v.is_int64() && v.get_int64() < 0) {
    out.push_back(invalidInt(p, v.get_int64(), kNegativeMsg));
  }
}

std::string goPdbSpec(const json::object& spec) {
  auto ptr = [&](std::string_view key, std::string_view type) {
    return "(*" + std::string(type) + ")(" + (has(spec, key) ? "0xc000000000" : "nil") + ")";
  };
  return "policy.PodDisruptionBudgetSpec{MinAvailable:" + ptr("minAvailable", "intstr.IntOrString") +
         ", Selector:" + ptr("selector", "v1.LabelSelector") + ", MaxUnavailable:" + ptr("maxUnavailable", "intstr.IntOrString") +
         ", UnhealthyPodEvictionPolicy:" + ptr("unhealthyPodEvictionPolicy", "policy.UnhealthyPodEvictionPolicyType") + "}";
}

// ValidateEndpointIP: no unspecified, loopback or link-local addresses.
void endpointIP(const std::string& a, const Path& p, Causes& out) {
  if (!isIP(a)) return out.push_back(invalidStr(p, a, "must be a valid IP address"));
  std::string lower = a;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  bool v4 = isIPv4(a);
  int first = 0, second = 0, third = 0;
  if (v4) std::sscanf(a.c_str(), "%d.%d.%d", &first, &second, &third);
  if ((v4 && a.find_first_not_of("0.") == std::string::npos) || lower == "::") {
    out.push_back(invalidStr(p, a, "may not be unspecified (" + a + ")"));
  }
  if ((v4 && first == 127) || lower == "::1") {
    out.push_back(invalidStr(p, a, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  }
  bool v6LinkLocal = !v4 && (lower.starts_with("fe8") || lower.starts_with("fe9") || lower.starts_with("fea") ||
                             lower.starts_with("feb"));
  if ((v4 && first == 169 && second == 254) || v6LinkLocal) {
    out.push_back(invalidStr(p, a, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  }
  if ((v4 && first == 224 && second == 0 && third == 0) || (!v4 && lower.starts_with("ff02:"))) {
    out.push_back(invalidStr(p, a, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  }
}

// IsFullyQualifiedDomainName.
void fullyQualifiedDomainName(std::string name, const Path& p, Causes& out) {
  if (name.empty()) return out.push_back(required(p));
  if (name.back() == '.') name.pop_back();
  auto join = [](const std::vector<std::string>& errs) {
    std::string joined;
    for (const auto& e : errs) joined += (joined.empty() ? "" : ",") + e;
    return joined;
  };
  if (auto errs = dns1123SubdomainProblems(name); !errs.empty()) return out.push_back(invalidStr(p, name, join(errs)));
  if (name.find('.') == std::string::npos) {
    return out.push_back(invalidStr(p, name, "should be a domain with at least two segments separated by dots"));
  }
  std::size_t start = 0;
  while (true) {
    auto end = name.find('.', start);
    std::string label = name.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (auto errs = dns1123LabelProblems(label); !errs.empty()) return out.push_back(invalidStr(p, label, join(errs)));
    if (end == std::string::npos) return;
    start = end + 1;
  }
}

void endpointAddresses(const json::object& ep, std::string_view type, const Path& p, Causes& out) {
  auto addresses = strings(arrayAt(ep, "addresses"));
  Path ap = p.child("addresses");
  if (addresses.empty()) {
    out.push_back(required(ap, "must contain at least 1 address"));
  } else if (addresses.size() > 100) {
    out.push_back(tooMany(ap, static_cast<std::int64_t>(addresses.size()), 100));
  }
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const auto& a = addresses[i];
    if (type == "IPv4" || type == "IPv6") {
      bool ok = type == "IPv4" ? isIPv4(a) : isIPv6(a);
      if (!ok) out.push_back(invalidStr(ap.index(i), a, "must be a valid " + std::string(type) + " address"));
      endpointIP(a, ap.index(i), out);
    }
    if (type == "FQDN") fullyQualifiedDomainName(a, ap.index(i), out);
  }
  if (auto node = optionalString(ep, "nodeName")) subdomain(*node, p.child("nodeName"), out);
  if (auto host = optionalString(ep, "hostname")) {
    for (const auto& msg : dns1123LabelProblems(*host)) out.push_back(invalidStr(p.child("hostname"), *host, msg));
  }
}

void endpointPorts(const json::array* ports, const Path& p, Causes& out) {
  if (ports && ports->size() > 20000) return out.push_back(tooMany(p, static_cast<std::int64_t>(ports->size()), 20000));
  std::set<std::string> names;
  for (std::size_t i = 0; ports && i < ports->size(); ++i) {
    const json::object& port = asObject((*ports)[i]);
    Path pp = p.index(i);
    std::string name(stringAt(port, "name"));
    if (!name.empty()) {
      for (const auto& msg : dns1123LabelProblems(name)) out.push_back(invalidStr(pp.child("name"), name, msg));
    }
    if (!names.insert(name).second) out.push_back(duplicateStr(pp.child("name"), name));
    std::string_view protocol = stringAt(port, "protocol");
    if (has(port, "protocol") && protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
      out.push_back(notSupportedStr(pp.child("protocol"), protocol, {"SCTP", "TCP", "UDP"}));
    }
    if (auto app = optionalString(port, "appProtocol")) {
      for (const auto& msg : selectors::qualifiedNameErrors(*app)) out.push_back(invalidStr(pp.child("appProtocol"), *app, msg));
    }
  }
}

}  // namespace

Causes validateRole(const json::object& obj, const json::object*) {
  Causes out;
  policyRules(obj, true, out);
  return out;
}

Causes validateClusterRole(const json::object& obj, const json::object*) {
  Causes out;
  policyRules(obj, false, out);
  if (const json::object* aggregation = objectAt(obj, "aggregationRule")) {
    const json::array* selectors = arrayAt(*aggregation, "clusterRoleSelectors");
    Path p("aggregationRule.clusterRoleSelectors");
    if (!selectors || selectors->empty()) out.push_back(required(p, "at least one clusterRoleSelector required if aggregationRule is non-nil"));
    for (std::size_t i = 0; selectors && i < selectors->size(); ++i) append(out, validateSelector(&(*selectors)[i], p.index(i)));
  }
  return out;
}

Causes validateRoleBinding(const json::object& obj, const json::object* old) { return binding(obj, old, true); }

Causes validateClusterRoleBinding(const json::object& obj, const json::object* old) { return binding(obj, old, false); }

Causes validatePodDisruptionBudget(const json::object& obj, const json::object*) {
  Causes out;
  const json::object& spec = child(obj, "spec");
  Path p("spec");
  const json::value* minAvailable = valueAt(spec, "minAvailable");
  const json::value* maxUnavailable = valueAt(spec, "maxUnavailable");
  if (minAvailable && maxUnavailable) {
    out.push_back(invalidValue(p, goPdbSpec(spec), "minAvailable and maxUnavailable cannot be both set"));
  }
  if (minAvailable) intOrPercent(*minAvailable, p.child("minAvailable"), out);
  if (maxUnavailable) intOrPercent(*maxUnavailable, p.child("maxUnavailable"), out);
  append(out, validateSelector(valueAt(spec, "selector"), p.child("selector")));
  if (auto policy = optionalString(spec, "unhealthyPodEvictionPolicy"); policy && *policy != "AlwaysAllow" && *policy != "IfHealthyBudget") {
    out.push_back(notSupportedStr(p.child("unhealthyPodEvictionPolicy"), *policy, {"AlwaysAllow", "IfHealthyBudget"}));
  }
  return out;
}

Causes validatePriorityClass(const json::object& obj, const json::object* old) {
  Causes out;
  std::string_view name = stringAt(child(obj, "metadata"), "name");
  auto value = intAt(obj, "value").value_or(0);
  bool globalDefault = boolAt(obj, "globalDefault");
  if (name.starts_with("system-")) {
    std::string err;
    if (name == "system-node-critical" || name == "system-cluster-critical") {
      std::int64_t expected = name == "system-node-critical" ? 2000001000 : 2000000000;
      if (value != expected) err = "value of " + std::string(name) + " PriorityClass must be " + std::to_string(expected);
      else if (globalDefault) err = "globalDefault of " + std::string(name) + " PriorityClass must be false";
    } else {
      err = std::string(name) + " is not a known system priority class";
    }
    if (!err.empty()) {
      out.push_back(forbidden(Path("metadata.name"),
                              "priority class names with 'system-' prefix are reserved for system use only. error: " + err));
    }
  } else if (value > 1000000000) {
    out.push_back(forbidden(Path("value"), "maximum allowed value of a user defined priority is 1000000000"));
  }
  std::string_view preemption = stringAt(obj, "preemptionPolicy");
  if (has(obj, "preemptionPolicy") && preemption != "PreemptLowerPriority" && preemption != "Never") {
    out.push_back(notSupportedStr(Path("preemptionPolicy"), preemption, {"PreemptLowerPriority", "Never"}));
  }
  if (old) {
    if (value != intAt(*old, "value").value_or(0)) out.push_back(forbidden(Path("value"), "may not be changed in an update."));
    if (!semanticEqual(valueAt(obj, "preemptionPolicy"), valueAt(*old, "preemptionPolicy"))) {
      out.push_back(invalidStr(Path("preemptionPolicy"), preemption, kImmutableMsg));
    }
  }
  return out;
}

Causes validateLease(const json::object& obj, const json::object*) {
  Causes out;
  const json::object& spec = child(obj, "spec");
  Path p("spec");
  if (auto d = intAt(spec, "leaseDurationSeconds"); d && *d <= 0) {
    out.push_back(invalidInt(p.child("leaseDurationSeconds"), *d, "must be greater than 0"));
  }
  if (auto t = intAt(spec, "leaseTransitions"); t && *t < 0) {
    out.push_back(invalidInt(p.child("leaseTransitions"), *t, kNegativeMsg));
  }
  if (!stringAt(spec, "preferredHolder").empty() && stringAt(spec, "strategy").empty()) {
    out.push_back(forbidden(p.child("preferredHolder"), "may only be specified if `strategy` is defined"));
  }
  return out;
}

Causes validateEndpointSlice(const json::object& obj, const json::object* old) {
  Causes out;
  std::string_view type = stringAt(obj, "addressType");
  if (type.empty()) {
    out.push_back(required(Path("addressType")));
  } else if (type != "IPv4" && type != "IPv6" && type != "FQDN") {
    out.push_back(notSupportedStr(Path("addressType"), type, {"FQDN", "IPv4", "IPv6"}));
  }
  const json::array* endpoints = arrayAt(obj, "endpoints");
  if (endpoints && endpoints->size() > 1000) {
    out.push_back(tooMany(Path("endpoints"), static_cast<std::int64_t>(endpoints->size()), 1000));
    endpoints = nullptr;
  }
  for (std::size_t i = 0; endpoints && i < endpoints->size(); ++i) {
    endpointAddresses(asObject((*endpoints)[i]), type, Path("endpoints").index(i), out);
  }
  endpointPorts(arrayAt(obj, "ports"), Path("ports"), out);
  if (old && type != stringAt(*old, "addressType")) out.push_back(invalidStr(Path("addressType"), type, kImmutableMsg));
  return out;
}

}  // namespace kcpp::api::validation

namespace kcpp::api::validation {

Causes validateStorageClass(const json::object& obj, const json::object* old) {
  Causes out;
  std::string_view provisioner = stringAt(obj, "provisioner");
  if (provisioner.empty()) {
    out.push_back(required(Path("provisioner")));
  } else {
    std::string lower(provisioner);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const auto& msg : selectors::qualifiedNameErrors(lower)) out.push_back(invalidStr(Path("provisioner"), lower, msg));
  }
  const json::object* params = objectAt(obj, "parameters");
  std::int64_t total = 0;
  if (params && params->size() > 512) {
    out.push_back(tooLong(Path("parameters"), 512));
  } else {
    for (const auto& [k, v] : params ? *params : json::object()) {
      if (k.empty()) out.push_back(invalidStr(Path("parameters"), k, "field can not be empty."));
      total += static_cast<std::int64_t>(k.size() + (v.is_string() ? v.get_string().size() : 0));
    }
    if (total > 256 * 1024) out.push_back(tooLong(Path("parameters"), 256 * 1024));
  }
  auto policy = optionalString(obj, "reclaimPolicy");
  if (policy && !policy->empty() && *policy != "Delete" && *policy != "Retain") {
    out.push_back(notSupportedStr(Path("reclaimPolicy"), *policy, {"Delete", "Retain"}));
  }
  auto mode = optionalString(obj, "volumeBindingMode");
  if (mode && *mode != "Immediate" && *mode != "WaitForFirstConsumer") {
    out.push_back(notSupportedStr(Path("volumeBindingMode"), *mode, {"Immediate", "WaitForFirstConsumer"}));
  }
  if (!old) return out;
  if (!semanticEqual(valueAt(obj, "parameters"), valueAt(*old, "parameters"))) {
    out.push_back(forbidden(Path("parameters"), "updates to parameters are forbidden."));
  }
  if (provisioner != stringAt(*old, "provisioner")) out.push_back(forbidden(Path("provisioner"), "updates to provisioner are forbidden."));
  auto reclaim = [](const json::object& o) { auto p = stringAt(o, "reclaimPolicy"); return p.empty() ? std::string_view("Delete") : p; };
  if (reclaim(obj) != reclaim(*old)) out.push_back(forbidden(Path("reclaimPolicy"), "updates to reclaimPolicy are forbidden."));
  auto binding = [](const json::object& o) { auto m = stringAt(o, "volumeBindingMode"); return m.empty() ? std::string_view("Immediate") : m; };
  if (binding(obj) != binding(*old)) out.push_back(invalidStr(Path("volumeBindingMode"), binding(obj), kImmutableMsg));
  return out;
}

}  // namespace kcpp::api::validation
