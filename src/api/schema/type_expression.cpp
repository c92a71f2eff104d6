#include "api/schema/type_expression.h"

#include <optional>

#include "api/schema/schema_set.h"

namespace kcpp::api {

namespace json = boost::json;

namespace {

constexpr std::string_view kTime = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
constexpr std::string_view kQuantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
constexpr std::string_view kIntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

Error typeError(std::string_view word, std::string_view why) {
  return makeError(Reason::InternalError,
                   "type \"" + std::string(word) + "\": " + std::string(why));
}

ExpandedType reference(std::string_view fullName) {
  ExpandedType t;
  t.schema["$ref"] = std::string(kSchemaRefPrefix) + std::string(fullName);
  t.references.emplace_back(fullName);
  return t;
}

ExpandedType scalar(const char* type, const char* format = nullptr) {
  ExpandedType t;
  t.schema["type"] = type;
  if (format) t.schema["format"] = format;
  t.scalarType = type;
  return t;
}

// The words that are neither containers nor definition names.
std::optional<ExpandedType> builtinWord(std::string_view word) {
  if (word == "string" || word == "boolean" || word == "number") {
    return scalar(word == "string" ? "string" : word == "boolean" ? "boolean" : "number");
  }
  if (word == "int32" || word == "int64") return scalar("integer", word == "int32" ? "int32" : "int64");
  if (word == "byte") return scalar("string", "byte");
  if (word == "time") return reference(kTime);
  if (word == "quantity") return reference(kQuantity);
  if (word == "int-or-string") return reference(kIntOrString);
  if (word == "object") {
    ExpandedType t;
    t.schema["type"] = "object";
    t.schema["x-kubernetes-preserve-unknown-fields"] = true;
    return t;
  }
  return std::nullopt;
}

Result<ExpandedType> container(std::string_view word, std::string_view inner, const char* key) {
  auto element = expandType(inner);
  if (!element) return typeError(word, std::move(element).error().message);
  ExpandedType t;
  t.schema["type"] = key[0] == 'i' ? "array" : "object";
  t.schema[key] = std::move(element->schema);
  t.references = std::move(element->references);
  return t;
}

}  // namespace

Result<ExpandedType> expandType(std::string_view word) {
  if (word.empty()) return typeError(word, "empty type");
  if (word.starts_with("[]")) return container(word, word.substr(2), "items");
  if (word.starts_with("map[")) {
    if (!word.starts_with("map[string]")) return typeError(word, "map keys must be string");
    return container(word, word.substr(11), "additionalProperties");
  }
  if (auto t = builtinWord(word)) return std::move(*t);
  std::string full = fullDefinitionName(word);
  if (full.empty()) {
    return typeError(word, "neither a built-in type word nor a definition name "
                           "(group.version.Name or io.k8s.…)");
  }
  return reference(full);
}

Result<json::object> expandDefinitionType(std::string_view word, std::string_view format) {
  json::object schema;
  if (word == "int-or-string") {
    schema["format"] = "int-or-string";
    schema["oneOf"] = json::array{json::object{{"type", "integer"}}, json::object{{"type", "string"}}};
    return schema;
  }
  if (word == "number-or-string") {
    schema["oneOf"] = json::array{json::object{{"type", "string"}}, json::object{{"type", "number"}}};
    return schema;
  }
  if (word != "string" && word != "integer" && word != "number" && word != "boolean" &&
      word != "object") {
    return typeError(word, "not a definition type (string, integer, number, boolean, object, "
                           "int-or-string, number-or-string)");
  }
  schema["type"] = word;
  if (!format.empty()) schema["format"] = format;
  return schema;
}

}  // namespace kcpp::api
