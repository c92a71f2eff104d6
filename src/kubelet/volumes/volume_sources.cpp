#include "kubelet/volumes/volume_sources.h"

#include "api/meta/object.h"
#include "pki/base64.h"

namespace kcpp::kubelet::volumes {

namespace json = boost::json;

namespace {

std::optional<mode_t> modeAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_number()) return std::nullopt;
  return static_cast<mode_t>(v->to_number<std::int64_t>());
}

bool optionalOf(const json::object& source) {
  const json::value* v = source.if_contains("optional");
  return v && v->is_bool() && v->as_bool();
}

const json::array* itemsOf(const json::object& source) {
  const json::value* v = source.if_contains("items");
  return v && v->is_array() && !v->as_array().empty() ? &v->as_array() : nullptr;
}

// A ConfigMap's or Secret's keys → bytes. Secret data and binaryData are base64.
Result<std::map<std::string, std::string>> keyValues(const json::object& obj, bool secret) {
  std::map<std::string, std::string> out;
  for (const char* field : {"data", "binaryData"}) {
    const json::object* data = api::findObject(obj, field);
    if (!data) continue;
    bool encoded = secret || std::string_view(field) == "binaryData";
    for (const auto& [k, v] : *data) {
      if (!v.is_string()) continue;
      if (!encoded) {
        out.emplace(std::string(k), std::string(v.as_string()));
        continue;
      }
      auto decoded = pki::base64Decode(v.as_string());
      if (!decoded) return std::move(decoded).error();
      out.emplace(std::string(k), std::move(*decoded));
    }
  }
  return out;
}

Result<Payload> keyToPathPayload(const json::object* obj, const json::object& source,
                                 mode_t defaultMode, bool secret) {
  Payload payload;
  if (!obj) return payload;
  auto values = keyValues(*obj, secret);
  if (!values) return std::move(values).error();
  const json::array* items = itemsOf(source);
  if (!items) {
    for (auto& [k, v] : *values) payload[k] = FileProjection{v, defaultMode};
    return payload;
  }
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    const json::object& ktp = item.as_object();
    std::string key(api::getString(ktp, "key"));
    auto found = values->find(key);
    if (found == values->end()) {
      if (optionalOf(source)) continue;
      return makeError(Reason::InternalError,
                       secret ? "references non-existent secret key: " + key
                              : "configmap references non-existent config key: " + key);
    }
    payload[std::string(api::getString(ktp, "path"))] =
        FileProjection{found->second, modeAt(ktp, "mode").value_or(defaultMode)};
  }
  return payload;
}

}  // namespace

mode_t defaultModeOf(const json::object& source) {
  return modeAt(source, "defaultMode").value_or(kDefaultVolumeMode);
}

Result<Payload> configMapPayload(const json::object* configMap, const json::object& source,
                                 mode_t defaultMode) {
  return keyToPathPayload(configMap, source, defaultMode, false);
}

Result<Payload> secretPayload(const json::object* secret, const json::object& source,
                              mode_t defaultMode) {
  return keyToPathPayload(secret, source, defaultMode, true);
}

Result<Payload> downwardApiPayload(const json::object& pod, const json::array& items,
                                   mode_t defaultMode, const ResourceList& nodeAllocatable) {
  Payload payload;
  for (const auto& item : items) {
    if (!item.is_object()) continue;
    const json::object& file = item.as_object();
    std::string path(api::getString(file, "path"));
    mode_t mode = modeAt(file, "mode").value_or(defaultMode);
    if (const json::object* field = api::findObject(file, "fieldRef")) {
      auto value = podFieldValue(pod, std::string(api::getString(*field, "fieldPath")));
      if (!value) return std::move(value).error();
      payload[path] = FileProjection{std::move(*value), mode};
    } else if (const json::object* res = api::findObject(file, "resourceFieldRef")) {
      auto value = containerResourceValue(pod, *res, "", nodeAllocatable);
      if (!value) return std::move(value).error();
      payload[path] = FileProjection{std::move(*value), mode};
    }
  }
  return payload;
}

}  // namespace kcpp::kubelet::volumes
