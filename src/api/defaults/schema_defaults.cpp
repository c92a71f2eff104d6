#include "api/defaults/schema_defaults.h"

#include <algorithm>

#include "api/schema/schema_navigation.h"

namespace kcpp::api::defaults {

namespace json = boost::json;

namespace {

class SchemaWalk {
 public:
  SchemaWalk(const SchemaSet& schemas, const SchemaDefaultsOptions& options)
      : schemas_(schemas), options_(options) {}

  void value(const json::object& schema, json::value& v) const {
    const json::object& resolved = resolveSchema(schemas_, schema);
    if (v.is_object()) {
      object(resolved, v.get_object());
    } else if (v.is_array()) {
      auto items = resolved.find("items");
      if (items == resolved.end() || !items->value().is_object()) return;
      for (json::value& element : v.get_array()) value(items->value().get_object(), element);
    }
  }

  void object(const json::object& schema, json::object& obj) const {
    if (isFreeForm(schema)) return;
    if (auto props = schema.find("properties"); props != schema.end()) {
      if (props->value().is_object()) fields(props->value().get_object(), obj);
      return;
    }
    auto values = schema.find("additionalProperties");
    if (values == schema.end() || !values->value().is_object()) return;
    for (auto& kv : obj) value(values->value().get_object(), kv.value());
  }

 private:
  void fields(const json::object& properties, json::object& obj) const {
    for (const auto& [name, propValue] : properties) {
      if (!propValue.is_object()) continue;
      const json::object& property = propValue.get_object();
      setDefault(property, name, obj);
      if (auto it = obj.find(name); it != obj.end()) value(property, it->value());
    }
  }

  void setDefault(const json::object& property, std::string_view name, json::object& obj) const {
    auto def = property.find("default");
    if (def == property.end() || skipped(property)) return;
    auto it = obj.find(name);
    bool unset = it == obj.end() || it->value().is_null() ||
                 (it->value().is_string() && it->value().get_string().empty() &&
                  isStringField(property));
    if (unset) obj[name] = def->value();
  }

  bool isStringField(const json::object& property) const {
    const json::object& resolved = resolveSchema(schemas_, property);
    auto type = resolved.find("type");
    return type != resolved.end() && type->value() == "string";
  }

  bool skipped(const json::object& property) const {
    return std::find(options_.skip.begin(), options_.skip.end(), &property) != options_.skip.end();
  }

  const SchemaSet& schemas_;
  const SchemaDefaultsOptions& options_;
};

}  // namespace

void applySchemaDefaults(const SchemaSet& schemas, const json::object& schema, json::value& value,
                         const SchemaDefaultsOptions& options) {
  SchemaWalk(schemas, options).value(schema, value);
}

void applySchemaDefaults(const SchemaSet& schemas, std::string_view definition, json::object& obj,
                         const SchemaDefaultsOptions& options) {
  const json::object* def = schemas.definition(definition);
  if (!def) return;
  SchemaWalk(schemas, options).object(resolveSchema(schemas, *def), obj);
}

}  // namespace kcpp::api::defaults
