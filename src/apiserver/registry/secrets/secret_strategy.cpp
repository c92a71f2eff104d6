#include "apiserver/registry/secrets/secret_strategy.h"

#include "api/meta/object.h"
#include "pki/base64.h"

namespace kcpp::apiserver {

void mergeStringData(json::object& secret) {
  auto it = secret.find("stringData");
  if (it == secret.end()) return;
  if (it->value().is_object()) {
    json::object& data = api::ensureObject(secret, "data");
    for (const auto& kv : it->value().get_object()) {
      if (kv.value().is_string()) {
        const json::string& s = kv.value().get_string();
        data[kv.key()] = pki::base64Encode(std::string_view(s.data(), s.size()));
      }
    }
  }
  secret.erase("stringData");
}

void SecretStrategy::prepareForCreate(json::object& obj) const {
  mergeStringData(obj);
  // Defaulting (SetDefaults_Secret): a secret without a type is Opaque.
  auto type = obj.find("type");
  if (type == obj.end() || !type->value().is_string() || type->value().get_string().empty()) {
    obj["type"] = "Opaque";
  }
}

void SecretStrategy::prepareForUpdate(json::object& obj, const json::object&) const {
  mergeStringData(obj);
}

}  // namespace kcpp::apiserver
