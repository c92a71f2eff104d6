// The patch metadata of strategic merge patch, read from the OpenAPI v3 schemas
// the way upstream reads it from Go struct tags (PatchMetaFromStruct): only
// x-kubernetes-patch-strategy and x-kubernetes-patch-merge-key count;
// x-kubernetes-list-type and list-map-keys do not (a list-type=map list without a
// patch strategy is replaced, as upstream does).
#include <cctype>

#include "api/patch/strategic_merge_internal.h"
#include "api/schema/schema_navigation.h"

namespace kcpp::patch::smp {
namespace {

std::string_view stringAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// The Go type name of a referenced definition: "io.k8s.api.core.v1.PodSpec" → "PodSpec".
std::string goTypeName(const json::object& property) {
  std::string ref = api::referencedName(property);
  auto dot = ref.rfind('.');
  return dot == std::string::npos ? ref : ref.substr(dot + 1);
}

bool equalFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The property of a struct schema for a JSON field: an exact match, else the first
// case-insensitive one (as Go's encoding/json matches field names).
const json::object* findProperty(const json::object& schema, std::string_view key) {
  const json::value* props = schema.if_contains("properties");
  if (!props || !props->is_object()) return nullptr;
  const json::object& p = props->get_object();
  if (const json::value* exact = p.if_contains(key); exact && exact->is_object()) return &exact->get_object();
  for (const auto& [name, v] : p) {
    if (v.is_object() && equalFold(name, key)) return &v.get_object();
  }
  return nullptr;
}

// extractRetainKeysPatchStrategy: "merge,retainKeys" → "merge".
Result<std::string> strategyWithoutRetainKeys(std::string_view tag) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto comma = tag.find(',', start);
    parts.emplace_back(tag.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  auto unexpected = [&] {
    std::string list;
    for (const auto& p : parts) list += (list.empty() ? "" : " ") + p;
    return otherError("unexpected patch strategy: [" + list + "]");
  };
  if (parts.size() == 1) return parts[0] == "retainKeys" ? std::string() : parts[0];
  if (parts.size() == 2 && parts[0] == "retainKeys") return parts[1];
  if (parts.size() == 2 && parts[1] == "retainKeys") return parts[0];
  return unexpected();
}

}  // namespace

TypeSchema::TypeSchema(const api::SchemaSet& set, const json::object& schema)
    : set_(&set), schema_(&api::resolveSchema(set, schema)), name_(goTypeName(schema)) {}

std::string_view TypeSchema::kind() const {
  if (!schema_) return "invalid";
  if (schema_->contains("properties") || !name_.empty()) {
    return schema_->contains("additionalProperties") ? "map" : "struct";
  }
  if (schema_->contains("additionalProperties")) return "map";
  std::string_view type = stringAt(*schema_, "type");
  if (type == "array") return "slice";
  if (type == "integer") return stringAt(*schema_, "format") == "int32" ? "int32" : "int64";
  if (type == "number") return "float64";
  if (type == "boolean") return "bool";
  if (type == "object") return "struct";  // an inline free-form object
  return "string";
}

std::optional<TypeSchema> TypeSchema::named(const api::SchemaSet& set, std::string_view name) {
  const json::object* def = set.definition(name);
  if (!def) return std::nullopt;
  TypeSchema t;
  t.set_ = &set;
  t.schema_ = def;
  std::string full = api::fullDefinitionName(name);
  if (full.empty()) full = name;
  t.name_ = full.substr(full.rfind('.') + 1);
  return t;
}

Result<FieldMeta> TypeSchema::lookupStruct(std::string_view key) const {
  if (kind() != "struct") {
    return otherError("merging an object in json but data type is not struct, instead is: " + std::string(kind()));
  }
  const json::object* property = findProperty(*schema_, key);
  if (!property) {
    return otherError("unable to find api field in struct " + name_ + " for the json field \"" + std::string(key) +
                      "\"");
  }
  auto strategy = strategyWithoutRetainKeys(stringAt(*property, "x-kubernetes-patch-strategy"));
  if (!strategy) return std::move(strategy).error();
  return FieldMeta{TypeSchema(*set_, *property), std::move(*strategy),
                   std::string(stringAt(*property, "x-kubernetes-patch-merge-key"))};
}

Result<FieldMeta> TypeSchema::lookupSlice(std::string_view key) const {
  auto field = lookupStruct(key);
  if (!field) return field;
  const json::object& list = *field->type.schema_;
  const json::value* items = list.if_contains("items");
  if (stringAt(list, "type") != "array" || !items || !items->is_object()) {
    return otherError("expected slice or array type, but got: " + std::string(kind()));
  }
  field->type = TypeSchema(*set_, items->get_object());
  return field;
}

}  // namespace kcpp::patch::smp
