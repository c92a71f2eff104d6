#include "apiserver/admission/limitranger/limit_rules.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "api/meta/object.h"
#include "api/validation/quantity.h"

namespace kcpp::apiserver::admission::limits {

namespace {

using api::validation::Quantity;
using ResourceList = std::map<std::string, Quantity>;

constexpr std::string_view kContainer = "Container";
constexpr std::string_view kPod = "Pod";
constexpr std::string_view kClaim = "PersistentVolumeClaim";

// A resource list field (limits, requests, min, ...); unparsable values are
// left out (validation rejects them before they matter).
ResourceList resourceList(const json::object* parent, std::string_view key) {
  ResourceList out;
  const json::object* list = parent ? api::findObject(*parent, key) : nullptr;
  if (!list) return out;
  for (const auto& [name, value] : *list) {
    if (auto q = Quantity::fromJson(value)) out.emplace(std::string(name), *q);
  }
  return out;
}

// A list's entries in the order written (upstream iterates a Go map: any order).
std::vector<std::pair<std::string, Quantity>> orderedList(const json::object& item,
                                                          std::string_view key) {
  std::vector<std::pair<std::string, Quantity>> out;
  const json::object* list = api::findObject(item, key);
  if (!list) return out;
  for (const auto& [name, value] : *list) {
    if (auto q = Quantity::fromJson(value)) out.emplace_back(std::string(name), *q);
  }
  return out;
}

std::vector<const json::object*> items(const json::object& limitRange) {
  std::vector<const json::object*> out;
  const json::value* limits = api::findPath(limitRange, "spec.limits");
  if (!limits || !limits->is_array()) return out;
  for (const json::value& item : limits->get_array()) {
    if (item.is_object()) out.push_back(&item.get_object());
  }
  return out;
}

json::array* mutableContainersOf(json::object& pod, std::string_view key) {
  json::object* spec = api::findObject(pod, "spec");
  if (!spec) return nullptr;
  auto it = spec->find(key);
  return it != spec->end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}

// The pod's containers or init containers (an empty list when absent).
const json::array& containersOf(const json::object& pod, std::string_view key) {
  static const json::array kNone;
  const json::value* list = api::findPath(pod, "spec." + std::string(key));
  return list && list->is_array() ? list->get_array() : kNone;
}

// ---- defaults ----

struct Defaults {
  ResourceList limits;
  ResourceList requests;
};

// defaultContainerResourceRequirements: later Container items win.
Defaults containerDefaults(const json::object& limitRange) {
  Defaults out;
  for (const json::object* item : items(limitRange)) {
    if (api::getString(*item, "type") != kContainer) continue;
    for (auto& [name, q] : resourceList(item, "defaultRequest")) out.requests[name] = q;
    for (auto& [name, q] : resourceList(item, "default")) out.limits[name] = q;
  }
  return out;
}

// Sets what `container.resources.<key>` lacks; returns the names set, sorted.
std::vector<std::string> fillMissing(json::object& container, const char* key,
                                     const ResourceList& defaults) {
  std::vector<std::string> set;
  if (defaults.empty()) return set;
  json::object& resources = api::ensureObject(container, "resources");
  auto it = resources.find(key);
  bool present = it != resources.end() && it->value().is_object();
  json::object list = present ? it->value().get_object() : json::object();
  for (const auto& [name, q] : defaults) {
    if (list.contains(name)) continue;
    list[name] = q.string();
    set.push_back(name);
  }
  if (!set.empty()) resources[key] = std::move(list);
  if (resources.empty()) container.erase("resources");
  return set;  // std::map order is sorted already
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// mergeContainerResources: the notes of what was set on one container.
void defaultContainer(json::object& container, const Defaults& defaults, std::string_view kind,
                      std::vector<std::string>& notes) {
  std::vector<std::string> limitsSet = fillMissing(container, "limits", defaults.limits);
  std::vector<std::string> requestsSet = fillMissing(container, "requests", defaults.requests);
  std::string name(api::getString(container, "name"));
  if (!requestsSet.empty()) {
    notes.push_back(joined(requestsSet, ", ") + " request for " + std::string(kind) + " " + name);
  }
  if (!limitsSet.empty()) {
    notes.push_back(joined(limitsSet, ", ") + " limit for " + std::string(kind) + " " + name);
  }
}

// ---- constraints ----

struct Observed {
  std::int64_t request, limit, enforced;
};

// requestLimitEnforcedValues: milli precision unless a value would overflow.
Observed atCommonPrecision(const Quantity& request, const Quantity& limit, const Quantity& enforced) {
  constexpr std::int64_t kMaxMilliValue = std::numeric_limits<std::int64_t>::max() / 1000;
  Observed v{request.value(), limit.value(), enforced.value()};
  if (v.request <= kMaxMilliValue && v.limit <= kMaxMilliValue && v.enforced <= kMaxMilliValue) {
    v = {request.milliValue(), limit.milliValue(), enforced.milliValue()};
  }
  return v;
}

Quantity valueOr0(const ResourceList& list, const std::string& name) {
  auto it = list.find(name);
  return it == list.end() ? Quantity::fromInt(0) : it->second;
}

std::string usage(std::string_view bound, const std::string& resource, std::string_view limitType,
                  const Quantity& enforced) {
  return std::string(bound) + " " + resource + " usage per " + std::string(limitType) + " is " +
         enforced.string();
}

std::optional<std::string> minConstraint(std::string_view limitType, const std::string& resource,
                                         const Quantity& enforced, const ResourceList& requests,
                                         const ResourceList& limits) {
  Quantity request = valueOr0(requests, resource), limit = valueOr0(limits, resource);
  Observed v = atCommonPrecision(request, limit, enforced);
  std::string head = usage("minimum", resource, limitType, enforced);
  if (!requests.count(resource)) return head + ".  No request is specified";
  if (v.request < v.enforced) return head + ", but request is " + request.string();
  if (limits.count(resource) && v.limit < v.enforced) return head + ", but limit is " + limit.string();
  return std::nullopt;
}

// maxRequestConstraint: for claims, whose limits are not the user's input.
std::optional<std::string> maxRequestConstraint(std::string_view limitType,
                                                const std::string& resource,
                                                const Quantity& enforced,
                                                const ResourceList& requests) {
  Quantity request = valueOr0(requests, resource);
  Observed v = atCommonPrecision(request, Quantity::fromInt(0), enforced);
  std::string head = usage("maximum", resource, limitType, enforced);
  if (!requests.count(resource)) return head + ".  No request is specified";
  if (v.request > v.enforced) return head + ", but request is " + request.string();
  return std::nullopt;
}

std::optional<std::string> maxConstraint(std::string_view limitType, const std::string& resource,
                                         const Quantity& enforced, const ResourceList& requests,
                                         const ResourceList& limits) {
  Quantity request = valueOr0(requests, resource), limit = valueOr0(limits, resource);
  Observed v = atCommonPrecision(request, limit, enforced);
  std::string head = usage("maximum", resource, limitType, enforced);
  if (!limits.count(resource)) return head + ".  No limit is specified";
  if (v.limit > v.enforced) return head + ", but limit is " + limit.string();
  if (requests.count(resource) && v.request > v.enforced) {
    return head + ", but request is " + request.string();
  }
  return std::nullopt;
}

std::optional<std::string> ratioConstraint(std::string_view limitType, const std::string& resource,
                                           const Quantity& enforced, const ResourceList& requests,
                                           const ResourceList& limits) {
  Observed v = atCommonPrecision(valueOr0(requests, resource), valueOr0(limits, resource), enforced);
  std::string head = resource + " max limit to request ratio per " + std::string(limitType) +
                     " is " + enforced.string();
  if (!requests.count(resource) || v.request == 0) {
    return head + ", but no request is specified or request is 0";
  }
  if (!limits.count(resource) || v.limit == 0) {
    return head + ", but no limit is specified or limit is 0";
  }
  double observed = double(v.limit) / double(v.request);
  double display = observed;
  double maxRatio = double(enforced.value());
  if (enforced.value() <= std::numeric_limits<std::int64_t>::max() / 1000) {
    observed *= 1000;
    maxRatio = double(enforced.milliValue());
  }
  if (observed <= maxRatio) return std::nullopt;
  char ratio[64];
  std::snprintf(ratio, sizeof ratio, "%f", display);
  return head + ", but provided ratio is " + ratio;
}

// min, max and maxLimitRequestRatio of one item against one set of requests
// and limits (a container's, or the pod's totals).
void checkItem(const json::object& item, std::string_view limitType, const ResourceList& requests,
               const ResourceList& limits, std::vector<std::string>& out) {
  auto note = [&out](std::optional<std::string> violation) {
    if (violation) out.push_back(std::move(*violation));
  };
  for (const auto& [name, q] : orderedList(item, "min")) {
    note(minConstraint(limitType, name, q, requests, limits));
  }
  for (const auto& [name, q] : orderedList(item, "max")) {
    note(maxConstraint(limitType, name, q, requests, limits));
  }
  for (const auto& [name, q] : orderedList(item, "maxLimitRequestRatio")) {
    note(ratioConstraint(limitType, name, q, requests, limits));
  }
}

void add(ResourceList& into, const ResourceList& more) {
  for (const auto& [name, q] : more) {
    auto it = into.find(name);
    if (it == into.end()) {
      into.emplace(name, q);
    } else {
      it->second = it->second.plus(q);
    }
  }
}

void keepMax(ResourceList& into, const ResourceList& more) {
  for (const auto& [name, q] : more) {
    auto it = into.find(name);
    if (it == into.end()) {
      into.emplace(name, q);
    } else if (q > it->second) {
      it->second = q;
    }
  }
}

bool isSidecar(const json::object& container) {
  return api::getString(container, "restartPolicy") == "Always";
}

// podRequests / podLimits: the containers' sum, or more if an init container
// (plus the sidecars started before it) needs more.
ResourceList podTotal(const json::object& pod, const char* key) {
  ResourceList total;
  for (const json::value& c : containersOf(pod, "containers")) {
    if (c.is_object()) add(total, resourceList(api::findObject(c.get_object(), "resources"), key));
  }
  ResourceList sidecars, initMax;
  for (const json::value& c : containersOf(pod, "initContainers")) {
    if (!c.is_object()) continue;
    ResourceList own = resourceList(api::findObject(c.get_object(), "resources"), key);
    if (isSidecar(c.get_object())) {
      add(total, own);
      add(sidecars, own);
      keepMax(initMax, sidecars);
    } else {
      add(own, sidecars);
      keepMax(initMax, own);
    }
  }
  keepMax(total, initMax);
  return total;
}

void checkContainers(const json::object& item, const json::array& containers,
                     std::vector<std::string>& out) {
  for (const json::value& c : containers) {
    if (!c.is_object()) continue;
    const json::object* resources = api::findObject(c.get_object(), "resources");
    checkItem(item, kContainer, resourceList(resources, "requests"),
              resourceList(resources, "limits"), out);
  }
}

}  // namespace

void applyContainerDefaults(const json::object& limitRange, json::object& pod) {
  Defaults defaults = containerDefaults(limitRange);
  if (defaults.limits.empty() && defaults.requests.empty()) return;
  std::vector<std::string> notes;
  const std::pair<const char*, std::string_view> lists[] = {{"containers", "container"},
                                                            {"initContainers", "init container"}};
  for (const auto& [key, kind] : lists) {
    json::array* containers = mutableContainersOf(pod, key);
    if (!containers) continue;
    for (json::value& c : *containers) {
      if (c.is_object()) defaultContainer(c.get_object(), defaults, kind, notes);
    }
  }
  if (notes.empty()) return;
  json::object& annotations = api::ensureObject(api::ensureObject(pod, "metadata"), "annotations");
  annotations[kLimitRangerAnnotation] = "LimitRanger plugin set: " + joined(notes, "; ");
}

std::vector<std::string> podViolations(const json::object& limitRange, const json::object& pod) {
  std::vector<std::string> out;
  for (const json::object* item : items(limitRange)) {
    std::string_view type = api::getString(*item, "type");
    if (type == kContainer) {
      checkContainers(*item, containersOf(pod, "containers"), out);
      checkContainers(*item, containersOf(pod, "initContainers"), out);
    } else if (type == kPod) {
      checkItem(*item, kPod, podTotal(pod, "requests"), podTotal(pod, "limits"), out);
    }
  }
  return out;
}

std::vector<std::string> claimViolations(const json::object& limitRange, const json::object& claim) {
  std::vector<std::string> out;
  const json::value* resources = api::findPath(claim, "spec.resources");
  ResourceList requests =
      resourceList(resources && resources->is_object() ? &resources->get_object() : nullptr,
                   "requests");
  const ResourceList noLimits;
  for (const json::object* item : items(limitRange)) {
    if (api::getString(*item, "type") != kClaim) continue;
    for (const auto& [name, q] : orderedList(*item, "min")) {
      if (auto v = minConstraint(kClaim, name, q, requests, noLimits)) out.push_back(std::move(*v));
    }
    for (const auto& [name, q] : orderedList(*item, "max")) {
      if (auto v = maxRequestConstraint(kClaim, name, q, requests)) out.push_back(std::move(*v));
    }
  }
  return out;
}

std::string aggregate(const std::vector<std::string>& messages) {
  if (messages.size() == 1) return messages.front();
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const std::string& m : messages) {
    if (seen.insert(m).second) unique.push_back(m);
  }
  if (unique.size() == 1) return unique.front();
  return "[" + joined(unique, ", ") + "]";
}

}  // namespace kcpp::apiserver::admission::limits
