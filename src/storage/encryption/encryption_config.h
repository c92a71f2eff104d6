#pragma once
// The secrets encryption key file: <data-dir>/server/cred/encryption-config.json
// (mode 0600), upstream's EncryptionConfiguration format (as k3s writes it):
//
//   {"kind":"EncryptionConfiguration","apiVersion":"apiserver.config.k8s.io/v1",
//    "resources":[{"resources":["secrets"],
//                  "providers":[{"aesgcm":{"keys":[{"name":"key2","secret":"<base64>"},
//                                                  {"name":"key1","secret":"<base64>"}]}},
//                               {"identity":{}}]}]}
//
// The first aesgcm key encrypts; every listed key decrypts; identity means values
// written before encryption was on are read as plaintext.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "storage/encryption/aes_gcm_transformer.h"

namespace kcpp::storage {

std::filesystem::path encryptionConfigPath(const std::filesystem::path& dataDir);

// The aesgcm keys configured for secrets, in order (first: the write key).
Result<std::vector<EncryptionKey>> parseEncryptionConfig(std::string_view text);
std::string renderEncryptionConfig(const std::vector<EncryptionKey>& keys);

// A new random 32-byte key named key<N>, N one more than the largest in `existing`.
Result<EncryptionKey> generateEncryptionKey(const std::vector<EncryptionKey>& existing);

struct SecretsEncryptionOptions {
  bool enabled = true;  // encrypt writes (creating the key file if missing)
  bool rotate = false;  // add a new write key in front of the existing ones
};

// The secrets Transformer for a data dir: loads the key file, creating it (one
// key) when encryption is enabled and it is missing, and adding a key when
// rotating. nullptr when encryption is disabled and there is no key file.
Result<TransformerPtr> loadSecretsTransformer(const std::filesystem::path& dataDir,
                                              SecretsEncryptionOptions options);

}  // namespace kcpp::storage
