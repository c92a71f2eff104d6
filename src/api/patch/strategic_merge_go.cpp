// How upstream's Go code sees decoded JSON (types, ==, fmt's %v) and the errors of
// strategic merge patch worded as upstream words them.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "api/patch/strategic_merge_internal.h"

namespace kcpp::patch::smp {
namespace {

bool isInteger(const json::value& v) { return v.is_int64() || v.is_uint64(); }

// strconv.FormatFloat(f, 'g', -1, 64) as fmt's %v prints a float64: the shortest
// digits, in exponent form when the exponent is < -4 or >= 6.
std::string goFloat(double f) {
  // A number too large for a double decodes as an infinity; Go prints these so.
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f < 0 ? "-Inf" : "+Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  if (ec != std::errc()) return "NaN";
  std::string sci(buf, end);  // "-1.5e+06"
  auto e = sci.find('e');
  int exp = 0;
  const char* expStart = sci.data() + e + 1;
  if (*expStart == '+') ++expStart;
  std::from_chars(expStart, sci.data() + sci.size(), exp);
  std::string sign = sci[0] == '-' ? "-" : "";
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (exp < -4 || exp >= 6) {
    std::string mantissa = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
    std::string expDigits = std::to_string(exp < 0 ? -exp : exp);
    if (expDigits.size() < 2) expDigits = "0" + expDigits;
    return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + expDigits;
  }
  if (exp < 0) return sign + "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
  auto intDigits = static_cast<std::size_t>(exp + 1);
  if (digits.size() <= intDigits) return sign + digits + std::string(intDigits - digits.size(), '0');
  return sign + digits.substr(0, intDigits) + "." + digits.substr(intDigits);
}

std::string scalarText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return goFloat(v.get_double());
  return "<nil>";
}

Error withReason(Reason reason, std::string message) { return makeError(reason, std::move(message)); }

}  // namespace

std::string goType(const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: return "map[string]interface {}";
    case json::kind::array: return "[]interface {}";
    case json::kind::string: return "string";
    case json::kind::bool_: return "bool";
    case json::kind::int64:
    case json::kind::uint64: return "int64";
    case json::kind::double_: return "float64";
    case json::kind::null: return "";
  }
  return "";
}

bool goEqual(const json::value& a, const json::value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (isInteger(a) && isInteger(b)) {
    if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
    if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
    const json::value& signedOne = a.is_int64() ? a : b;
    const json::value& unsignedOne = a.is_int64() ? b : a;
    return signedOne.get_int64() >= 0 &&
           static_cast<std::uint64_t>(signedOne.get_int64()) == unsignedOne.get_uint64();
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_string()) return a.get_string() == b.get_string();
  if (a.is_bool()) return a.get_bool() == b.get_bool();
  if (a.is_double()) return a.get_double() == b.get_double();
  return false;  // maps and slices are not comparable
}

std::string goFormat(const json::value& v, bool verbS) {
  if (v.is_object()) {
    std::vector<std::pair<std::string_view, const json::value*>> members;
    for (const auto& [k, item] : v.get_object()) members.emplace_back(k, &item);
    std::sort(members.begin(), members.end());
    std::string out = "map[";
    for (std::size_t i = 0; i < members.size(); ++i) {
      out += (i ? " " : "") + std::string(members[i].first) + ":" + goFormat(*members[i].second, verbS);
    }
    return out + "]";
  }
  if (v.is_array()) {
    std::string out = "[";
    const json::array& a = v.get_array();
    for (std::size_t i = 0; i < a.size(); ++i) out += (i ? " " : "") + goFormat(a[i], verbS);
    return out + "]";
  }
  if (!verbS || v.is_string()) return scalarText(v);
  if (v.is_null()) return "%!s(<nil>)";
  return "%!s(" + goType(v) + "=" + scalarText(v) + ")";
}

Error badPatchFormatForPrimitiveList() {
  return withReason(Reason::BadRequest, "invalid patch format of primitive list");
}
Error badPatchFormatForRetainKeys() {
  return withReason(Reason::BadRequest, "invalid patch format of retainKeys");
}
Error badPatchFormatForSetElementOrder() {
  return withReason(Reason::BadRequest, "invalid patch format of setElementOrder list");
}
Error noListOfLists() {
  // NewGenericServerResponse(422, ...): the detail is not sent.
  return withReason(Reason::Invalid, "the server rejected our request due to an error in our request");
}

Error badArgType(std::string_view expected, const json::value& actual) {
  std::string type = actual.is_null() ? "%!s(<nil>)" : goType(actual);
  return otherError("expected a " + std::string(expected) + ", but received a " + type);
}

Error noMergeKey(const json::object& m, std::string_view key) {
  return otherError("map: " + goFormat(m) + " does not contain declared merge key: " + std::string(key));
}

Error badPatchType(const json::value& directive, const json::object& m) {
  return otherError("unknown patch type: " + goFormat(directive, true) + " in map: " + goFormat(m));
}

Error otherError(std::string message) { return withReason(Reason::Unknown, std::move(message)); }

}  // namespace kcpp::patch::smp
