#include "api/validation/apps.h"

#include <algorithm>
#include <cctype>

#include "api/selectors/label_selector_json.h"
#include "api/validation/object_meta.h"
#include "api/validation/pod_spec.h"
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

// IsValidPercent: ^[0-9]+%$.
bool isPercent(std::string_view s) {
  if (s.size() < 2 || s.back() != '%') return false;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

void positiveIntOrPercent(const json::value& v, const Path& p, Causes& out) {
  if (v.is_string()) {
    if (!isPercent(v.get_string())) {
      out.push_back(invalidValue(p, goIntOrString(v),
                                 "a valid percent string must be a numeric string followed by an "
                                 "ending '%' (e.g. '1%',  or '93%', regex used for validation is "
                                 "'[0-9]+%')"));
    }
  } else if (auto n = v.is_int64() ? v.get_int64() : 0; n < 0) {
    out.push_back(invalidInt(p, n, kNegativeMsg));
  }
}

// getIntOrPercentValue: the percent's number, the int, or a string's Atoi (0 if not a number).
std::int64_t intOrPercentValue(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (!v.is_string()) return 0;
  std::string s(v.get_string());
  if (isPercent(s)) s.pop_back();
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) return 0;
  return s.size() > 9 ? 0 : std::stoll(s);
}

void notMoreThan100Percent(const json::value& v, const Path& p, Causes& out) {
  if (v.is_string() && isPercent(v.get_string()) && intOrPercentValue(v) > 100) {
    out.push_back(invalidValue(p, goIntOrString(v), "must not be greater than 100%"));
  }
}

json::value fieldOr(const json::object& o, std::string_view key, json::value fallback) {
  const json::value* v = valueAt(o, key);
  return v ? *v : fallback;
}

// ValidatePodTemplateSpecForReplicaSet (and its DaemonSet/RC twins).
void templateForController(const json::object& spec, const Path& p, std::string_view kind,
                           bool checkMatch, Causes& out) {
  const json::object& tmpl = child(spec, "template");
  Path tp = p.child("template");
  if (checkMatch) out.push_back(selectorMismatch(tp, tmpl));
  append(out, validatePodTemplateSpec(tmpl, tp));
  const json::object& podSpec = child(tmpl, "spec");
  std::string policy = restartPolicyOf(podSpec);
  if (policy != "Always") out.push_back(notSupportedStr(tp.child("spec").child("restartPolicy"), policy, {"Always"}));
  if (has(podSpec, "activeDeadlineSeconds")) {
    out.push_back(forbidden(tp.child("spec").child("activeDeadlineSeconds"),
                            "activeDeadlineSeconds in " + std::string(kind) + " is not Supported"));
  }
}

bool mismatch(const json::value* selector, const json::object& spec) {
  return !selectorMatchesLabels(selector, templateLabels(child(spec, "template")));
}

// The selector part of ValidateReplicaSetSpec / ValidateDeploymentSpec, then the template.
void selectorAndTemplate(const json::object& spec, const Path& p, std::string_view emptyKind,
                         std::string_view templateKind, Causes& out) {
  const json::value* selector = valueAt(spec, "selector");
  if (!selector) {
    out.push_back(required(p.child("selector")));
  } else {
    append(out, validateSelector(selector, p.child("selector")));
    if (selectorIsEmpty(selector)) {
      out.push_back(invalidValue(p.child("selector"), goLabelSelector(selector),
                                 "empty selector is invalid for " + std::string(emptyKind)));
    }
  }
  if (selector && !selectors::labelSelectorFromJson(*selector)) {
    out.push_back(invalidValue(p.child("selector"), goLabelSelector(selector), "invalid label selector"));
    return;
  }
  bool check = !selectorIsEmpty(selector) && mismatch(selector, spec);
  templateForController(spec, p, templateKind, check, out);
}

void rollingUpdateDeployment(const json::object& ru, const Path& p, Causes& out) {
  json::value maxUnavailable = fieldOr(ru, "maxUnavailable", "25%");
  json::value maxSurge = fieldOr(ru, "maxSurge", "25%");
  positiveIntOrPercent(maxUnavailable, p.child("maxUnavailable"), out);
  positiveIntOrPercent(maxSurge, p.child("maxSurge"), out);
  if (intOrPercentValue(maxUnavailable) == 0 && intOrPercentValue(maxSurge) == 0) {
    out.push_back(invalidValue(p.child("maxUnavailable"), goIntOrString(maxUnavailable),
                               "may not be 0 when `maxSurge` is 0"));
  }
  notMoreThan100Percent(maxUnavailable, p.child("maxUnavailable"), out);
}

