// The walk follows Go's encoding/json (sigs.k8s.io/json) closely enough to give
// its messages: a type error names the innermost struct holding the field, the
// path of JSON field names from the root (no indices, no map keys) and the Go
// type; strict paths include indices and map keys.
#include "api/schema/field_validation.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

#include "api/schema/schema_navigation.h"

namespace kcpp::api {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxUnknownFields = 100;
constexpr std::string_view kQuantityError =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

std::string_view stringAt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string_view(it->value().get_string())
                                                  : std::string_view();
}

// strconv.Quote for field paths: quotes and backslashes escaped.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string lastSegment(std::string_view name) {
  auto dot = name.rfind('.');
  return std::string(dot == std::string_view::npos ? name : name.substr(dot + 1));
}

// "v1.PodSpec", "intstr.IntOrString": the Go package and type of a definition.
std::string goTypeOfDefinition(std::string_view name) {
  auto last = name.rfind('.');
  if (last == std::string_view::npos) return std::string(name);
  auto prev = name.rfind('.', last - 1);
  return std::string(prev == std::string_view::npos ? name : name.substr(prev + 1));
}

// `^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$`, the form upstream's ParseQuantity accepts.
bool looksLikeQuantity(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = i;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == digits) return false;
  while (i < s.size() && std::string_view("eEinumkKMGTP").find(s[i]) != std::string_view::npos) ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  return i == s.size();
}

std::string numberText(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
  return std::string(buf, r.ptr);
}

// How Go's decoder names a JSON value in "cannot unmarshal <value>".
std::string jsonKind(const json::value& v) {
  if (v.is_string()) return "string";
  if (v.is_bool()) return "bool";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "number";
}

bool fitsInteger(const json::value& v, std::string_view format) {
  std::int64_t lo = format == "int32" ? std::numeric_limits<std::int32_t>::min()
                                      : std::numeric_limits<std::int64_t>::min();
  std::int64_t hi = format == "int32" ? std::numeric_limits<std::int32_t>::max()
                                      : std::numeric_limits<std::int64_t>::max();
  if (v.is_int64()) return v.get_int64() >= lo && v.get_int64() <= hi;
  return false;  // uint64 beyond int64, or a double
}

// Where the walk is: the strict path ("spec.containers[0]") and the Go decoder's
// error context (innermost struct, field names from the root).
struct Position {
  std::string strictPath;
  std::string structName;
  std::string goPath;
};

// Where Go's base64.StdEncoding (padding required; \r and \n skipped) finds
// `text` corrupt, as the offset its CorruptInputError names; nullopt if it decodes.
std::optional<std::size_t> base64Corruption(std::string_view text) {
  auto isNewline = [](char c) { return c == '\n' || c == '\r'; };
  auto isAlphabet = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
  };
  std::size_t i = 0;
  const std::size_t n = text.size();
  for (;;) {
    for (int j = 0; j < 4; ++j) {
      if (i == n) {
        if (j == 0) return std::nullopt;
        return i - static_cast<std::size_t>(j);
      }
      char c = text[i++];
      if (isAlphabet(c)) continue;
      if (isNewline(c)) {
        --j;
        continue;
      }
      if (c != '=' || j < 2) return i - 1;
      if (j == 2) {  // "==" expected; the first '=' is read
        while (i < n && isNewline(text[i])) ++i;
        if (i == n) return n;
        if (text[i] != '=') return i - 1;
        ++i;
      }
      while (i < n && isNewline(text[i])) ++i;
      if (i < n) return i;  // data after the padding
      return std::nullopt;
    }
  }
}

class Walker {
 public:
  Walker(const SchemaSet& schemas, FieldCheckOptions options) : schemas_(schemas), options_(options) {}

  void walkObjectFields(json::object& object, const json::object& def, const std::string& defName,
                        const Position& at) {
    const json::object& props = def.at("properties").as_object();
    std::vector<std::string> unknown;
    for (auto& kv : object) {
      std::string strictPath = at.strictPath.empty() ? std::string(kv.key())
                                                     : at.strictPath + "." + std::string(kv.key());
      if (options_.mergePatch && (kv.value().is_null() || kv.key().starts_with("$"))) continue;
      auto it = props.find(kv.key());
      if (it == props.end() || !it->value().is_object()) {
        reportUnknown(strictPath);
        unknown.emplace_back(kv.key());
        continue;
      }
      Position child{strictPath, lastSegment(defName),
                     at.goPath.empty() ? std::string(kv.key()) : at.goPath + "." + std::string(kv.key())};
      walk(kv.value(), it->value().get_object(), child);
    }
    if (options_.prune) {
      for (const auto& key : unknown) object.erase(key);
    }
  }

  FieldCheck take() { return std::move(result_); }

