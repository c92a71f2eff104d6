#include "api/validation/field_errors.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "api/meta/status.h"
#include "api/selectors/go_format.h"

namespace kcpp::api::validation {

Path Path::child(std::string_view name) const {
  if (text_.empty()) return Path(std::string(name));
  return Path(text_ + "." + std::string(name));
}

Path Path::index(std::size_t i) const { return Path(text_ + "[" + std::to_string(i) + "]"); }

Path Path::key(std::string_view k) const { return Path(text_ + "[" + std::string(k) + "]"); }

std::string inclusiveRangeError(std::int64_t lo, std::int64_t hi) {
  return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", inclusive";
}

Cause required(const Path& p, std::string_view detail) {
  return fieldRequired(p.str(), std::string(detail));
}

Cause forbidden(const Path& p, std::string_view detail) {
  return fieldForbidden(p.str(), std::string(detail));
}

Cause invalidValue(const Path& p, const std::string& rendered, std::string_view detail) {
  return fieldInvalidValue(p.str(), rendered, std::string(detail));
}

Cause invalidStr(const Path& p, std::string_view value, std::string_view detail) {
  return invalidValue(p, goQuote(value), detail);
}

Cause invalidInt(const Path& p, std::int64_t value, std::string_view detail) {
  return invalidValue(p, std::to_string(value), detail);
}

Cause duplicateStr(const Path& p, std::string_view value) {
  return fieldDuplicate(p.str(), goQuote(value));
}

Cause notFoundStr(const Path& p, std::string_view value) {
  return fieldNotFound(p.str(), goQuote(value));
}

Cause notSupported(const Path& p, const std::string& rendered, const std::vector<std::string>& supported) {
  return fieldNotSupported(p.str(), rendered, supported);
}

Cause notSupportedStr(const Path& p, std::string_view value,
                      const std::vector<std::string>& supported) {
  return fieldNotSupported(p.str(), goQuote(value), supported);
}

Cause tooLong(const Path& p, std::int64_t maxBytes) { return fieldTooLong(p.str(), maxBytes); }

Cause tooMany(const Path& p, std::int64_t actual, std::int64_t max) {
  return fieldTooMany(p.str(), actual, max);
}

void append(Causes& into, Causes more) {
  for (auto& c : more) into.push_back(std::move(c));
}

std::string goQuote(std::string_view s) { return selectors::goQuote(s); }

std::string goStringMap(const json::value* map) {
  if (!map || !map->is_object()) return "map[string]string(nil)";
  std::map<std::string, std::string> sorted;  // Go's fmt prints maps sorted by key
  for (const auto& [k, v] : map->get_object()) {
    sorted[std::string(k)] = v.is_string() ? std::string(v.get_string()) : "";
  }
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, v] : sorted) {
    out += (first ? "" : ", ") + goQuote(k) + ":" + goQuote(v);
    first = false;
  }
  return out + "}";
}

std::string goStringSlice(const json::value* list) {
  if (!list || !list->is_array() || list->get_array().empty()) {
    return list && list->is_array() ? "[]string{}" : "[]string(nil)";
  }
  std::string out = "[]string{";
  bool first = true;
  for (const auto& v : list->get_array()) {
    out += (first ? "" : ", ") + goQuote(v.is_string() ? std::string_view(v.get_string()) : "");
    first = false;
  }
  return out + "}";
}

namespace {

std::string goRequirement(const json::value& r) {
  const json::object* o = r.if_object();
  static const json::object kEmpty;
  if (!o) o = &kEmpty;
  return "v1.LabelSelectorRequirement{Key:" + goQuote(stringAt(*o, "key")) +
         ", Operator:" + goQuote(stringAt(*o, "operator")) +
         ", Values:" + goStringSlice(valueAt(*o, "values")) + "}";
}

std::string goRequirements(const json::value* list) {
  if (!list || !list->is_array()) return "[]v1.LabelSelectorRequirement(nil)";
  std::string out = "[]v1.LabelSelectorRequirement{";
  bool first = true;
  for (const auto& r : list->get_array()) {
    out += (first ? "" : ", ") + goRequirement(r);
    first = false;
  }
  return out + "}";
}

}  // namespace

std::string goLabelSelector(const json::value* selector) {
  if (!selector || !selector->is_object()) return "null";
  const json::object& o = selector->get_object();
  return "v1.LabelSelector{MatchLabels:" + goStringMap(valueAt(o, "matchLabels")) +
         ", MatchExpressions:" + goRequirements(valueAt(o, "matchExpressions")) + "}";
}

std::string goIntOrString(const json::value& v) {
  if (v.is_string()) {
    return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + goQuote(v.get_string()) + "}";
  }
  std::int64_t n = v.is_int64() ? v.get_int64() : v.is_uint64() ? std::int64_t(v.get_uint64()) : 0;
  return "intstr.IntOrString{Type:0, IntVal:" + std::to_string(n) + ", StrVal:\"\"}";
}

std::string renderJson(const json::value* v) { return v ? json::serialize(*v) : "null"; }

const json::value* valueAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

const json::object* objectAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

const json::array* arrayAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}

std::string_view stringAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::optional<std::string> optionalString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<std::int64_t> intAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double() && std::floor(v->get_double()) == v->get_double()) {
    return static_cast<std::int64_t>(v->get_double());
  }
  return std::nullopt;
}

bool boolAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

bool has(const json::object& o, std::string_view key) { return valueAt(o, key) != nullptr; }

std::vector<std::string> strings(const json::array* list) {
  std::vector<std::string> out;
  if (!list) return out;
  for (const auto& v : *list) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

namespace {

// Go's zero values: what an absent field decodes to.
bool isZero(const json::value* v) {
  if (!v || v->is_null()) return true;
  if (v->is_string()) return v->get_string().empty();
  if (v->is_bool()) return !v->get_bool();
  if (v->is_number()) return v->to_number<double>() == 0;
  if (v->is_array()) return v->get_array().empty();
  return v->get_object().empty();
}

bool objectsEqual(const json::object& a, const json::object& b) {
  for (const auto& [k, v] : a) {
    if (!semanticEqual(&v, b.if_contains(k))) return false;
  }
  for (const auto& [k, v] : b) {
    if (!a.contains(k) && !isZero(&v)) return false;
  }
  return true;
}

bool arraysEqual(const json::array& a, const json::array& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!semanticEqual(&a[i], &b[i])) return false;
  }
  return true;
}

}  // namespace

bool semanticEqual(const json::value* a, const json::value* b) {
  if (isZero(a) || isZero(b)) return isZero(a) && isZero(b);
  if (a->is_number() && b->is_number()) return a->to_number<double>() == b->to_number<double>();
  if (a->kind() != b->kind()) return false;
  if (a->is_object()) return objectsEqual(a->get_object(), b->get_object());
  if (a->is_array()) return arraysEqual(a->get_array(), b->get_array());
  return *a == *b;
}

}  // namespace kcpp::api::validation
