#include "api/validation/core_misc.h"

#include <algorithm>
#include <map>
#include <set>

#include "api/selectors/label_validation.h"
#include "api/meta/status.h"
#include "api/validation/names.h"
#include "api/validation/net_checks.h"
#include "api/validation/resource_names.h"
#include "api/validation/workload_common.h"

namespace kcpp::api::validation {
namespace {

const json::object& emptyObject() {
  static const json::object empty;
  return empty;
}

const json::object& child(const json::object& o, std::string_view key) {
  const json::object* c = objectAt(o, key);
  return c ? *c : emptyObject();
}

using Quantities = std::map<std::string, Quantity>;

std::string goScopes(const json::value* scopes) {
  std::string out = goStringSlice(scopes);
  auto brace = out.find('{');
  return "[]core.ResourceQuotaScope" + (brace == std::string::npos ? std::string("(nil)") : out.substr(brace));
}

Quantities quotaResources(const json::object* list, const Path& p, Causes& out) {
  Quantities q;
  for (const auto& [name, value] : list ? *list : json::object()) {
    append(out, validateResourceQuotaResourceName(name, p.key(name)));
    if (auto quantity = Quantity::fromJson(value)) {
      append(out, validateResourceQuantityValue(name, *quantity, p.key(name)));
      q.emplace(std::string(name), *quantity);
    }
  }
  return q;
}

bool scopeValidFor(std::string_view scope, std::string_view resource) {
  static const std::set<std::string, std::less<>> compute = {"cpu", "memory", "limits.cpu", "limits.memory",
                                                             "requests.cpu", "requests.memory"};
  if (scope == "BestEffort") return resource == "pods";
  if (scope == "Terminating" || scope == "NotTerminating" || scope == "NotBestEffort" || scope == "PriorityClass" ||
      scope == "CrossNamespacePodAffinity") {
    return resource == "pods" || compute.count(resource) > 0;
  }
  return true;
}

bool standardQuotaResource(std::string_view name) {
  return validateResourceQuotaResourceName(name, Path()).empty() && name.find('/') == std::string_view::npos;
}

void quotaScopes(const json::object& spec, const Path& p, Causes& out) {
  auto scopes = strings(arrayAt(spec, "scopes"));
  if (scopes.empty()) return;
  static const std::set<std::string, std::less<>> standard = {
      "Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity",
      "VolumeAttributesClass"};
  Path sp = p.child("scopes");
  std::string rendered = goScopes(valueAt(spec, "scopes"));
  for (const auto& scope : scopes) {
    if (!standard.count(scope)) out.push_back(invalidValue(sp, rendered, "unsupported scope"));
    for (const auto& [name, _] : child(spec, "hard")) {
      if (standardQuotaResource(name) && !scopeValidFor(scope, name)) {
        out.push_back(invalidValue(sp, rendered, "unsupported scope applied to resource"));
      }
    }
  }
  auto has2 = [&](std::string_view a, std::string_view b) {
    return std::count(scopes.begin(), scopes.end(), a) && std::count(scopes.begin(), scopes.end(), b);
  };
  if (has2("BestEffort", "NotBestEffort") || has2("Terminating", "NotTerminating")) {
    out.push_back(invalidValue(sp, rendered, "conflicting scopes"));
  }
}

// One limit item's min/max/default/defaultRequest consistency.
void limitConsistency(const std::string& k, const std::map<std::string, Quantities>& q, const Path& p, Causes& out) {
  auto get = [&](const char* field) -> const Quantity* {
    auto list = q.find(field);
    if (list == q.end()) return nullptr;
    auto it = list->second.find(k);
    return it == list->second.end() ? nullptr : &it->second;
  };
  const Quantity *min = get("min"), *max = get("max"), *def = get("default"), *defReq = get("defaultRequest");
  const Quantity* ratio = get("maxLimitRequestRatio");
  auto bad = [&](const char* field, const Quantity& shown, std::string msg) {
    out.push_back(invalidValue(p.child(field).key(k), shown.goString(), msg));
  };
  if (min && max && *min > *max) bad("min", *min, "min value " + min->string() + " is greater than max value " + max->string());
  if (defReq && min && *min > *defReq) {
    bad("defaultRequest", *defReq, "min value " + min->string() + " is greater than default request value " + defReq->string());
  }
  if (defReq && max && *defReq > *max) {
    bad("defaultRequest", *defReq, "default request value " + defReq->string() + " is greater than max value " + max->string());
  }
  if (defReq && def && *defReq > *def) {
    bad("defaultRequest", *defReq, "default request value " + defReq->string() + " is greater than default limit value " + def->string());
  }
  if (def && min && *min > *def) bad("default", *min, "min value " + min->string() + " is greater than default value " + def->string());
  if (def && max && *def > *max) bad("default", *max, "default value " + def->string() + " is greater than max value " + max->string());
  if (ratio && *ratio < Quantity::fromInt(1)) bad("maxLimitRequestRatio", *ratio, "ratio " + ratio->string() + " is less than 1");
  if (!isOvercommitAllowed(k) && def && defReq && *def != *defReq) {
    bad("defaultRequest", *defReq, "default value " + def->string() + " must equal to defaultRequest value " + defReq->string() + " in " + k);
  }
}

Causes limitResourceName(std::string_view type, std::string_view name, const Path& p) {
  return type == "Pod" || type == "Container" ? validateContainerResourceName(name, p) : validateResourceName(name, p);
}

void limitItem(const json::object& limit, const Path& p, std::set<std::string>& types, Causes& out) {
  std::string type(stringAt(limit, "type"));
  auto before = out.size();
  for (const auto& msg : selectors::qualifiedNameErrors(type)) out.push_back(invalidStr(p.child("type"), type, msg));
  if (out.size() == before && type.find('/') == std::string::npos && type != "Pod" && type != "Container" &&
      type != "PersistentVolumeClaim") {
    out.push_back(invalidStr(p.child("type"), type, "must be a standard limit type or fully qualified"));
  }
  if (!types.insert(type).second) out.push_back(duplicateStr(p.child("type"), type));
  std::map<std::string, Quantities> q;
  std::set<std::string> keys;
  for (const char* field : {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"}) {
    bool podDefault = type == "Pod" && (std::string_view(field) == "default" || std::string_view(field) == "defaultRequest");
    const json::object* list = objectAt(limit, field);
    if (podDefault) {
      if (list && !list->empty()) out.push_back(forbidden(p.child(field), "may not be specified when `type` is 'Pod'"));
      continue;
    }
    for (const auto& [name, value] : list ? *list : json::object()) {
      append(out, limitResourceName(type, name, p.child(field).key(name)));
      keys.insert(std::string(name));
      if (auto quantity = Quantity::fromJson(value)) q[field].emplace(std::string(name), *quantity);
    }
  }
  if (type == "PersistentVolumeClaim" && !child(limit, "min").contains("storage") && !child(limit, "max").contains("storage")) {
    out.push_back(required(p.child("limits"), "either minimum or maximum storage value is required, but neither was provided"));
  }
  for (const auto& k : keys) limitConsistency(k, q, p, out);
}

void accessModes(const json::object& spec, const Path& p, std::string_view requiredDetail, Causes& out) {
  static const std::vector<std::string> supported = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"};
  auto modes = strings(arrayAt(spec, "accessModes"));
  if (modes.empty()) out.push_back(required(p.child("accessModes"), requiredDetail));
  bool rwop = false, other = false;
  for (const auto& mode : modes) {
    bool known = std::find(supported.begin(), supported.end(), mode) != supported.end();
    if (!known) out.push_back(notSupportedStr(p.child("accessModes"), mode, supported));
    if (mode == "ReadWriteOncePod") rwop = true;
    else if (known) other = true;
  }
  if (rwop && other) out.push_back(forbidden(p.child("accessModes"), "may not use ReadWriteOncePod with other access modes"));
}

void volumeMode(const json::object& spec, const Path& p, Causes& out) {
  auto mode = optionalString(spec, "volumeMode");
  if (mode && *mode != "Block" && *mode != "Filesystem") {
    out.push_back(notSupportedStr(p.child("volumeMode"), *mode, {"Block", "Filesystem"}));
  }
}

void className(const json::object& spec, std::string_view key, const Path& p, Causes& out) {
  std::string_view name = stringAt(spec, key);
  if (name.empty()) return;
  for (const auto& msg : dns1123SubdomainProblems(name)) out.push_back(invalidStr(p.child(key), name, msg));
}

constexpr std::string_view kPvSources[] = {
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd", "quobyte",
    "cephfs", "iscsi", "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume", "photonPersistentDisk",
    "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi"};

void pvSource(const json::object& spec, const Path& p, Causes& out) {
  int count = 0;
  for (std::string_view key : kPvSources) {
    if (!objectAt(spec, key)) continue;
    if (count++ > 0 && key != "flexVolume") {
      out.push_back(forbidden(p.child(key == "cephfs" ? "cephFS" : key), "may not specify more than 1 volume type"));
    }
  }
  if (count == 0) out.push_back(required(p, "must specify a volume type"));
  if (objectAt(spec, "local") && !objectAt(spec, "nodeAffinity")) {
    out.push_back(required(p.child("nodeAffinity"), "Local volume requires node affinity"));
  }
}

void pvCapacity(const json::object& spec, const Path& p, Causes& out) {
  const json::object* capacity = objectAt(spec, "capacity");
  Path cp = p.child("capacity");
  if (!capacity || capacity->empty()) out.push_back(required(cp));
  if (!capacity || !capacity->contains("storage") || capacity->size() > 1) {
    json::value v = capacity ? json::value(*capacity) : json::value();
    out.push_back(notSupported(cp, capacity ? renderJson(&v) : "core.ResourceList(nil)", {"storage"}));
  }
  for (const auto& [name, value] : capacity ? *capacity : json::object()) {
    auto q = Quantity::fromJson(value);
    if (q && (q->negative() || q->isZero())) out.push_back(invalidStr(cp.key(name), q->string(), "must be greater than zero"));
  }
}

void nodeTaints(const json::array* taints, const Path& p, Causes& out) {
  static const std::vector<std::string> effects = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; taints && i < taints->size(); ++i) {
    const json::value& item = (*taints)[i];
    const json::object& t = item.is_object() ? item.get_object() : emptyObject();
    Path tp = p.index(i);
    std::string key(stringAt(t, "key")), value(stringAt(t, "value")), effect(stringAt(t, "effect"));
    for (const auto& msg : selectors::qualifiedNameErrors(key)) out.push_back(invalidStr(tp.child("key"), key, msg));
    std::string joined;
    for (const auto& msg : selectors::labelValueErrors(value)) joined += (joined.empty() ? "" : ";") + msg;
    if (!joined.empty()) out.push_back(invalidStr(tp.child("value"), value, joined));
    if (effect.empty()) {
      out.push_back(required(tp.child("effect")));
    } else if (std::find(effects.begin(), effects.end(), effect) == effects.end()) {
      out.push_back(notSupportedStr(tp.child("effect"), effect, effects));
    }
    if (!seen.insert({effect, key}).second) {
      std::string rendered = "core.Taint{Key:" + goQuote(key) + ", Value:" + goQuote(value) + ", Effect:" + goQuote(effect) +
                             ", TimeAdded:(*v1.Time)(nil)}";
      out.push_back(fieldDuplicate(tp.str(), rendered + ": taints must be unique by key and effect pair"));
    }
  }
}

}  // namespace

Causes validateNode(const json::object& obj, const json::object* old) {
  Causes out;
  const json::object& spec = child(obj, "spec");
  // Upstream reports taints under metadata (fldPath is the metadata path there).
  nodeTaints(arrayAt(spec, "taints"), Path("metadata.taints"), out);
  auto cidrs = strings(arrayAt(spec, "podCIDRs"));
  for (std::size_t i = 0; i < cidrs.size(); ++i) {
    bool v6 = false;
    int prefix = 0;
    if (!parseCIDR(cidrs[i], v6, prefix)) {
      out.push_back(invalidStr(Path("spec.podCIDRs").index(i), cidrs[i], "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
    }
  }
  if (!old) return out;
  const json::object& oldSpec = child(*old, "spec");
  auto oldCidrs = strings(arrayAt(oldSpec, "podCIDRs"));
  if (!oldCidrs.empty() && oldCidrs != cidrs) {
    out.push_back(forbidden(Path("spec.podCIDRs"), "node updates may not change podCIDR except from \"\" to valid"));
  }
  std::string_view provider = stringAt(oldSpec, "providerID");
  if (!provider.empty() && provider != stringAt(spec, "providerID")) {
    out.push_back(forbidden(Path("spec.providerID"), "node updates may not change providerID except from \"\" to valid"));
  }
  return out;
}

Causes validateNamespace(const json::object& obj, const json::object*) {
  Causes out;
  Path p("spec.finalizers");
  for (const auto& f : strings(arrayAt(child(obj, "spec"), "finalizers"))) {
    for (const auto& msg : selectors::qualifiedNameErrors(f)) out.push_back(invalidStr(p, f, msg));
    if (f.find('/') == std::string::npos && f != "kubernetes" && f != "orphan" && f != "foregroundDeletion") {
      out.push_back(invalidStr(p, f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
  return out;
}

Causes validateResourceQuota(const json::object& obj, const json::object* old) {
  Causes out;
  const json::object& spec = child(obj, "spec");
  quotaResources(objectAt(spec, "hard"), Path("spec.hard"), out);
  quotaScopes(spec, Path("spec"), out);
  quotaResources(objectAt(child(obj, "status"), "hard"), Path("status.hard"), out);
  quotaResources(objectAt(child(obj, "status"), "used"), Path("status.used"), out);
  if (old) {
    auto now = strings(arrayAt(spec, "scopes")), before = strings(arrayAt(child(*old, "spec"), "scopes"));
    std::set<std::string> a(now.begin(), now.end()), b(before.begin(), before.end());
    if (a != b) out.push_back(invalidValue(Path("spec.scopes"), goScopes(valueAt(spec, "scopes")), kImmutableMsg));
  }
  return out;
}

Causes validateLimitRange(const json::object& obj, const json::object*) {
  Causes out;
  const json::array* limits = arrayAt(child(obj, "spec"), "limits");
  std::set<std::string> types;
  for (std::size_t i = 0; limits && i < limits->size(); ++i) {
    const json::value& item = (*limits)[i];
    limitItem(item.is_object() ? item.get_object() : emptyObject(), Path("spec.limits").index(i), types, out);
  }
  return out;
}

Causes validatePersistentVolume(const json::object& obj, const json::object* old) {
  Causes out;
  const json::object& spec = child(obj, "spec");
  Path p("spec");
  accessModes(spec, p, "", out);
  pvCapacity(spec, p, out);
  static const std::vector<std::string> policies = {"Delete", "Recycle", "Retain"};
  auto policy = optionalString(spec, "persistentVolumeReclaimPolicy");
  if (policy && !policy->empty() && std::find(policies.begin(), policies.end(), *policy) == policies.end()) {
    out.push_back(notSupportedStr(p.child("persistentVolumeReclaimPolicy"), *policy, policies));
  }
  pvSource(spec, p, out);
  className(spec, "storageClassName", p, out);
  volumeMode(spec, p, out);
  if (!old) return out;
  json::object now = spec, before = child(*old, "spec");
  for (const char* key : {"accessModes", "capacity", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName",
                          "mountOptions", "volumeMode", "nodeAffinity", "volumeAttributesClassName"}) {
    now.erase(key);
    before.erase(key);
  }
  json::value a = now, b = before;
  if (!semanticEqual(&a, &b)) {
    out.push_back(forbidden(Path("spec.persistentvolumesource"), "spec.persistentvolumesource is immutable after creation\n"));
  }
  const json::value* mode = valueAt(spec, "volumeMode");
  if (!semanticEqual(mode, valueAt(child(*old, "spec"), "volumeMode"))) {
    out.push_back(invalidValue(Path("volumeMode"), mode ? goQuote(mode->get_string()) : "null", kImmutableMsg));
  }
  return out;
}

Causes validatePersistentVolumeClaim(const json::object& obj, const json::object* old) {
  Causes out;
  const json::object& spec = child(obj, "spec");
  Path p("spec");
  accessModes(spec, p, "at least 1 access mode is required", out);
  if (const json::value* selector = valueAt(spec, "selector")) append(out, validateSelector(selector, p.child("selector")));
  Path sp = p.child("resources").key("storage");
  const json::value* storage = valueAt(child(child(spec, "resources"), "requests"), "storage");
  auto q = storage ? Quantity::fromJson(*storage) : std::nullopt;
  if (!storage) {
    out.push_back(required(sp));
  } else if (q && (q->negative() || q->isZero())) {
    out.push_back(invalidStr(sp, q->string(), "must be greater than zero"));
  }
  className(spec, "storageClassName", p, out);
  volumeMode(spec, p, out);
  if (!old) return out;
  json::object now = spec, before = child(*old, "spec");
  if (stringAt(before, "volumeName").empty()) before["volumeName"] = now.contains("volumeName") ? now["volumeName"] : json::value();
  for (json::object* s : {&now, &before}) {
    json::value* res = s->if_contains("resources");
    json::value* req = res && res->is_object() ? res->get_object().if_contains("requests") : nullptr;
    if (req && req->is_object()) req->get_object().erase("storage");
    s->erase("volumeAttributesClassName");
  }
  json::value a = now, b = before;
  if (!semanticEqual(&a, &b)) {
    out.push_back(forbidden(p, "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n"));
  }
  return out;
}

}  // namespace kcpp::api::validation
