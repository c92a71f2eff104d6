// PodSpec-level rules (ValidatePodSpec) and ValidatePodTemplateSpec.
#include <algorithm>

#include "api/selectors/label_selector_json.h"
#include "api/selectors/label_validation.h"
#include "api/validation/object_meta.h"
#include "api/validation/pod_internal.h"

namespace kcpp::api::validation {
namespace {

using namespace pod;

constexpr std::int64_t kMaxInt32 = 2147483647;

const json::object& asObject(const json::value& v) {
  static const json::object empty;
  return v.is_object() ? v.get_object() : empty;
}

bool contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

void restartPolicy(const json::object& spec, const Path& p, Causes& out) {
  static const std::vector<std::string> valid = {"Always", "OnFailure", "Never"};
  auto policy = optionalString(spec, "restartPolicy");
  if (!policy || policy->empty()) return;  // defaulted to Always
  if (!contains(valid, *policy)) out.push_back(notSupportedStr(p.child("restartPolicy"), *policy, valid));
}

void dnsPolicy(const json::object& spec, const Path& p, Causes& out) {
  static const std::vector<std::string> valid = {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"};
  auto policy = optionalString(spec, "dnsPolicy");
  if (policy && !policy->empty() && !contains(valid, *policy)) {
    out.push_back(notSupportedStr(p.child("dnsPolicy"), *policy, valid));
  }
  const json::object* config = objectAt(spec, "dnsConfig");
  if (policy != "None") return;
  if (!config) {
    return out.push_back(required(p.child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
  }
  const json::array* servers = arrayAt(*config, "nameservers");
  if (!servers || servers->empty()) {
    out.push_back(required(p.child("dnsConfig").child("nameservers"),
                           "must provide at least one DNS nameserver when `dnsPolicy` is None"));
  }
}

void validateToleration(const json::object& t, const Path& p, Causes& out) {
  std::string_view key = stringAt(t, "key"), op = stringAt(t, "operator");
  std::string_view value = stringAt(t, "value"), effect = stringAt(t, "effect");
  if (!key.empty()) qualifiedName(key, p.child("key"), out);
  if (key.empty() && op != "Exists") {
    out.push_back(invalidStr(p.child("operator"), op,
                             "operator must be Exists when `key` is empty, which means \"match all "
                             "values and all keys\""));
  }
  if (has(t, "tolerationSeconds") && effect != "NoExecute") {
    out.push_back(invalidStr(p.child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
  }
  if (op.empty() || op == "Equal") {
    auto errs = selectors::labelValueErrors(value);
    std::string joined;
    for (const auto& e : errs) joined += (joined.empty() ? "" : ";") + e;
    if (!errs.empty()) out.push_back(invalidStr(p.child("operator"), value, joined));
  } else if (op == "Exists") {
    if (!value.empty()) {
      out.push_back(invalidStr(p.child("operator"), value, "value must be empty when `operator` is 'Exists'"));
    }
  } else {
    out.push_back(notSupportedStr(p.child("operator"), op, {"Equal", "Exists"}));
  }
  static const std::vector<std::string> effects = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
  if (!effect.empty() && !contains(effects, effect)) {
    out.push_back(notSupportedStr(p.child("effect"), effect, effects));
  }
}

void idRange(const json::object& sc, std::string_view key, const Path& p, Causes& out) {
  auto id = intAt(sc, key);
  if (id && (*id < 0 || *id > kMaxInt32)) {
    out.push_back(invalidInt(p.child(key), *id, inclusiveRangeError(0, kMaxInt32)));
  }
}

void podSecurityContext(const json::object* sc, const Path& p, Causes& out) {
  if (!sc) return;
  for (std::string_view key : {"fsGroup", "runAsUser", "runAsGroup"}) idRange(*sc, key, p, out);
  const json::array* groups = arrayAt(*sc, "supplementalGroups");
  for (std::size_t i = 0; groups && i < groups->size(); ++i) {
    auto gid = (*groups)[i].is_int64() ? (*groups)[i].get_int64() : 0;
    if (gid < 0 || gid > kMaxInt32) {
      out.push_back(invalidInt(p.child("supplementalGroups").index(i), gid, inclusiveRangeError(0, kMaxInt32)));
    }
  }
  std::string_view change = stringAt(*sc, "fsGroupChangePolicy");
  if (has(*sc, "fsGroupChangePolicy") && change != "Always" && change != "OnRootMismatch") {
    out.push_back(notSupportedStr(p.child("fsGroupChangePolicy"), change, {"Always", "OnRootMismatch"}));
  }
}

void nodeSelectorRequirement(const json::object& r, const Path& p, Causes& out) {
  std::string_view op = stringAt(r, "operator");
  const json::array* values = arrayAt(r, "values");
  std::size_t n = values ? values->size() : 0;
  if (op == "In" || op == "NotIn") {
    if (n == 0) out.push_back(required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (op == "Exists" || op == "DoesNotExist") {
    if (n > 0) {
      out.push_back(forbidden(p.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
  } else if (op == "Gt" || op == "Lt") {
    if (n != 1) {
      out.push_back(required(p.child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    }
  } else {
    out.push_back(invalidStr(p.child("operator"), op, "not a valid selector operator"));
  }
  qualifiedName(stringAt(r, "key"), p.child("key"), out);
}

void nodeSelectorTerm(const json::object& term, const Path& p, Causes& out) {
  const json::array* exprs = arrayAt(term, "matchExpressions");
  for (std::size_t i = 0; exprs && i < exprs->size(); ++i) {
    nodeSelectorRequirement(asObject((*exprs)[i]), p.child("matchExpressions").index(i), out);
  }
}

void nodeAffinity(const json::object& na, const Path& p, Causes& out) {
  if (const json::object* req = objectAt(na, "requiredDuringSchedulingIgnoredDuringExecution")) {
    Path rp = p.child("requiredDuringSchedulingIgnoredDuringExecution").child("nodeSelectorTerms");
    const json::array* terms = arrayAt(*req, "nodeSelectorTerms");
    if (!terms || terms->empty()) out.push_back(required(rp, "must have at least one node selector term"));
    for (std::size_t i = 0; terms && i < terms->size(); ++i) nodeSelectorTerm(asObject((*terms)[i]), rp.index(i), out);
  }
  const json::array* preferred = arrayAt(na, "preferredDuringSchedulingIgnoredDuringExecution");
  for (std::size_t i = 0; preferred && i < preferred->size(); ++i) {
    const json::object& term = asObject((*preferred)[i]);
    Path tp = p.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
    auto weight = intAt(term, "weight").value_or(0);
    if (weight <= 0 || weight > 100) out.push_back(invalidInt(tp.child("weight"), weight, "must be in the range 1-100"));
    if (const json::object* pref = objectAt(term, "preference")) nodeSelectorTerm(*pref, tp.child("preference"), out);
  }
}

void podAffinityTerm(const json::object& term, const Path& p, Causes& out) {
  if (const json::value* sel = valueAt(term, "labelSelector")) {
    append(out, selectors::validateLabelSelector(*sel, p.child("labelSelector").str()));
  }
  for (const auto& ns : strings(arrayAt(term, "namespaces"))) dns1123Label(ns, p.child("namespace"), out);
  std::string_view key = stringAt(term, "topologyKey");
  if (key.empty()) out.push_back(required(p.child("topologyKey"), "can not be empty"));
  qualifiedName(key, p.child("topologyKey"), out);
}

void podAffinity(const json::object& pa, const Path& p, Causes& out) {
  const json::array* req = arrayAt(pa, "requiredDuringSchedulingIgnoredDuringExecution");
  for (std::size_t i = 0; req && i < req->size(); ++i) {
    podAffinityTerm(asObject((*req)[i]), p.child("requiredDuringSchedulingIgnoredDuringExecution").index(i), out);
  }
  const json::array* pref = arrayAt(pa, "preferredDuringSchedulingIgnoredDuringExecution");
  for (std::size_t i = 0; pref && i < pref->size(); ++i) {
    const json::object& wt = asObject((*pref)[i]);
    Path wp = p.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
    auto weight = intAt(wt, "weight").value_or(0);
    if (weight <= 0 || weight > 100) out.push_back(invalidInt(wp.child("weight"), weight, "must be in the range 1-100"));
    if (const json::object* t = objectAt(wt, "podAffinityTerm")) podAffinityTerm(*t, wp.child("podAffinityTerm"), out);
  }
}

void affinity(const json::object* a, const Path& p, Causes& out) {
  if (!a) return;
  if (const json::object* na = objectAt(*a, "nodeAffinity")) nodeAffinity(*na, p.child("nodeAffinity"), out);
  if (const json::object* pa = objectAt(*a, "podAffinity")) podAffinity(*pa, p.child("podAffinity"), out);
  if (const json::object* anti = objectAt(*a, "podAntiAffinity")) podAffinity(*anti, p.child("podAntiAffinity"), out);
}

void topologySpread(const json::array* constraints, const Path& p, Causes& out) {
  for (std::size_t i = 0; constraints && i < constraints->size(); ++i) {
    const json::object& c = asObject((*constraints)[i]);
    Path cp = p.index(i);
    auto skew = intAt(c, "maxSkew").value_or(0);
    if (skew <= 0) out.push_back(invalidInt(cp.child("maxSkew"), skew, "must be greater than zero"));
    if (stringAt(c, "topologyKey").empty()) out.push_back(required(cp.child("topologyKey"), "can not be empty"));
    std::string_view action = stringAt(c, "whenUnsatisfiable");
    if (action != "DoNotSchedule" && action != "ScheduleAnyway") {
      out.push_back(notSupportedStr(cp.child("whenUnsatisfiable"), action, {"DoNotSchedule", "ScheduleAnyway"}));
    }
    if (const json::value* sel = valueAt(c, "labelSelector")) {
      append(out, selectors::validateLabelSelector(*sel, cp.child("labelSelector").str()));
    }
  }
}

void namedReferences(const json::object& spec, const Path& p, Causes& out) {
  for (std::string_view key : {"serviceAccountName", "nodeName", "priorityClassName"}) {
    std::string_view v = stringAt(spec, key);
    if (!v.empty()) dns1123Subdomain(v, p.child(key), out);
  }
  for (std::string_view key : {"hostname", "subdomain"}) {
    std::string_view v = stringAt(spec, key);
    if (!v.empty()) dns1123Label(v, p.child(key), out);
  }
}

void hostNetworkPorts(const json::object& spec, const Path& p, const PodOptions& opts, Causes& out) {
  if (!boolAt(spec, "hostNetwork")) return;
  const json::array* containers = arrayAt(spec, "containers");
  for (std::size_t i = 0; containers && i < containers->size(); ++i) {
    const json::array* ports = arrayAt(asObject((*containers)[i]), "ports");
    for (std::size_t j = 0; ports && j < ports->size(); ++j) {
      const json::object& port = asObject((*ports)[j]);
      auto hp = intAt(port, "hostPort");
      auto cp = intAt(port, "containerPort").value_or(0);
      if (!hp) continue;  // defaulted to containerPort
      if ((opts.resourceIsPod || *hp != 0) && *hp != cp) {
        out.push_back(invalidInt(p.child("containers").index(i).child("ports").index(j).child("hostPort"), *hp,
                                 "must match `containerPort` when `hostNetwork` is true"));
      }
    }
  }
}

void schedulingAndMisc(const json::object& spec, const Path& p, Causes& out) {
  if (auto deadline = intAt(spec, "activeDeadlineSeconds"); deadline && (*deadline < 1 || *deadline > kMaxInt32)) {
    out.push_back(invalidInt(p.child("activeDeadlineSeconds"), *deadline, inclusiveRangeError(1, kMaxInt32)));
  }
  if (auto grace = intAt(spec, "terminationGracePeriodSeconds"); !grace && has(spec, "terminationGracePeriodSeconds")) {
    out.push_back(required(p.child("terminationGracePeriodSeconds")));
  }
  const json::array* gates = arrayAt(spec, "readinessGates");
  for (std::size_t i = 0; gates && i < gates->size(); ++i) {
    qualifiedName(stringAt(asObject((*gates)[i]), "conditionType"), p.child("readinessGates").index(i).child("conditionType"), out);
  }
  const json::array* sched = arrayAt(spec, "schedulingGates");
  std::set<std::string> seen;
  for (std::size_t i = 0; sched && i < sched->size(); ++i) {
    std::string name(stringAt(asObject((*sched)[i]), "name"));
    qualifiedName(name, p.child("schedulingGates").index(i), out);
    if (!seen.insert(name).second) out.push_back(duplicateStr(p.child("schedulingGates").index(i), name));
  }
  std::string_view preemption = stringAt(spec, "preemptionPolicy");
  if (has(spec, "preemptionPolicy") && preemption != "PreemptLowerPriority" && preemption != "Never") {
    out.push_back(notSupportedStr(p.child("preemptionPolicy"), preemption, {"PreemptLowerPriority", "Never"}));
  }
  if (const json::object* os = objectAt(spec, "os")) {
    std::string_view name = stringAt(*os, "name");
    if (name.empty()) {
      out.push_back(required(p.child("os").child("name"), "cannot be empty"));
    } else if (name != "linux" && name != "windows") {
      out.push_back(notSupportedStr(p.child("os"), name, {"linux", "windows"}));
    }
  }
}

}  // namespace

Causes validateTolerations(const json::array* tolerations, const Path& p) {
  Causes out;
  for (std::size_t i = 0; tolerations && i < tolerations->size(); ++i) {
    validateToleration(asObject((*tolerations)[i]), p.index(i), out);
  }
  return out;
}

std::string restartPolicyOf(const json::object& podSpec) {
  std::string_view policy = stringAt(podSpec, "restartPolicy");
  return policy.empty() ? "Always" : std::string(policy);
}

Causes validatePodSpec(const json::object& spec, const Path& p, const PodOptions& opts) {
  Causes out;
  VolumeMap volumes = validateVolumes(arrayAt(spec, "volumes"), p.child("volumes"), out);
  ContainerContext ctx{&volumes, intAt(spec, "terminationGracePeriodSeconds"), opts};
  if (!has(spec, "terminationGracePeriodSeconds")) ctx.gracePeriod = 30;  // defaulted
  append(out, validateContainers(arrayAt(spec, "containers"), ctx, p.child("containers")));
  append(out, validateInitContainers(arrayAt(spec, "initContainers"), arrayAt(spec, "containers"), ctx,
                                     p.child("initContainers")));
  hostNetworkPorts(spec, p, opts, out);
  restartPolicy(spec, p, out);
  dnsPolicy(spec, p, out);
  append(out, validateLabels(valueAt(spec, "nodeSelector"), p.child("nodeSelector")));
  podSecurityContext(objectAt(spec, "securityContext"), p.child("securityContext"), out);
  affinity(objectAt(spec, "affinity"), p.child("affinity"), out);
  topologySpread(arrayAt(spec, "topologySpreadConstraints"), p.child("topologySpreadConstraints"), out);
  namedReferences(spec, p, out);
  append(out, validateTolerations(arrayAt(spec, "tolerations"), p.child("tolerations")));
  schedulingAndMisc(spec, p, out);
  if (const json::object* overhead = objectAt(spec, "overhead")) {
    json::object limits;
    limits["limits"] = *overhead;
    append(out, validateResourceRequirements(&limits, p.child("overhead")));
  }
  return out;
}

Causes validatePodTemplateSpec(const json::object& tmpl, const Path& p) {
  Causes out;
  const json::object* meta = objectAt(tmpl, "metadata");
  static const json::object empty;
  if (!meta) meta = &empty;
  append(out, validateLabels(valueAt(*meta, "labels"), p.child("labels")));
  append(out, validateAnnotations(valueAt(*meta, "annotations"), p.child("annotations")));
  const json::object* spec = objectAt(tmpl, "spec");
  append(out, validatePodSpec(spec ? *spec : empty, p.child("spec"), PodOptions{}));
  if (spec && arrayAt(*spec, "ephemeralContainers") && !arrayAt(*spec, "ephemeralContainers")->empty()) {
    out.push_back(forbidden(p.child("spec").child("ephemeralContainers"), "ephemeral containers not allowed in pod template"));
  }
  return out;
}

}  // namespace kcpp::api::validation
