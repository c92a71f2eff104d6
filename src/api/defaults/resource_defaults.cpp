#include "api/defaults/resource_defaults.h"

#include "api/defaults/json_fields.h"

namespace kcpp::api::defaults {

namespace {

// Adds each of `from`'s entries that `to` lacks.
void addMissing(json::object& to, const json::object* from) {
  if (!from) return;
  for (const auto& kv : *from) {
    if (!to.contains(kv.key())) to[kv.key()] = kv.value();
  }
}

void defaultLimitRangeItem(json::object& item) {
  auto type = item.find("type");
  if (type == item.end() || type->value() != "Container") return;
  // Built apart and set only when non-empty: upstream's empty maps are omitted.
  json::object limit = objectAt(item, "default") ? *objectAt(item, "default") : json::object();
  addMissing(limit, objectAt(item, "max"));
  json::object request =
      objectAt(item, "defaultRequest") ? *objectAt(item, "defaultRequest") : json::object();
  addMissing(request, &limit);
  addMissing(request, objectAt(item, "min"));
  if (!limit.empty()) item["default"] = std::move(limit);
  if (!request.empty()) item["defaultRequest"] = std::move(request);
}

}  // namespace

void defaultPersistentVolume(json::object& volume) {
  ensureObjectAt(volume, "status");
  json::object* spec = objectAt(volume, "spec");
  json::object* hostPath = spec ? objectAt(*spec, "hostPath") : nullptr;
  if (hostPath) setIfUnset(*hostPath, "type", "");
}

void defaultPersistentVolumeClaim(json::object& claim) { ensureObjectAt(claim, "status"); }

void defaultNode(json::object& node) {
  json::object* status = objectAt(node, "status");
  if (!status || !isUnset(*status, "allocatable")) return;
  if (const json::object* capacity = objectAt(*status, "capacity")) {
    json::object copy = *capacity;
    (*status)["allocatable"] = std::move(copy);
  }
}

void defaultLimitRange(json::object& limitRange) {
  json::object* spec = objectAt(limitRange, "spec");
  if (spec) forEachObjectIn(*spec, "limits", defaultLimitRangeItem);
}

void defaultNetworkPolicy(json::object& policy) {
  json::object* spec = ensureObjectAt(policy, "spec");
  if (!spec || !isEmpty(*spec, "policyTypes")) return;
  json::array types{"Ingress"};
  if (!isEmpty(*spec, "egress")) types.emplace_back("Egress");
  (*spec)["policyTypes"] = std::move(types);
}

void defaultRoleBinding(json::object& binding) {
  forEachObjectIn(binding, "subjects", [](json::object& subject) {
    if (!isUnsetString(subject, "apiGroup")) return;
    auto kind = subject.find("kind");
    if (kind == subject.end()) return;
    // A ServiceAccount's group is "" (the core group), which is also unset.
    if (kind->value() == "User" || kind->value() == "Group") {
      subject["apiGroup"] = "rbac.authorization.k8s.io";
    }
  });
}

}  // namespace kcpp::api::defaults
