// Field numbers are those of gnostic's openapiv2/OpenAPIv2.proto (package
// openapi.v2), the message kubectl's discovery client unmarshals.
#include "apiserver/openapi/openapi_v2.h"

#include <cstdint>

namespace kcpp::apiserver::openapi {

namespace json = boost::json;

namespace {

constexpr std::string_view kV3Prefix = "#/components/schemas/";

std::string v2Ref(std::string_view ref) {
  if (ref.starts_with(kV3Prefix)) return "#/definitions/" + std::string(ref.substr(kV3Prefix.size()));
  return std::string(ref);
}

json::object toV2(const json::object& s);

json::value toV2Value(const json::value& v) {
  return v.is_object() ? json::value(toV2(v.get_object())) : v;
}

json::object toV2(const json::object& s) {
  json::object out;
  for (const auto& kv : s) {
    std::string_view key = kv.key();
    if (key == "$ref") {
      out["$ref"] = v2Ref(kv.value().as_string());
    } else if (key == "allOf" && kv.value().as_array().size() == 1) {
      for (const auto& inner : toV2(kv.value().as_array()[0].as_object())) out[inner.key()] = inner.value();
    } else if (key == "oneOf") {
      out["type"] = "string";  // IntOrString and Quantity, as upstream's v2 has them
    } else if (key == "items" || key == "additionalProperties") {
      out[key] = toV2Value(kv.value());
    } else if (key == "properties") {
      json::object props;
      for (const auto& p : kv.value().as_object()) props[p.key()] = toV2Value(p.value());
      out[key] = std::move(props);
    } else {
      out[key] = kv.value();
    }
  }
  return out;
}

// A minimal protobuf writer: messages are built inside out, as strings.
class Message {
 public:
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void bytes(int field, std::string_view data) {
    varint(static_cast<std::uint64_t>(field) << 3 | 2);
    varint(data.size());
    out_.append(data);
  }
  void string(int field, std::string_view s) {
    if (!s.empty()) bytes(field, s);
  }
  const std::string& data() const { return out_; }

 private:
  std::string out_;
};

// openapi.v2.Any: a value as YAML text (JSON is YAML), which clients parse.
std::string anyOf(const json::value& v) {
  Message any;
  any.bytes(2, json::serialize(v));
  return any.data();
}

std::string namedAny(std::string_view name, const json::value& v) {
  Message m;
  m.string(1, name);
  m.bytes(2, anyOf(v));
  return m.data();
}

std::string schemaMessage(const json::object& s);

std::string namedSchema(std::string_view name, const json::object& s) {
  Message m;
  m.string(1, name);
  m.bytes(2, schemaMessage(s));
  return m.data();
}

// Schema fields: _ref 1, format 2, description 4, default 5, required 19, enum 20,
// additional_properties 21, type 22, items 23, properties 25, vendor_extension 31.
std::string schemaMessage(const json::object& s) {
  Message m;
  auto str = [&](const char* key) -> std::string_view {
    auto it = s.find(key);
    return it != s.end() && it->value().is_string() ? std::string_view(it->value().get_string()) : "";
  };
  m.string(1, str("$ref"));
  m.string(2, str("format"));
  m.string(4, str("description"));
  if (auto it = s.find("default"); it != s.end()) m.bytes(5, anyOf(it->value()));
  if (auto it = s.find("required"); it != s.end()) {
    for (const auto& r : it->value().as_array()) m.string(19, r.as_string());
  }
  if (auto it = s.find("enum"); it != s.end()) {
    for (const auto& e : it->value().as_array()) m.bytes(20, anyOf(e));
  }
  if (auto it = s.find("additionalProperties"); it != s.end() && it->value().is_object()) {
    Message item;
    item.bytes(1, schemaMessage(it->value().get_object()));
    m.bytes(21, item.data());
  }
  if (std::string_view type = str("type"); !type.empty()) {
    Message item;
    item.string(1, type);
    m.bytes(22, item.data());
  }
  if (auto it = s.find("items"); it != s.end() && it->value().is_object()) {
    Message item;
    item.bytes(1, schemaMessage(it->value().get_object()));
    m.bytes(23, item.data());
  }
  if (auto it = s.find("properties"); it != s.end()) {
    Message props;
    for (const auto& p : it->value().as_object()) props.bytes(1, namedSchema(p.key(), p.value().as_object()));
    m.bytes(25, props.data());
  }
  for (const auto& kv : s) {
    if (kv.key().starts_with("x-")) m.bytes(31, namedAny(kv.key(), kv.value()));
  }
  return m.data();
}

}  // namespace

json::object swaggerDocument(const api::SchemaSet& schemas, const std::string& gitVersion) {
  json::object definitions;
  for (const auto& kv : schemas.definitions()) definitions[kv.key()] = toV2(kv.value().as_object());
  json::object doc;
  doc["swagger"] = "2.0";
  doc["info"] = json::object{{"title", "Kubernetes"}, {"version", gitVersion}};
  doc["paths"] = json::object();
  doc["definitions"] = std::move(definitions);
  return doc;
}

// Document fields: swagger 1, info 2 (title 1, version 2), paths 8, definitions 9.
std::string swaggerProtobuf(const json::object& swagger) {
  Message info;
  info.string(1, swagger.at("info").at("title").as_string());
  info.string(2, swagger.at("info").at("version").as_string());
  Message definitions;
  for (const auto& kv : swagger.at("definitions").as_object()) {
    definitions.bytes(1, namedSchema(kv.key(), kv.value().as_object()));
  }
  Message doc;
  doc.string(1, swagger.at("swagger").as_string());
  doc.bytes(2, info.data());
  doc.bytes(8, "");
  doc.bytes(9, definitions.data());
  return doc.data();
}

}  // namespace kcpp::apiserver::openapi