void deploymentStrategy(const json::object& spec, const Path& p, Causes& out) {
  const json::object& strategy = child(spec, "strategy");
  std::string_view type = stringAt(strategy, "type");
  const json::object* ru = objectAt(strategy, "rollingUpdate");
  if (type == "Recreate") {
    if (ru) out.push_back(forbidden(p.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type.empty() || type == "RollingUpdate") {
    rollingUpdateDeployment(ru ? *ru : emptyObject(), p.child("rollingUpdate"), out);
  } else {
    std::string rendered = "apps.DeploymentStrategy{Type:" + goQuote(type) + ", RollingUpdate:(*apps.RollingUpdateDeployment)(" +
                           (ru ? "0xc000000000" : "nil") + ")}";
    out.push_back(notSupported(p, rendered, {"Recreate", "RollingUpdate"}));
  }
}

Causes deploymentSpec(const json::object& spec) {
  Causes out;
  Path p("spec");
  nonNegativeField(spec, "replicas", p, out);
  selectorAndTemplate(spec, p, "deployment", "ReplicaSet", out);
  deploymentStrategy(spec, p.child("strategy"), out);
  nonNegativeField(spec, "minReadySeconds", p, out);
  nonNegativeField(spec, "revisionHistoryLimit", p, out);
  if (auto deadline = intAt(spec, "progressDeadlineSeconds")) {
    nonNegativeField(spec, "progressDeadlineSeconds", p, out);
    if (*deadline <= intAt(spec, "minReadySeconds").value_or(0)) {
      out.push_back(invalidInt(p.child("progressDeadlineSeconds"), *deadline, "must be greater than minReadySeconds"));
    }
  }
  return out;
}

void statefulSetRollingUpdate(const json::object& ru, const Path& p, Causes& out) {
  nonNegativeField(ru, "partition", p, out);
  const json::value* maxUnavailable = valueAt(ru, "maxUnavailable");
  if (!maxUnavailable) return;
  positiveIntOrPercent(*maxUnavailable, p.child("maxUnavailable"), out);
  if (intOrPercentValue(*maxUnavailable) == 0) {
    out.push_back(invalidValue(p.child("maxUnavailable"), goIntOrString(*maxUnavailable), "cannot be 0"));
  }
  notMoreThan100Percent(*maxUnavailable, p.child("maxUnavailable"), out);
}

std::string goStatefulSetRollingUpdate(const json::object& ru) {
  return "apps.RollingUpdateStatefulSetStrategy{Partition:" + std::to_string(intAt(ru, "partition").value_or(0)) +
         ", MaxUnavailable:(*intstr.IntOrString)(" + (has(ru, "maxUnavailable") ? "0xc000000000" : "nil") + ")}";
}

void statefulSetStrategy(const json::object& spec, const Path& p, Causes& out) {
  const json::object& strategy = child(spec, "updateStrategy");
  std::string_view type = stringAt(strategy, "type");
  const json::object* ru = objectAt(strategy, "rollingUpdate");
  Path sp = p.child("updateStrategy");
  if (type == "OnDelete") {
    if (ru) out.push_back(invalidValue(sp.child("rollingUpdate"), goStatefulSetRollingUpdate(*ru),
                                       "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (type.empty() || type == "RollingUpdate") {
    if (ru) statefulSetRollingUpdate(*ru, sp.child("rollingUpdate"), out);
  } else {
    std::string rendered = "apps.StatefulSetUpdateStrategy{Type:" + goQuote(type) +
                           ", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(" + (ru ? "0xc000000000" : "nil") + ")}";
    out.push_back(invalidValue(sp, rendered, "must be 'RollingUpdate' or 'OnDelete'"));
  }
}

void statefulSetPolicies(const json::object& spec, const Path& p, Causes& out) {
  if (auto policy = optionalString(spec, "podManagementPolicy"); policy && !policy->empty() &&
                                                                  *policy != "OrderedReady" && *policy != "Parallel") {
    out.push_back(invalidStr(p.child("podManagementPolicy"), *policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  if (const json::object* retention = objectAt(spec, "persistentVolumeClaimRetentionPolicy")) {
    Path rp = p.child("persistentVolumeClaimRetentionPolicy");
    for (std::string_view key : {"whenDeleted", "whenScaled"}) {
      auto v = optionalString(*retention, key);
      if (v && *v != "Retain" && *v != "Delete") out.push_back(notSupportedStr(rp.child(key), *v, {"Retain", "Delete"}));
    }
  }
  if (const json::object* ordinals = objectAt(spec, "ordinals")) {
    if (auto start = intAt(*ordinals, "start"); start && *start < 0) {
      out.push_back(invalidInt(p.child("ordinals.start"), *start, kNegativeMsg));
    }
  }
}

// ValidatePodTemplateSpecForStatefulSet: labels and annotations only (upstream
// does not validate the pod spec of a StatefulSet's template).
void statefulSetTemplate(const json::object& spec, const json::value* selector, const Path& p, Causes& out) {
  const json::object& tmpl = child(spec, "template");
  Path tp = p.child("template");
  if (!selectorIsEmpty(selector) && mismatch(selector, spec)) out.push_back(selectorMismatch(tp, tmpl));
  const json::object& meta = child(tmpl, "metadata");
  append(out, validateLabels(valueAt(meta, "labels"), tp.child("labels")));
  append(out, validateAnnotations(valueAt(meta, "annotations"), tp.child("annotations")));
  const json::object& podSpec = child(tmpl, "spec");
  std::string policy = restartPolicyOf(podSpec);
  if (policy != "Always") out.push_back(notSupportedStr(tp.child("spec").child("restartPolicy"), policy, {"Always"}));
  if (has(podSpec, "activeDeadlineSeconds")) {
    out.push_back(forbidden(tp.child("spec").child("activeDeadlineSeconds"), "activeDeadlineSeconds in StatefulSet is not Supported"));
  }
}

Causes statefulSetSpec(const json::object& spec) {
  Causes out;
  Path p("spec");
  statefulSetPolicies(spec, p, out);
  statefulSetStrategy(spec, p, out);
  nonNegativeField(spec, "replicas", p, out);
  nonNegativeField(spec, "minReadySeconds", p, out);
  const json::value* selector = valueAt(spec, "selector");
  if (!selector) {
    out.push_back(required(p.child("selector")));
  } else {
    append(out, validateSelector(selector, p.child("selector")));
    if (selectorIsEmpty(selector)) {
      out.push_back(invalidValue(p.child("selector"), goLabelSelector(selector), "empty selector is invalid for statefulset"));
    }
  }
  if (selector && !selectors::labelSelectorFromJson(*selector)) {
    out.push_back(invalidValue(p.child("selector"), goLabelSelector(selector), ""));
  } else {
    statefulSetTemplate(spec, selector, p, out);
  }
  return out;
}

void statefulSetUpdate(const json::object& spec, const json::object& old, Causes& out) {
  json::object now = spec;
  for (std::string_view key : {"replicas", "template", "updateStrategy", "minReadySeconds", "ordinals",
                               "persistentVolumeClaimRetentionPolicy"}) {
    if (const json::value* v = old.if_contains(key)) now[key] = *v;
    else now.erase(key);
  }
  json::value a = now, b = old;
  if (!semanticEqual(&a, &b)) {
    out.push_back(forbidden(Path("spec"),
                            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                            "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
}

void daemonSetRollingUpdate(const json::object& ru, const Path& p, Causes& out) {
  json::value maxUnavailable = fieldOr(ru, "maxUnavailable", 1);
  json::value maxSurge = fieldOr(ru, "maxSurge", 0);
  positiveIntOrPercent(maxUnavailable, p.child("maxUnavailable"), out);
  positiveIntOrPercent(maxSurge, p.child("maxSurge"), out);
  notMoreThan100Percent(maxUnavailable, p.child("maxUnavailable"), out);
  notMoreThan100Percent(maxSurge, p.child("maxSurge"), out);
  bool hasUnavailable = intOrPercentValue(maxUnavailable) != 0;
  bool hasSurge = intOrPercentValue(maxSurge) != 0;
  if (hasUnavailable && hasSurge) {
    out.push_back(invalidValue(p.child("maxSurge"), goIntOrString(maxSurge), "may not be set when maxUnavailable is non-zero"));
  } else if (!hasUnavailable && !hasSurge) {
    out.push_back(required(p.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"));
  }
}

void daemonSetStrategy(const json::object& spec, const Path& p, Causes& out) {
  const json::object& strategy = child(spec, "updateStrategy");
  std::string_view type = stringAt(strategy, "type");
  const json::object* ru = objectAt(strategy, "rollingUpdate");
  if (type.empty() || type == "RollingUpdate") {
    daemonSetRollingUpdate(ru ? *ru : emptyObject(), p.child("rollingUpdate"), out);
  } else if (type != "OnDelete") {
    std::string rendered = "apps.DaemonSetUpdateStrategy{Type:" + goQuote(type) +
                           ", RollingUpdate:(*apps.RollingUpdateDaemonSet)(" + (ru ? "0xc000000000" : "nil") + ")}";
    out.push_back(notSupported(p, rendered, {"RollingUpdate", "OnDelete"}));
  }
}

Causes daemonSetSpec(const json::object& spec) {
  Causes out;
  Path p("spec");
  const json::value* selector = valueAt(spec, "selector");
  append(out, validateSelector(selector, p.child("selector")));
  bool parses = !selector || selectors::labelSelectorFromJson(*selector);
  bool check = parses && mismatch(selector, spec);
  if (check) out.push_back(selectorMismatch(p.child("template"), child(spec, "template")));
  if (selectorIsEmpty(selector)) {
    out.push_back(invalidValue(p.child("selector"), goLabelSelector(selector), "empty selector is invalid for daemonset"));
  }
  templateForController(spec, p, "DaemonSet", false, out);
  nonNegativeField(spec, "minReadySeconds", p, out);
  daemonSetStrategy(spec, p.child("updateStrategy"), out);
  nonNegativeField(spec, "revisionHistoryLimit", p, out);
  return out;
}

Causes replicaSetSpec(const json::object& spec) {
  Causes out;
  Path p("spec");
  nonNegativeField(spec, "replicas", p, out);
  nonNegativeField(spec, "minReadySeconds", p, out);
  selectorAndTemplate(spec, p, "deployment", "ReplicaSet", out);
  return out;
}

// ReplicationController: a map selector, defaulted from the template's labels.
Causes replicationControllerSpec(const json::object& spec) {
  Causes out;
  Path p("spec");
  nonNegativeField(spec, "minReadySeconds", p, out);
  const json::object* tmpl = objectAt(spec, "template");
  const json::value* selector = valueAt(spec, "selector");
  if (!selector && tmpl) selector = templateLabels(*tmpl);
  bool emptySelector = !selector || !selector->is_object() || selector->get_object().empty();
  if (emptySelector) out.push_back(required(p.child("selector")));
  nonNegativeField(spec, "replicas", p, out);
  if (!tmpl) {
    out.push_back(required(p.child("template")));
    return out;
  }
  json::object asLabelSelector;
  if (!emptySelector) asLabelSelector["matchLabels"] = *selector;
  json::value sel = asLabelSelector;
  bool check = !emptySelector && mismatch(&sel, spec);
  templateForController(spec, p, "ReplicationController", check, out);
  return out;
}

const json::object& specOf(const json::object& obj) { return child(obj, "spec"); }

}  // namespace

Causes validateDeployment(const json::object& obj, const json::object* old) {
  Causes out = deploymentSpec(specOf(obj));
  if (old) immutableSelector(valueAt(specOf(obj), "selector"), valueAt(specOf(*old), "selector"), Path("spec.selector"), out);
  return out;
}

Causes validateReplicaSet(const json::object& obj, const json::object* old) {
  Causes out = replicaSetSpec(specOf(obj));
  if (old) immutableSelector(valueAt(specOf(obj), "selector"), valueAt(specOf(*old), "selector"), Path("spec.selector"), out);
  return out;
}

Causes validateStatefulSet(const json::object& obj, const json::object* old) {
  Causes out = statefulSetSpec(specOf(obj));
  if (old) statefulSetUpdate(specOf(obj), specOf(*old), out);
  return out;
}

Causes validateDaemonSet(const json::object& obj, const json::object* old) {
  Causes out = daemonSetSpec(specOf(obj));
  if (old) immutableSelector(valueAt(specOf(obj), "selector"), valueAt(specOf(*old), "selector"), Path("spec.selector"), out);
  return out;
}

Causes validateControllerRevision(const json::object& obj, const json::object* old) {
  Causes out;
  if (!obj.contains("data") || obj.at("data").is_null()) out.push_back(required(Path("data"), "data is mandatory"));
  nonNegativeField(obj, "revision", Path(), out);
  if (old && !semanticEqual(obj.if_contains("data"), old->if_contains("data"))) {
    out.push_back(invalidValue(Path("data"), renderJson(obj.if_contains("data")), kImmutableMsg));
  }
  return out;
}

Causes validateReplicationController(const json::object& obj, const json::object*) {
  return replicationControllerSpec(specOf(obj));
}

}  // namespace kcpp::api::validation
