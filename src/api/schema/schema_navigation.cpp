#include "api/schema/schema_navigation.h"

namespace kcpp::api {

namespace json = boost::json;

namespace {

std::string_view stringAt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string_view(it->value().get_string())
                                                  : std::string_view();
}

}  // namespace

std::string referencedName(const json::object& schema) {
  std::string_view ref = stringAt(schema, "$ref");
  if (ref.empty()) {
    auto allOf = schema.find("allOf");
    if (allOf == schema.end() || !allOf->value().is_array() || allOf->value().get_array().size() != 1 ||
        !allOf->value().get_array()[0].is_object()) {
      return "";
    }
    ref = stringAt(allOf->value().get_array()[0].get_object(), "$ref");
  }
  if (!ref.starts_with(kSchemaRefPrefix)) return "";
  return std::string(ref.substr(kSchemaRefPrefix.size()));
}

const json::object& resolveSchema(const SchemaSet& schemas, const json::object& schema) {
  std::string name = referencedName(schema);
  if (name.empty()) return schema;
  const json::object* def = schemas.definition(name);
  return def ? *def : schema;
}

std::optional<FieldSchema> fieldSchema(const SchemaSet& schemas, const json::object& object,
                                       std::string_view field) {
  const json::object& resolved = resolveSchema(schemas, object);
  auto props = resolved.find("properties");
  if (props == resolved.end() || !props->value().is_object()) return std::nullopt;
  auto it = props->value().get_object().find(field);
  if (it == props->value().get_object().end() || !it->value().is_object()) return std::nullopt;
  const json::object& property = it->value().get_object();
  return FieldSchema{&property, &resolveSchema(schemas, property)};
}

const json::object* elementSchema(const SchemaSet& schemas, const json::object& schema) {
  for (const char* key : {"items", "additionalProperties"}) {
    auto it = schema.find(key);
    if (it != schema.end() && it->value().is_object()) {
      return &resolveSchema(schemas, it->value().get_object());
    }
  }
  return nullptr;
}

PatchMetadata patchMetadataOf(const json::object& property) {
  PatchMetadata m;
  m.strategy = stringAt(property, "x-kubernetes-patch-strategy");
  m.mergeKey = stringAt(property, "x-kubernetes-patch-merge-key");
  m.listType = stringAt(property, "x-kubernetes-list-type");
  m.mapType = stringAt(property, "x-kubernetes-map-type");
  if (auto it = property.find("x-kubernetes-list-map-keys");
      it != property.end() && it->value().is_array()) {
    for (const auto& k : it->value().get_array()) {
      if (k.is_string()) m.listMapKeys.emplace_back(k.get_string());
    }
  }
  return m;
}

std::optional<PatchMetadata> patchMetadata(const SchemaSet& schemas, const json::object& root,
                                           std::string_view path) {
  const json::object* current = &resolveSchema(schemas, root);
  const json::object* property = nullptr;
  bool atMapKey = false;
  while (!path.empty()) {
    auto dot = path.find('.');
    std::string_view segment = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (atMapKey) {
      property = nullptr;  // a key: `current` already is the map's value schema
    } else {
      auto field = fieldSchema(schemas, *current, segment);
      if (!field) return std::nullopt;
      property = field->property;
      current = field->schema;
    }
    // Lists are stepped through; a map's next segment is a key.
    atMapKey = false;
    while (const json::object* element = elementSchema(schemas, *current)) {
      bool isMap = current->contains("additionalProperties");
      current = element;
      if (isMap) {
        atMapKey = true;
        break;
      }
    }
  }
  if (!property) return std::nullopt;
  return patchMetadataOf(*property);
}

bool isFreeForm(const json::object& schema) {
  if (auto it = schema.find("x-kubernetes-preserve-unknown-fields");
      it != schema.end() && it->value() == true) {
    return true;
  }
  return stringAt(schema, "type") == "object" && !schema.contains("properties") &&
         !schema.contains("additionalProperties");
}

}  // namespace kcpp::api