 private:
  void walk(json::value& v, const json::object& written, const Position& at) {
    if (v.is_null() || result_.typeError) return;
    std::string name = referencedName(written);
    const json::object& s = resolveSchema(schemas_, written);
    if (s.contains("oneOf")) return checkOneOf(v, s, name, at);
    std::string_view type = stringAt(s, "type");
    if (type == "object") return walkObject(v, s, name, at);
    if (type == "array") {
      if (!v.is_array()) return typeError(v, written, at);
      const json::object& items = s.at("items").as_object();
      std::size_t i = 0;
      for (auto& item : v.get_array()) {
        Position child = at;
        child.strictPath += "[" + std::to_string(i++) + "]";
        walk(item, items, child);
      }
      return;
    }
    checkScalar(v, s, written, at);
  }

  void walkObject(json::value& v, const json::object& s, const std::string& name,
                  const Position& at) {
    if (isFreeForm(s)) return;
    if (!v.is_object()) return typeError(v, s, at, name);
    if (s.contains("properties")) return walkObjectFields(v.get_object(), s, name, at);
    const json::object& values = s.at("additionalProperties").as_object();
    for (auto& kv : v.get_object()) {
      Position child = at;
      child.strictPath += (at.strictPath.empty() ? "" : ".") + std::string(kv.key());
      walk(kv.value(), values, child);
    }
  }

  void checkScalar(json::value& v, const json::object& s, const json::object& written,
                   const Position& at) {
    std::string_view type = stringAt(s, "type");
    bool ok = type == "string"    ? v.is_string()
              : type == "boolean" ? v.is_bool()
              : type == "number"  ? v.is_number()
              : type == "integer" ? fitsInteger(v, stringAt(s, "format"))
                                  : true;
    if (!ok) return typeError(v, written, at);
    // A []byte field holds base64, which Go's decoder checks while decoding.
    if (type == "string" && stringAt(s, "format") == "byte") {
      if (auto offset = base64Corruption(v.get_string())) {
        result_.typeError = "illegal base64 data at input byte " + std::to_string(*offset);
      }
    }
  }

  // IntOrString reads a string or an int32; Quantity a string or number of its form.
  void checkOneOf(const json::value& v, const json::object& s, const std::string& name,
                  const Position& at) {
    if (stringAt(s, "format") == "int-or-string") {
      if (v.is_string()) return;
      if (!fitsInteger(v, "int32")) setTypeError(valueWord(v, true), "int32", at);
      return;
    }
    if (lastSegment(name) == "Quantity") {
      bool ok = v.is_string() ? looksLikeQuantity(v.get_string()) : v.is_number();
      if (!ok) result_.typeError = std::string(kQuantityError);
    }
  }

  // The Go type a schema (as written) decodes into.
  std::string goType(const json::object& written, std::string name = {}) {
    if (name.empty()) name = referencedName(written);
    const json::object& s = resolveSchema(schemas_, written);
    if (!name.empty() && (s.contains("properties") || isFreeForm(s))) return goTypeOfDefinition(name);
    if (stringAt(s, "format") == "int-or-string") return "int32";
    std::string_view type = stringAt(s, "type");
    if (type == "array") return "[]" + goType(s.at("items").as_object());
    if (type == "object" && s.contains("additionalProperties")) {
      return "map[string]" + goType(s.at("additionalProperties").as_object());
    }
    if (type == "integer") return stringAt(s, "format") == "int32" ? "int32" : "int64";
    if (type == "boolean") return "bool";
    if (type == "number") return "float64";
    if (type == "string" && stringAt(s, "format") == "byte") return "[]uint8";
    return "string";
  }

  std::string valueWord(const json::value& v, bool integerTarget) {
    if (v.is_number() && integerTarget) return "number " + numberText(v);
    return jsonKind(v);
  }

  void typeError(const json::value& v, const json::object& written, const Position& at,
                 std::string name = {}) {
    std::string target = goType(written, name);
    bool integerTarget = target == "int32" || target == "int64";
    setTypeError(valueWord(v, integerTarget), target, at);
  }

  void setTypeError(const std::string& value, const std::string& type, const Position& at) {
    if (result_.typeError) return;
    result_.typeError = "json: cannot unmarshal " + value + " into Go struct field " +
                        at.structName + "." + at.goPath + " of type " + type;
  }

  void reportUnknown(const std::string& path) {
    if (result_.unknownFields.size() < kMaxUnknownFields) {
      result_.unknownFields.push_back("unknown field " + quote(path));
    }
  }

  const SchemaSet& schemas_;
  FieldCheckOptions options_;
  FieldCheck result_;
};

}  // namespace

FieldCheck checkFields(const SchemaSet& schemas, std::string_view rootName, json::object& object,
                       FieldCheckOptions options) {
  const json::object* def = schemas.definition(rootName);
  if (!def || !def->contains("properties")) return {};
  Walker walker(schemas, options);
  walker.walkObjectFields(object, *def, std::string(rootName), Position{});
  return walker.take();
}

std::string strictDecodingMessage(const std::vector<std::string>& errors) {
  std::string out = "strict decoding error: ";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i) out += ", ";
    out += errors[i];
  }
  return out;
}

}  // namespace kcpp::api
