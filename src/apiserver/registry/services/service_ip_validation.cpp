// The cluster IP and IP family rules of Service validation.
#include <arpa/inet.h>

#include <string>

#include "apiserver/registry/services/field_errors.h"
#include "apiserver/registry/services/service_fields.h"
#include "apiserver/registry/services/service_validation.h"

namespace kcpp::apiserver::service {

namespace {

const char* kInvalidIP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

bool isIPv4(std::string_view ip) {
  std::string copy(ip);
  in_addr addr{};
  return inet_pton(AF_INET, copy.c_str(), &addr) == 1;
}

void checkFamilies(const json::object& spec, std::vector<Cause>& causes) {
  auto families = stringsOf(spec, "ipFamilies");
  for (std::size_t i = 0; i < families.size(); ++i) {
    std::string field = "spec.ipFamilies[" + std::to_string(i) + "]";
    if (families[i] != "IPv4" && families[i] != "IPv6") {
      causes.push_back(notSupported(field, goQuote(families[i]), {"IPv4", "IPv6"}));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (families[j] == families[i]) {
        causes.push_back(duplicateValue(field, goQuote(families[i])));
        break;
      }
    }
  }
  std::string_view policy = stringOf(spec, "ipFamilyPolicy");
  if (!policy.empty() && policy != "SingleStack" && policy != "PreferDualStack" &&
      policy != "RequireDualStack") {
    causes.push_back(notSupported("spec.ipFamilyPolicy", goQuote(policy),
                                  {"PreferDualStack", "RequireDualStack", "SingleStack"}));
  }
}

// Each entry a valid IP, "None" only alone; true if any is not.
bool checkEachClusterIP(const std::vector<std::string>& ips, std::vector<Cause>& causes) {
  bool invalid = false;
  for (std::size_t i = 0; i < ips.size(); ++i) {
    if (i == 0 && ips[i] == kNone) {
      if (ips.size() > 1) {
        invalid = true;
        causes.push_back(invalidValue("spec.clusterIPs", goStringSlice(ips),
                                      "'None' must be the first and only value"));
      }
      continue;
    }
    if (!isValidIP(ips[i])) {
      invalid = true;
      causes.push_back(
          invalidString("spec.clusterIPs[" + std::to_string(i) + "]", ips[i], kInvalidIP));
    }
  }
  return invalid;
}

void checkIPsMatchFamilies(const json::object& svc, const std::vector<std::string>& ips,
                           std::vector<Cause>& causes) {
  auto families = stringsOf(specOf(svc), "ipFamilies");
  if (isHeadless(svc)) return;
  for (std::size_t i = 0; i < ips.size() && i < families.size(); ++i) {
    std::string index = std::to_string(i);
    if (families[i] == "IPv4" && isIPv6(ips[i])) {
      causes.push_back(
          invalidString("spec.clusterIPs[" + index + "]", ips[i],
                        "expected an IPv4 value as indicated by `ipFamilies[" + index + "]`"));
    }
    if (families[i] == "IPv6" && !isIPv6(ips[i])) {
      causes.push_back(
          invalidString("spec.clusterIPs[" + index + "]", ips[i],
                        "expected an IPv6 value as indicated by `ipFamilies[" + index + "]`"));
    }
  }
}

void checkClusterIPsUpdate(const json::object& svc, const json::object& old,
                           std::vector<Cause>& causes) {
  if (typeOf(svc) == kExternalName || typeOf(old) == kExternalName) return;
  if (isHeadless(svc) && isHeadless(old)) return;
  auto ips = clusterIPsOf(svc), oldIPs = clusterIPsOf(old);
  std::string slice = goStringSlice(ips);
  if (oldIPs.size() == ips.size()) {
    for (std::size_t i = 0; i < ips.size(); ++i) {
      if (ips[i] != oldIPs[i]) {
        causes.push_back(invalidValue("spec.clusterIPs[" + std::to_string(i) + "]", slice,
                                      "may not change once set"));
      }
    }
  } else if (oldIPs.size() > ips.size()) {
    if (ips.empty()) {
      causes.push_back(
          invalidValue("spec.clusterIPs[0]", slice, "primary clusterIP can not be unset"));
    } else if (ips[0] != oldIPs[0]) {
      causes.push_back(invalidValue("spec.clusterIPs[0]", slice, "may not change once set"));
    }
    std::string_view policy = stringOf(specOf(svc), "ipFamilyPolicy");
    if (ips.size() == 1 && policy != "SingleStack") {
      causes.push_back(
          invalidValue("spec.ipFamilyPolicy", policy.empty() ? "null" : goQuote(policy),
                       "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (!oldIPs.empty() && ips[0] != oldIPs[0]) {
    causes.push_back(invalidValue("spec.clusterIPs[0]", slice, "may not change once set"));
  }
}

void checkFamiliesUpdate(const json::object& svc, const json::object& old,
                         std::vector<Cause>& causes) {
  if (typeOf(svc) == kExternalName || typeOf(old) == kExternalName) return;
  if (isHeadless(svc) || isHeadless(old)) return;
  auto families = stringsOf(specOf(svc), "ipFamilies");
  auto oldFamilies = stringsOf(specOf(old), "ipFamilies");
  auto ips = clusterIPsOf(svc);
  if (families.size() == oldFamilies.size()) {
    for (std::size_t i = 0; i < families.size(); ++i) {
      if (families[i] != oldFamilies[i]) {
        causes.push_back(
            invalidValue("spec.ipFamilies[0]", goStringSlice(families), "may not change once set"));
      }
    }
  } else if (oldFamilies.size() > families.size()) {
    if (ips.empty()) {
      causes.push_back(invalidValue("spec.ipFamilies[0]", goStringSlice(families),
                                    "primary ipFamily can not be unset"));
    }
    if (!families.empty() && families[0] != oldFamilies[0]) {
      causes.push_back(
          invalidValue("spec.ipFamilies[0]", goStringSlice(ips), "may not change once set"));
    }
  } else if (!oldFamilies.empty() && !families.empty() && families[0] != oldFamilies[0]) {
    causes.push_back(
        invalidValue("spec.ipFamilies[0]", goStringSlice(ips), "may not change once set"));
  }
}

}  // namespace

bool isIPv6(std::string_view ip) {
  std::string copy(ip);
  in6_addr addr{};
  return inet_pton(AF_INET6, copy.c_str(), &addr) == 1;
}

bool isValidIP(std::string_view ip) { return isIPv4(ip) || isIPv6(ip); }

std::vector<Cause> validateClusterIPsRelatedFields(const json::object& svc) {
  std::vector<Cause> causes;
  if (!needsClusterIP(svc)) return causes;
  const json::object& spec = specOf(svc);
  std::string_view clusterIP = stringOf(spec, "clusterIP");
  auto ips = clusterIPsOf(svc);
  if (!clusterIP.empty() && ips.empty()) {
    causes.push_back(api::fieldRequired("spec.clusterIPs", ""));
  } else if (!clusterIP.empty() && ips[0] != clusterIP) {
    causes.push_back(
        invalidValue("spec.clusterIPs", goStringSlice(ips), "first value must match `clusterIP`"));
  } else if (clusterIP.empty() && !ips.empty()) {
    causes.push_back(invalidValue("spec.clusterIPs", goStringSlice(ips),
                                  "must be empty when `clusterIP` is not specified"));
  }
  checkFamilies(spec, causes);
  bool invalid = checkEachClusterIP(ips, causes);
  if (ips.size() > 2) {
    causes.push_back(
        invalidValue("spec.clusterIPs", goStringSlice(ips), "may only hold up to 2 values"));
  }
  if (invalid) return causes;
  if (ips.size() > 1 && (isIPv6(ips[0]) == isIPv6(ips[1]) || ips.size() > 2)) {
    causes.push_back(invalidValue("spec.clusterIPs", goStringSlice(ips),
                                  "may specify no more than one IP for each IP family"));
  }
  checkIPsMatchFamilies(svc, ips, causes);
  return causes;
}

std::vector<Cause> validateIPFamilyConfig(const json::object& svc) {
  std::vector<Cause> causes;
  if (!needsClusterIP(svc)) return causes;
  const json::object& spec = specOf(svc);
  std::string_view policy = stringOf(spec, "ipFamilyPolicy");
  auto ips = clusterIPsOf(svc);
  auto families = stringsOf(spec, "ipFamilies");
  if (policy == "SingleStack" && ips.size() == 2) {
    causes.push_back(invalidValue(
        "spec.ipFamilyPolicy", goQuote(policy),
        "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
  }
  if (policy == "SingleStack" && families.size() == 2) {
    causes.push_back(invalidValue(
        "spec.ipFamilyPolicy", goQuote(policy),
        "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  for (std::size_t i = families.size(); i < ips.size() && ips[i] != kNone; ++i) {
    if (isIPv6(ips[i])) {
      causes.push_back(invalidValue("spec.clusterIPs[" + std::to_string(i) + "]",
                                    goStringSlice(ips), "IPv6 is not configured on this cluster"));
    }
  }
  if (!causes.empty()) return causes;
  if (stringOf(spec, "clusterIP") == kNone && !hasSelector(svc)) return causes;
  if (policy == "RequireDualStack") {
    causes.push_back(invalidValue("spec.ipFamilyPolicy", goQuote(policy),
                                  "this cluster is not configured for dual-stack services"));
  }
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (families[i] != "IPv4") {
      causes.push_back(invalidString("spec.ipFamilies[" + std::to_string(i) + "]", families[i],
                                     "not configured on this cluster"));
    }
  }
  return causes;
}

std::vector<Cause> validateServiceUpdate(const json::object& svc, const json::object& old) {
  std::vector<Cause> causes;
  checkClusterIPsUpdate(svc, old, causes);
  checkFamiliesUpdate(svc, old, causes);
  const json::object& spec = specOf(svc);
  const json::object& oldSpec = specOf(old);
  if (typeOf(svc) == kLoadBalancer && typeOf(old) == kLoadBalancer) {
    std::string_view now = stringOf(spec, "loadBalancerClass");
    bool hasNow = !now.empty(), hadBefore = !stringOf(oldSpec, "loadBalancerClass").empty();
    if (hasNow != hadBefore || now != stringOf(oldSpec, "loadBalancerClass")) {
      causes.push_back(invalidValue("spec.loadBalancerClass", hasNow ? goQuote(now) : "null",
                                    "may not change once set"));
    }
  }
  if (needsHealthCheckNodePort(svc) && needsHealthCheckNodePort(old) &&
      intOf(spec, "healthCheckNodePort") != intOf(oldSpec, "healthCheckNodePort")) {
    causes.push_back(api::fieldForbidden("spec.healthCheckNodePort", "field is immutable"));
  }
  return causes;
}

}  // namespace kcpp::apiserver::service
