#include "storage/encryption/encryption_config.h"

#include <openssl/rand.h>

#include <boost/json.hpp>

#include "pki/atomic_file.h"
#include "pki/base64.h"

namespace kcpp::storage {

namespace json = boost::json;

namespace {

Error configError(std::string what) {
  return makeError(Reason::InternalError, "encryption config: " + what);
}

bool coversSecrets(const json::object& entry) {
  const json::value* resources = entry.if_contains("resources");
  if (!resources || !resources->is_array()) return false;
  for (const auto& r : resources->get_array()) {
    if (r.is_string() && (r.get_string() == "secrets" || r.get_string() == "secrets.")) return true;
  }
  return false;
}

}  // namespace

std::filesystem::path encryptionConfigPath(const std::filesystem::path& dataDir) {
  return dataDir / "server" / "cred" / "encryption-config.json";
}

Result<std::vector<EncryptionKey>> parseEncryptionConfig(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return configError("not a JSON object");
  const json::value* resources = doc.get_object().if_contains("resources");
  if (!resources || !resources->is_array()) return configError("no resources list");
  std::vector<EncryptionKey> keys;
  for (const auto& entry : resources->get_array()) {
    if (!entry.is_object() || !coversSecrets(entry.get_object())) continue;
    const json::value* providers = entry.get_object().if_contains("providers");
    if (!providers || !providers->is_array()) return configError("no providers for secrets");
    for (const auto& provider : providers->get_array()) {
      if (!provider.is_object()) return configError("a provider is not an object");
      const json::value* aesgcm = provider.get_object().if_contains("aesgcm");
      if (!aesgcm) continue;
      const json::value* list = aesgcm->is_object() ? aesgcm->get_object().if_contains("keys")
                                                    : nullptr;
      if (!list || !list->is_array()) return configError("aesgcm provider without keys");
      for (const auto& k : list->get_array()) {
        const json::value* name = k.is_object() ? k.get_object().if_contains("name") : nullptr;
        const json::value* secret = k.is_object() ? k.get_object().if_contains("secret") : nullptr;
        if (!name || !name->is_string() || !secret || !secret->is_string()) {
          return configError("an aesgcm key needs a name and a secret");
        }
        auto raw = pki::base64Decode(std::string_view(secret->get_string()));
        if (!raw) return configError("key " + std::string(name->get_string()) + " is not base64");
        keys.push_back(EncryptionKey{std::string(name->get_string()), std::move(*raw)});
      }
    }
    break;
  }
  return keys;
}

std::string renderEncryptionConfig(const std::vector<EncryptionKey>& keys) {
  json::array keyList;
  for (const auto& k : keys) {
    keyList.push_back(json::object{{"name", k.name}, {"secret", pki::base64Encode(k.secret)}});
  }
  json::array providers;
  providers.push_back(json::object{{"aesgcm", json::object{{"keys", std::move(keyList)}}}});
  providers.push_back(json::object{{"identity", json::object{}}});
  json::object entry{{"resources", json::array{"secrets"}}, {"providers", std::move(providers)}};
  json::object doc{{"kind", "EncryptionConfiguration"},
                   {"apiVersion", "apiserver.config.k8s.io/v1"},
                   {"resources", json::array{std::move(entry)}}};
  return json::serialize(doc) + "\n";
}

Result<EncryptionKey> generateEncryptionKey(const std::vector<EncryptionKey>& existing) {
  long highest = 0;
  for (const auto& k : existing) {
    if (k.name.size() > 3 && k.name.starts_with("key")) {
      try {
        std::size_t used = 0;
        long n = std::stol(k.name.substr(3), &used);
        if (used == k.name.size() - 3 && n > highest) highest = n;
      } catch (const std::exception&) {
      }
    }
  }
  EncryptionKey key;
  key.name = "key" + std::to_string(highest + 1);
  key.secret.resize(32);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.secret.data()), 32) != 1) {
    return configError("no random key");
  }
  return key;
}

Result<TransformerPtr> loadSecretsTransformer(const std::filesystem::path& dataDir,
                                              SecretsEncryptionOptions options) {
  auto path = encryptionConfigPath(dataDir);
  std::vector<EncryptionKey> keys;
  auto text = pki::readFile(path);
  if (text) {
    auto parsed = parseEncryptionConfig(*text);
    if (!parsed) {
      auto e = std::move(parsed).error();
      e.message = path.string() + ": " + e.message;
      return e;
    }
    keys = std::move(*parsed);
  } else if (text.error().reason != Reason::NotFound) {
    return std::move(text).error();
  }
  if (!options.enabled) {
    if (keys.empty()) return TransformerPtr{};
    return AesGcmTransformer::create(std::move(keys), false);
  }
  if (keys.empty() || options.rotate) {
    auto key = generateEncryptionKey(keys);
    if (!key) return std::move(key).error();
    keys.insert(keys.begin(), std::move(*key));
    if (auto ok = pki::ensureDirectory(path.parent_path(), 0700); !ok) return ok.error();
    if (auto ok = pki::writeFileAtomic(path, renderEncryptionConfig(keys), pki::kPrivateFileMode);
        !ok) {
      return ok.error();
    }
  }
  return AesGcmTransformer::create(std::move(keys), true);
}

}  // namespace kcpp::storage
