#pragma once
// AES-256-GCM encryption of stored values, as upstream's EncryptionConfiguration
// aesgcm provider. A value is stored as
//
//   k8s:enc:aesgcm:v1:<key name>:<12-byte nonce><ciphertext><16-byte tag>
//
// with the value's store key as additional authenticated data (a value copied to
// another key does not decrypt). Values are written with the first key; every key
// decrypts (rotation). Values without the "k8s:enc:" prefix are read as plaintext
// (objects written before encryption was turned on).

#include <string>
#include <vector>

#include "storage/transformer.h"

namespace kcpp::storage {

struct EncryptionKey {
  std::string name;    // [A-Za-z0-9_-]+ (it is part of the prefix)
  std::string secret;  // 32 raw bytes
};

inline constexpr std::string_view kEncryptedPrefix = "k8s:enc:";
inline constexpr std::string_view kAesGcmPrefix = "k8s:enc:aesgcm:v1:";

class AesGcmTransformer : public Transformer {
 public:
  // `keys`: every key that decrypts. When `encrypt`, the first one encrypts new
  // writes; otherwise writes are plaintext (encryption turned off, old values
  // still readable).
  static Result<TransformerPtr> create(std::vector<EncryptionKey> keys, bool encrypt = true);

  Result<std::string> toStorage(std::string_view plain, std::string_view context) const override;
  Result<std::string> fromStorage(std::string_view stored, std::string_view context) const override;
  bool isStale(std::string_view stored) const override;

 private:
  AesGcmTransformer(std::vector<EncryptionKey> keys, bool encrypt);
  std::vector<EncryptionKey> keys_;
  bool encrypt_;
  std::string writePrefix_;
};

}  // namespace kcpp::storage
