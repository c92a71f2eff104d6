#include "api/validation/workload_common.h"

#include "api/selectors/label_selector_json.h"

namespace kcpp::api::validation {

void nonNegativeField(const json::object& o, std::string_view key, const Path& p, Causes& out) {
  if (auto v = intAt(o, key); v && *v < 0) out.push_back(invalidInt(p.child(key), *v, kNegativeMsg));
}

const json::value* templateLabels(const json::object& tmpl) {
  const json::object* meta = objectAt(tmpl, "metadata");
  return meta ? valueAt(*meta, "labels") : nullptr;
}

bool selectorMatchesLabels(const json::value* selector, const json::value* labels) {
  if (!selector) return false;
  auto parsed = selectors::labelSelectorFromJson(*selector);
  if (!parsed) return true;  // reported by the selector's own validation
  selectors::Labels set;
  if (labels && labels->is_object()) {
    for (const auto& [k, v] : labels->get_object()) {
      set[std::string(k)] = v.is_string() ? std::string(v.get_string()) : "";
    }
  }
  return parsed->matches(set);
}

bool selectorIsEmpty(const json::value* selector) {
  if (!selector || !selector->is_object()) return false;
  const json::object& o = selector->get_object();
  const json::value* labels = valueAt(o, "matchLabels");
  const json::value* exprs = valueAt(o, "matchExpressions");
  bool noLabels = !labels || (labels->is_object() && labels->get_object().empty());
  bool noExprs = !exprs || (exprs->is_array() && exprs->get_array().empty());
  return noLabels && noExprs;
}

Cause selectorMismatch(const Path& templatePath, const json::object& tmpl) {
  return invalidValue(templatePath.child("metadata").child("labels"), goStringMap(templateLabels(tmpl)),
                      "`selector` does not match template `labels`");
}

Causes validateSelector(const json::value* selector, const Path& p) {
  if (!selector) return {};
  return selectors::validateLabelSelector(*selector, p.str());
}

void immutableSelector(const json::value* now, const json::value* before, const Path& p, Causes& out) {
  if (semanticEqual(now, before)) return;
  out.push_back(invalidValue(p, goLabelSelector(now), kImmutableMsg));
}

}  // namespace kcpp::api::validation
