#include "storage/encryption/aes_gcm_transformer.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace kcpp::storage {

namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

bool validKeyName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Error cryptoError(std::string what) {
  return makeError(Reason::InternalError, "encryption: " + what);
}

}  // namespace

Result<TransformerPtr> AesGcmTransformer::create(std::vector<EncryptionKey> keys, bool encrypt) {
  if (encrypt && keys.empty()) return cryptoError("no key to encrypt with");
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!validKeyName(keys[i].name)) return cryptoError("invalid key name \"" + keys[i].name + "\"");
    if (keys[i].secret.size() != kKeySize) {
      return cryptoError("key \"" + keys[i].name + "\" is not 32 bytes");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (keys[j].name == keys[i].name) return cryptoError("duplicate key name " + keys[i].name);
    }
  }
  return TransformerPtr(new AesGcmTransformer(std::move(keys), encrypt));
}

AesGcmTransformer::AesGcmTransformer(std::vector<EncryptionKey> keys, bool encrypt)
    : keys_(std::move(keys)), encrypt_(encrypt) {
  if (encrypt_) writePrefix_ = std::string(kAesGcmPrefix) + keys_.front().name + ":";
}

Result<std::string> AesGcmTransformer::toStorage(std::string_view plain,
                                                 std::string_view context) const {
  if (!encrypt_) return std::string(plain);
  const EncryptionKey& key = keys_.front();
  std::string out = writePrefix_;
  std::size_t head = out.size();
  out.resize(head + kNonceSize + plain.size() + kTagSize);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + head);
  if (RAND_bytes(nonce, kNonceSize) != 1) return cryptoError("no random nonce");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* cipher = nonce + kNonceSize;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key.secret), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &len, bytes(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, cipher + plain.size()) != 1) {
    return cryptoError("AES-GCM encryption failed");
  }
  return out;
}

Result<std::string> AesGcmTransformer::fromStorage(std::string_view stored,
                                                   std::string_view context) const {
  if (!stored.starts_with(kEncryptedPrefix)) return std::string(stored);
  if (!stored.starts_with(kAesGcmPrefix)) {
    return cryptoError("value at " + std::string(context) + " has an unknown encryption prefix");
  }
  std::string_view rest = stored.substr(kAesGcmPrefix.size());
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return cryptoError("value at " + std::string(context) + " has no key name");
  }
  std::string_view name = rest.substr(0, colon);
  std::string_view data = rest.substr(colon + 1);
  const EncryptionKey* key = nullptr;
  for (const auto& k : keys_) {
    if (k.name == name) key = &k;
  }
  if (!key) {
    return cryptoError("value at " + std::string(context) + " is encrypted with key \"" +
                       std::string(name) + "\", which is not configured");
  }
  if (data.size() < kNonceSize + kTagSize) {
    return cryptoError("value at " + std::string(context) + " is truncated");
  }
  std::string_view nonce = data.substr(0, kNonceSize);
  std::string_view cipher = data.substr(kNonceSize, data.size() - kNonceSize - kTagSize);
  std::string tag(data.substr(data.size() - kTagSize));
  std::string plain(cipher.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key->secret), bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &len, bytes(cipher), static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + len, &len) != 1) {
    return cryptoError("value at " + std::string(context) +
                       " does not decrypt (corrupted, or written for another key)");
  }
  return plain;
}

bool AesGcmTransformer::isStale(std::string_view stored) const {
  if (!encrypt_) return stored.starts_with(kEncryptedPrefix);
  return !stored.starts_with(writePrefix_);
}

}  // namespace kcpp::storage
