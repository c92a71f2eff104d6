#include "apiserver/authz/rbac/bootstrappolicy/reconcile.h"

#include <algorithm>
#include <string>
#include <vector>

#include "apiserver/authz/rbac/bootstrappolicy/policy_builders.h"
#include "apiserver/authz/rbac/escalation.h"
#include "apiserver/authz/rbac/rbac_authorizer.h"

namespace kcpp::apiserver::rbac::bootstrap {

namespace {

const json::object* objectField(const json::object& obj, const char* field) {
  const json::value* v = obj.if_contains(field);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* arrayField(const json::object& obj, const char* field) {
  const json::value* v = obj.if_contains(field);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

bool isProtected(const json::object& existing) {
  const json::object* meta = objectField(existing, "metadata");
  const json::object* annotations = meta ? objectField(*meta, "annotations") : nullptr;
  const json::value* v = annotations ? annotations->if_contains(kAutoUpdateAnnotation) : nullptr;
  return v && v->is_string() && v->get_string() == "false";
}

// Adds to metadata.<field> of `object` the keys of the expected map it lacks;
// true when any was added (upstream's merge, the existing values winning).
bool mergeMetadataMap(json::object& object, const json::object& expected, const char* field) {
  const json::object* expectedMeta = objectField(expected, "metadata");
  const json::object* want = expectedMeta ? objectField(*expectedMeta, field) : nullptr;
  if (!want || want->empty()) return false;
  json::value& meta = object["metadata"];
  if (!meta.is_object()) meta = json::object{};
  json::value& have = meta.get_object()[field];
  if (!have.is_object()) have = json::object{};
  bool changed = false;
  for (const auto& kv : *want) {
    if (have.get_object().contains(kv.key())) continue;
    have.get_object()[kv.key()] = kv.value();
    changed = true;
  }
  return changed;
}

bool mergeMetadata(json::object& object, const json::object& expected) {
  bool annotations = mergeMetadataMap(object, expected, "annotations");
  bool labels = mergeMetadataMap(object, expected, "labels");
  return annotations || labels;
}

json::array stringsToJson(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

// A rule as the API writes it: verbs always, the other lists when set.
json::object ruleToJson(const PolicyRule& rule) {
  json::object out{{"verbs", stringsToJson(rule.verbs)}};
  if (!rule.apiGroups.empty()) out["apiGroups"] = stringsToJson(rule.apiGroups);
  if (!rule.resources.empty()) out["resources"] = stringsToJson(rule.resources);
  if (!rule.resourceNames.empty()) out["resourceNames"] = stringsToJson(rule.resourceNames);
  if (!rule.nonResourceURLs.empty()) out["nonResourceURLs"] = stringsToJson(rule.nonResourceURLs);
  return out;
}

bool addMissingRules(json::object& role, const json::object& expected) {
  // The common case, a role as it was created: nothing to compute.
  const json::value* have = role.if_contains("rules");
  const json::value* want = expected.if_contains("rules");
  if (have && want && *have == *want) return false;
  std::vector<PolicyRule> missing = uncoveredRules(parseRules(role.if_contains("rules")),
                                                   parseRules(expected.if_contains("rules")));
  if (missing.empty()) return false;
  json::value& rules = role["rules"];
  if (!rules.is_array()) rules = json::array{};
  for (const auto& r : missing) rules.get_array().push_back(ruleToJson(r));
  return true;
}

// Appends the elements of `want` that the array `object[field]` lacks (exact
// equality); true when any was added.
bool appendMissing(json::object& object, const char* field, const json::array& want) {
  json::value& v = object[field];
  if (!v.is_array()) v = json::array{};
  json::array& have = v.get_array();
  bool changed = false;
  for (const auto& item : want) {
    if (std::find(have.begin(), have.end(), item) != have.end()) continue;
    have.push_back(item);
    changed = true;
  }
  return changed;
}

bool reconcileAggregation(json::object& role, const json::object& expected) {
  const json::object* want = objectField(expected, "aggregationRule");
  if (!want) {
    const json::value* have = role.if_contains("aggregationRule");
    if (!have || have->is_null()) return false;
    role.erase("aggregationRule");
    return true;
  }
  json::value& have = role["aggregationRule"];
  if (!have.is_object()) have = json::object{};
  const json::array* selectors = arrayField(*want, "clusterRoleSelectors");
  if (!selectors) return false;
  return appendMissing(have.get_object(), "clusterRoleSelectors", *selectors);
}

std::string stringField(const json::object& obj, const char* field) {
  const json::value* v = obj.if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Subjects are equal when kind, apiGroup, name and namespace are (an absent
// field is the empty string, as in upstream's struct comparison).
bool sameSubject(const json::value& a, const json::value& b) {
  if (!a.is_object() || !b.is_object()) return a == b;
  for (const char* field : {"kind", "apiGroup", "name", "namespace"}) {
    if (stringField(a.get_object(), field) != stringField(b.get_object(), field)) return false;
  }
  return true;
}

bool sameRoleRef(const json::object& a, const json::object& b) {
  for (const char* field : {"apiGroup", "kind", "name"}) {
    if (stringField(a, field) != stringField(b, field)) return false;
  }
  return true;
}

bool addMissingSubjects(json::object& binding, const json::array& want) {
  json::value& v = binding["subjects"];
  if (!v.is_array()) v = json::array{};
  json::array& have = v.get_array();
  bool changed = false;
  for (const auto& subject : want) {
    bool present = std::any_of(have.begin(), have.end(),
                               [&](const json::value& h) { return sameSubject(h, subject); });
    if (present) continue;
    have.push_back(subject);
    changed = true;
  }
  return changed;
}

}  // namespace

Reconciled reconcileRole(const json::object& existing, const json::object& expected) {
  Reconciled result;
  result.isProtected = isProtected(existing);
  if (result.isProtected) return result;
  result.object = existing;
  bool metadata = mergeMetadata(result.object, expected);
  bool rules = addMissingRules(result.object, expected);
  bool aggregation = reconcileAggregation(result.object, expected);
  if (metadata || rules || aggregation) result.operation = ReconcileOperation::Update;
  return result;
}

Reconciled reconcileBinding(const json::object& existing, const json::object& expected) {
  Reconciled result;
  result.isProtected = isProtected(existing);
  if (result.isProtected) return result;
  const json::object* haveRef = objectField(existing, "roleRef");
  const json::object* wantRef = objectField(expected, "roleRef");
  if (wantRef && (!haveRef || !sameRoleRef(*haveRef, *wantRef))) {
    result.object = expected;
    result.operation = ReconcileOperation::Recreate;
    return result;
  }
  result.object = existing;
  bool metadata = mergeMetadata(result.object, expected);
  bool subjects = false;
  if (const json::array* want = arrayField(expected, "subjects")) {
    subjects = addMissingSubjects(result.object, *want);
  }
  if (metadata || subjects) result.operation = ReconcileOperation::Update;
  return result;
}

}  // namespace kcpp::apiserver::rbac::bootstrap
