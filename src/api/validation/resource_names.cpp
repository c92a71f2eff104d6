#include "api/validation/resource_names.h"

#include <set>

#include "api/selectors/label_validation.h"

namespace kcpp::api::validation {
namespace {

using NameSet = std::set<std::string, std::less<>>;

const NameSet& standardResources() {
  static const NameSet names = {
      "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
      "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
      "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
      "persistentvolumeclaims", "storage", "requests.storage", "services.nodeports",
      "services.loadbalancers"};
  return names;
}

const NameSet& standardQuotaResources() {
  static const NameSet names = {
      "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
      "requests.storage", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
      "limits.ephemeral-storage", "pods", "resourcequotas", "services",
      "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps",
      "services.nodeports", "services.loadbalancers"};
  return names;
}

const NameSet& integerResources() {
  static const NameSet names = {"pods", "resourcequotas", "services", "replicationcontrollers",
                                "secrets", "configmaps", "persistentvolumeclaims",
                                "services.nodeports", "services.loadbalancers"};
  return names;
}

bool isQuotaHugePageResourceName(std::string_view name) {
  return name.starts_with("hugepages-") || name.starts_with("requests.hugepages-");
}

bool unprefixed(std::string_view name) { return name.find('/') == std::string_view::npos; }

}  // namespace

bool isNativeResource(std::string_view name) {
  return unprefixed(name) || name.find("kubernetes.io/") != std::string_view::npos;
}

bool isHugePageResourceName(std::string_view name) { return name.starts_with("hugepages-"); }

bool isExtendedResourceName(std::string_view name) {
  if (isNativeResource(name) || name.starts_with("requests.")) return false;
  return selectors::qualifiedNameErrors("requests." + std::string(name)).empty();
}

bool isOvercommitAllowed(std::string_view name) {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

bool isIntegerResourceName(std::string_view name) {
  return integerResources().count(name) > 0 || isExtendedResourceName(name);
}

Causes validateResourceName(std::string_view name, const Path& p) {
  Causes out;
  for (const auto& msg : selectors::qualifiedNameErrors(name)) out.push_back(invalidStr(p, name, msg));
  if (!out.empty()) return out;
  if (unprefixed(name) && !standardResources().count(name) && !isQuotaHugePageResourceName(name)) {
    out.push_back(invalidStr(p, name, "must be a standard resource type or fully qualified"));
  }
  return out;
}

Causes validateContainerResourceName(std::string_view name, const Path& p) {
  Causes out = validateResourceName(name, p);
  if (unprefixed(name)) {
    bool standard = name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
                    isHugePageResourceName(name);
    if (!standard) out.push_back(invalidStr(p, name, "must be a standard resource for containers"));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    out.push_back(invalidStr(p, name, "doesn't follow extended resource name standard"));
  }
  return out;
}

Causes validateResourceQuotaResourceName(std::string_view name, const Path& p) {
  Causes out = validateResourceName(name, p);
  if (unprefixed(name) && !standardQuotaResources().count(name) && !isQuotaHugePageResourceName(name)) {
    out.push_back(invalidStr(p, name, "must be a standard resource for quota"));
  }
  return out;
}

Causes validateResourceQuantityValue(std::string_view name, const Quantity& q, const Path& p) {
  Causes out;
  if (q.negative()) out.push_back(invalidStr(p, q.string(), kNegativeMsg));
  if (isIntegerResourceName(name) && !q.isInteger()) {
    out.push_back(invalidValue(p, q.goString(), "must be an integer"));
  }
  return out;
}

}  // namespace kcpp::api::validation
