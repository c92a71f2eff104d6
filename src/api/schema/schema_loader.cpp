// The loader: YAML data files (docs/schema-format.md) → OpenAPI v3 definitions,
// checking the data as it goes (unknown keys, malformed values) and every
// reference once all files are in.
#include <yaml-cpp/yaml.h>

#include <set>

#include "api/schema/schema_set.h"
#include "api/schema/type_expression.h"

namespace kcpp::api {

namespace json = boost::json;

namespace {

const std::set<std::string_view> kDefinitionKeys = {"kind", "description", "fields", "type",
                                                    "format", "map", "unions"};
const std::set<std::string_view> kFieldKeys = {"type",  "description", "required", "enum",
                                               "default", "format",    "patch",    "list",
                                               "map",   "unionDiscriminator",      "unions"};
const std::set<std::string_view> kPatchStrategies = {"merge", "replace", "retainKeys",
                                                     "merge,retainKeys"};

Error dataError(const std::string& where, const std::string& what) {
  return makeError(Reason::InternalError, "schema data " + where + ": " + what);
}

// A YAML scalar as JSON: typed by `scalarType` when the schema says it, else as
// YAML's plain scalars read (true/false, integers, numbers, strings).
json::value scalarToJson(const YAML::Node& node, std::string_view scalarType) {
  const std::string& s = node.Scalar();
  bool quoted = node.Tag() == "!";
  if (scalarType == "string" || quoted) return json::string(s);
  if (s == "true" || s == "false") return s == "true";
  if (s == "null" || s == "~") return nullptr;
  char* end = nullptr;
  long long i = std::strtoll(s.c_str(), &end, 10);
  if (!s.empty() && *end == '\0') return static_cast<std::int64_t>(i);
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0') return d;
  return json::string(s);
}

json::value yamlToJson(const YAML::Node& node, std::string_view scalarType = {}) {
  if (node.IsMap()) {
    json::object o;
    for (const auto& kv : node) o[kv.first.Scalar()] = yamlToJson(kv.second);
    return o;
  }
  if (node.IsSequence()) {
    json::array a;
    for (const auto& item : node) a.push_back(yamlToJson(item, scalarType));
    return a;
  }
  if (node.IsScalar()) return scalarToJson(node, scalarType);
  return nullptr;
}

Result<void> checkKeys(const std::string& where, const YAML::Node& node,
                       const std::set<std::string_view>& allowed) {
  if (!node.IsMap()) return dataError(where, "expected a mapping");
  for (const auto& kv : node) {
    if (!allowed.count(kv.first.Scalar())) {
      return dataError(where, "unknown key \"" + kv.first.Scalar() + "\"");
    }
  }
  return {};
}

Result<std::string> scalarOf(const std::string& where, const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  if (!v) return std::string();
  if (!v.IsScalar()) return dataError(where, std::string(key) + ": expected a scalar");
  return v.Scalar();
}

// `kind: [apps/v1, Deployment]` or `kind: [[v1, X], [apps/v1, X]]` →
// x-kubernetes-group-version-kind.
Result<json::array> groupVersionKinds(const std::string& where, const YAML::Node& node) {
  if (!node.IsSequence() || node.size() == 0) {
    return dataError(where, "kind: expected [apiVersion, Kind] or a list of them");
  }
  std::vector<YAML::Node> pairs;
  if (node[0].IsSequence()) {
    for (const auto& p : node) pairs.push_back(p);
  } else {
    pairs.push_back(node);
  }
  json::array out;
  for (const auto& p : pairs) {
    if (!p.IsSequence() || p.size() != 2 || !p[0].IsScalar() || !p[1].IsScalar()) {
      return dataError(where, "kind: expected [apiVersion, Kind]");
    }
    std::string apiVersion = p[0].Scalar();
    auto slash = apiVersion.find('/');
    std::string group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
    std::string version = slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
    out.push_back(json::object{{"group", group}, {"kind", p[1].Scalar()}, {"version", version}});
  }
  return out;
}

}  // namespace

// Accumulates definitions file by file; finish() checks the references.
class SchemaSetBuilder {
 public:
  Result<void> addFile(const SchemaFile& file) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(file.text));
    } catch (const YAML::Exception& e) {
      return dataError(std::string(file.name), e.what());
    }
    if (!root.IsMap() || root.size() != 1 || !root["definitions"] ||
        !root["definitions"].IsMap()) {
      return dataError(std::string(file.name), "expected one top-level key, \"definitions\"");
    }
    for (const auto& kv : root["definitions"]) {
      auto r = addDefinition(std::string(file.name), kv.first.Scalar(), kv.second);
      if (!r) return r;
    }
    return {};
  }

  Result<SchemaSet> finish() && {
    for (const auto& [target, where] : references_) {
      if (!set_.definitions_.contains(target)) {
        return dataError(where, "references \"" + target + "\", which no file defines");
      }
    }
    return std::move(set_);
  }

 private:
  Result<void> addDefinition(const std::string& file, const std::string& name,
                             const YAML::Node& node) {
    std::string where = file + ": " + name;
    std::string full = fullDefinitionName(name);
    if (full.empty()) return dataError(where, "not a definition name");
    if (set_.definitions_.contains(full)) return dataError(where, "defined twice");
    if (auto r = checkKeys(where, node, kDefinitionKeys); !r) return r;
    auto def = definitionSchema(where, node);
    if (!def) return std::move(def).error();
    if (const YAML::Node kind = node["kind"]) {
      auto gvks = groupVersionKinds(where, kind);
      if (!gvks) return std::move(gvks).error();
      for (const auto& g : *gvks) {
        const json::object& o = g.as_object();
        SchemaSet::Gvk key{std::string(o.at("group").as_string()),
                           std::string(o.at("version").as_string()),
                           std::string(o.at("kind").as_string())};
        if (!set_.byGvk_.emplace(key, full).second) {
          return dataError(where, "kind " + std::string(o.at("kind").as_string()) +
                                      " is already given by " + set_.byGvk_.at(key));
        }
      }
      (*def)["x-kubernetes-group-version-kind"] = std::move(*gvks);
    }
    set_.definitions_[full] = std::move(*def);
    return {};
  }

  Result<json::object> definitionSchema(const std::string& where, const YAML::Node& node) {
    json::object def;
    auto description = scalarOf(where, node, "description");
    if (!description) return std::move(description).error();
    if (!description->empty()) def["description"] = *description;
    auto type = scalarOf(where, node, "type");
    auto format = scalarOf(where, node, "format");
    if (!type || !format) return dataError(where, "type and format must be scalars");
    bool hasFields = static_cast<bool>(node["fields"]);
    if (hasFields == !type->empty()) {
      return dataError(where, "a definition has either fields or a type");
    }
    if (hasFields) {
      if (auto r = addFields(where, node["fields"], def); !r) return std::move(r).error();
    } else {
      auto schema = expandDefinitionType(*type, *format);
      if (!schema) return dataError(where, schema.error().message);
      for (auto& kv : *schema) def[kv.key()] = std::move(kv.value());
    }
    auto map = scalarOf(where, node, "map");
    if (!map) return std::move(map).error();
    if (!map->empty()) {
      if (*map != "atomic" && *map != "granular") return dataError(where, "map: atomic or granular");
      def["x-kubernetes-map-type"] = *map;
    }
    if (const YAML::Node unions = node["unions"]) def["x-kubernetes-unions"] = yamlToJson(unions);
    return def;
  }

  Result<void> addFields(const std::string& where, const YAML::Node& fields, json::object& def) {
    if (!fields.IsMap()) return dataError(where, "fields: expected a mapping");
    def["type"] = "object";
    json::object properties;
    json::array required;
    for (const auto& kv : fields) {
      const std::string& name = kv.first.Scalar();
      std::string fieldWhere = where + "." + name;
      auto schema = fieldSchema(fieldWhere, kv.second);
      if (!schema) return std::move(schema).error();
      properties[name] = std::move(*schema);
      const YAML::Node req = kv.second["required"];
      if (req && req.IsScalar() && req.Scalar() == "true") required.push_back(json::string(name));
    }
    if (!required.empty()) def["required"] = std::move(required);
    def["properties"] = std::move(properties);
    return {};
  }

  Result<json::object> fieldSchema(const std::string& where, const YAML::Node& node) {
    if (auto r = checkKeys(where, node, kFieldKeys); !r) return std::move(r).error();
    auto word = scalarOf(where, node, "type");
    if (!word) return std::move(word).error();
    if (word->empty()) return dataError(where, "type is required");
    auto type = expandType(*word);
    if (!type) return dataError(where, type.error().message);
    for (const auto& target : type->references) references_.emplace_back(target, where);
    json::object out;
    auto description = scalarOf(where, node, "description");
    if (!description) return std::move(description).error();
    if (!description->empty()) out["description"] = *description;
    if (auto r = addValueKeys(where, node, type->scalarType, out); !r) return std::move(r).error();
    if (auto r = addMergeKeys(where, node, out); !r) return std::move(r).error();
    if (type->schema.contains("$ref") && !out.empty()) {
      out["allOf"] = json::array{std::move(type->schema)};
    } else {
      for (auto& kv : type->schema) out[kv.key()] = std::move(kv.value());
    }
    return out;
  }

  // required, enum, default, format, unionDiscriminator.
  Result<void> addValueKeys(const std::string& where, const YAML::Node& node,
                            std::string_view scalarType, json::object& out) {
    if (const YAML::Node req = node["required"];
        req && (!req.IsScalar() || (req.Scalar() != "true" && req.Scalar() != "false"))) {
      return dataError(where, "required: true or false");
    }
    if (const YAML::Node e = node["enum"]) {
      if (!e.IsSequence() || e.size() == 0) return dataError(where, "enum: expected a list");
      out["enum"] = yamlToJson(e, scalarType);
    }
    if (const YAML::Node d = node["default"]) out["default"] = yamlToJson(d, scalarType);
    auto format = scalarOf(where, node, "format");
    if (!format) return std::move(format).error();
    if (!format->empty()) out["format"] = *format;
    if (const YAML::Node u = node["unionDiscriminator"]; u && !u.IsScalar()) {
      return dataError(where, "unionDiscriminator: expected true");
    }
    return {};
  }

  // patch, list, map: strategic merge patch and server-side apply metadata.
  Result<void> addMergeKeys(const std::string& where, const YAML::Node& node, json::object& out) {
    if (const YAML::Node patch = node["patch"]) {
      if (auto r = checkKeys(where + ".patch", patch, {"strategy", "mergeKey"}); !r) return r;
      auto strategy = scalarOf(where, patch, "strategy");
      auto mergeKey = scalarOf(where, patch, "mergeKey");
      if (!strategy || !mergeKey) return dataError(where, "patch: scalars expected");
      if (!strategy->empty() && !kPatchStrategies.count(*strategy)) {
        return dataError(where, "patch: unknown strategy \"" + *strategy + "\"");
      }
      if (!mergeKey->empty()) out["x-kubernetes-patch-merge-key"] = *mergeKey;
      if (!strategy->empty()) out["x-kubernetes-patch-strategy"] = *strategy;
    }
    if (const YAML::Node list = node["list"]) {
      if (auto r = checkKeys(where + ".list", list, {"type", "keys"}); !r) return r;
      auto type = scalarOf(where, list, "type");
      if (!type || (*type != "atomic" && *type != "set" && *type != "map")) {
        return dataError(where, "list: type atomic, set or map");
      }
      const YAML::Node keys = list["keys"];
      if ((*type == "map") != static_cast<bool>(keys) || (keys && !keys.IsSequence())) {
        return dataError(where, "list: keys (a list) go with type map, and only with it");
      }
      if (keys) out["x-kubernetes-list-map-keys"] = yamlToJson(keys, "string");
      out["x-kubernetes-list-type"] = *type;
    }
    auto map = scalarOf(where, node, "map");
    if (!map) return std::move(map).error();
    if (!map->empty()) {
      if (*map != "atomic" && *map != "granular") return dataError(where, "map: atomic or granular");
      out["x-kubernetes-map-type"] = *map;
    }
    return {};
  }

  SchemaSet set_;
  std::vector<std::pair<std::string, std::string>> references_;  // target, where
};

Result<SchemaSet> SchemaSet::load(std::span<const SchemaFile> files) {
  SchemaSetBuilder builder;
  for (const auto& file : files) {
    if (auto r = builder.addFile(file); !r) return std::move(r).error();
  }
  return std::move(builder).finish();
}

Result<SchemaSet> SchemaSet::loadBuiltin() { return load(embeddedSchemaFiles()); }

}  // namespace kcpp::api
