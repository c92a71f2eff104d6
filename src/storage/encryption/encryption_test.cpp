#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>

#include "pki/atomic_file.h"
#include "pki/test_temp_dir.h"
#include "storage/encryption/aes_gcm_transformer.h"
#include "storage/encryption/encryption_config.h"
#include "storage/encryption/reencrypt.h"
#include "storage/memory/memory_store.h"
#include "util/run_to_completion.h"

namespace kcpp::storage {
namespace {

EncryptionKey key(std::string name, char fill) { return {std::move(name), std::string(32, fill)}; }

TransformerPtr transformer(std::vector<EncryptionKey> keys, bool encrypt = true) {
  auto t = AesGcmTransformer::create(std::move(keys), encrypt);
  EXPECT_TRUE(t.ok());
  return *t;
}

const std::string kKey = "/registry/secrets/default/s";
const std::string kPlain = R"({"kind":"Secret","data":{"password":"c2VjcmV0"}})";

TEST(AesGcmTransformer, RoundTripsWithPrefixAndWithoutPlaintext) {
  auto t = transformer({key("key1", 'a')});
  auto stored = t->toStorage(kPlain, kKey);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->starts_with("k8s:enc:aesgcm:v1:key1:"));
  EXPECT_EQ(stored->size(), std::string("k8s:enc:aesgcm:v1:key1:").size() + 12 + kPlain.size() + 16);
  EXPECT_EQ(stored->find("c2VjcmV0"), std::string::npos);
  auto again = t->toStorage(kPlain, kKey);
  EXPECT_NE(*stored, *again);  // a fresh nonce per write
  auto plain = t->fromStorage(*stored, kKey);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, kPlain);
  EXPECT_FALSE(t->isStale(*stored));
}

TEST(AesGcmTransformer, TamperedValueIsAnError) {
  auto t = transformer({key("key1", 'a')});
  auto stored = *t->toStorage(kPlain, kKey);
  for (std::size_t at : {stored.size() - 1, stored.size() - 20, std::string("k8s:enc:aesgcm:v1:key1:").size()}) {
    std::string bad = stored;
    bad[at] ^= 0x01;
    auto plain = t->fromStorage(bad, kKey);
    ASSERT_FALSE(plain.ok()) << at;
    EXPECT_EQ(plain.error().reason, Reason::InternalError);
  }
  EXPECT_FALSE(t->fromStorage(stored.substr(0, 30), kKey).ok());  // truncated
  // Bound to its key: the same bytes under another key do not decrypt.
  EXPECT_FALSE(t->fromStorage(stored, "/registry/secrets/default/other").ok());
}

TEST(AesGcmTransformer, WrongOrUnknownKeyIsAnError) {
  auto stored = *transformer({key("key1", 'a')})->toStorage(kPlain, kKey);
  auto other = transformer({key("key1", 'b')});
  EXPECT_FALSE(other->fromStorage(stored, kKey).ok());
  auto missing = transformer({key("key2", 'a')})->fromStorage(stored, kKey);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("key1"), std::string::npos);
  EXPECT_FALSE(other->fromStorage("k8s:enc:secretbox:v1:key1:xxxx", kKey).ok());
}

TEST(AesGcmTransformer, PlaintextPassesThroughAndIsStale) {
  auto t = transformer({key("key1", 'a')});
  auto plain = t->fromStorage(kPlain, kKey);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, kPlain);
  EXPECT_TRUE(t->isStale(kPlain));
}

TEST(AesGcmTransformer, RotationWritesWithNewKeyAndReadsOldOnes) {
  auto old = transformer({key("key1", 'a')});
  auto oldStored = *old->toStorage(kPlain, kKey);
  auto rotated = transformer({key("key2", 'b'), key("key1", 'a')});
  EXPECT_EQ(*rotated->fromStorage(oldStored, kKey), kPlain);
  EXPECT_TRUE(rotated->isStale(oldStored));
  auto newStored = *rotated->toStorage(kPlain, kKey);
  EXPECT_TRUE(newStored.starts_with("k8s:enc:aesgcm:v1:key2:"));
  EXPECT_FALSE(rotated->isStale(newStored));
  EXPECT_FALSE(old->fromStorage(newStored, kKey).ok());
}

TEST(AesGcmTransformer, DecryptOnlyWritesPlaintext) {
  auto enc = *transformer({key("key1", 'a')})->toStorage(kPlain, kKey);
  auto off = transformer({key("key1", 'a')}, false);
  EXPECT_EQ(*off->toStorage(kPlain, kKey), kPlain);
  EXPECT_EQ(*off->fromStorage(enc, kKey), kPlain);
  EXPECT_TRUE(off->isStale(enc));
  EXPECT_FALSE(off->isStale(kPlain));
}

TEST(AesGcmTransformer, RejectsBadKeys) {
  EXPECT_FALSE(AesGcmTransformer::create({{"key1", "short"}}).ok());
  EXPECT_FALSE(AesGcmTransformer::create({key("bad:name", 'a')}).ok());
  EXPECT_FALSE(AesGcmTransformer::create({key("k", 'a'), key("k", 'b')}).ok());
  EXPECT_FALSE(AesGcmTransformer::create({}).ok());
}

TEST(EncryptionConfig, RendersAndParsesUpstreamFormat) {
  std::vector<EncryptionKey> keys{key("key2", 'b'), key("key1", 'a')};
  std::string text = renderEncryptionConfig(keys);
  EXPECT_NE(text.find("\"kind\":\"EncryptionConfiguration\""), std::string::npos);
  EXPECT_NE(text.find("\"aesgcm\""), std::string::npos);
  auto parsed = parseEncryptionConfig(text);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].name, "key2");
  EXPECT_EQ((*parsed)[0].secret, std::string(32, 'b'));
  EXPECT_FALSE(parseEncryptionConfig("not json").ok());
  EXPECT_EQ(generateEncryptionKey(keys)->name, "key3");
}

TEST(EncryptionConfig, CreatesKeyFileOnceAndRotates) {
  pki::TempDir dir;
  auto first = loadSecretsTransformer(dir.path(), {});
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto path = encryptionConfigPath(dir.path());
  EXPECT_EQ(path, dir.path() / "server/cred/encryption-config.json");
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto stored = *(*first)->toStorage(kPlain, kKey);
  EXPECT_TRUE(stored.starts_with("k8s:enc:aesgcm:v1:key1:"));

  auto again = loadSecretsTransformer(dir.path(), {});  // the same key, not a new one
  EXPECT_EQ(*(*again)->fromStorage(stored, kKey), kPlain);
  EXPECT_FALSE((*again)->isStale(stored));

  SecretsEncryptionOptions rotate;
  rotate.rotate = true;
  auto rotated = loadSecretsTransformer(dir.path(), rotate);
  ASSERT_TRUE(rotated.ok());
  EXPECT_TRUE((*rotated)->isStale(stored));
  EXPECT_EQ(*(*rotated)->fromStorage(stored, kKey), kPlain);
  EXPECT_TRUE((*(*rotated)->toStorage(kPlain, kKey)).starts_with("k8s:enc:aesgcm:v1:key2:"));
  EXPECT_EQ(parseEncryptionConfig(*pki::readFile(path))->size(), 2u);

  SecretsEncryptionOptions off;
  off.enabled = false;
  auto disabled = loadSecretsTransformer(dir.path(), off);
  ASSERT_TRUE(disabled.ok());
  ASSERT_TRUE(*disabled);  // the file exists: old values still decrypt
  EXPECT_EQ(*(*disabled)->toStorage(kPlain, kKey), kPlain);
  pki::TempDir empty;
  EXPECT_FALSE(*loadSecretsTransformer(empty.path(), off));
  EXPECT_FALSE(std::filesystem::exists(encryptionConfigPath(empty.path())));
}

TEST(Reencrypt, RewritesPlaintextAndOldKeysOnly) {
  boost::asio::io_context io;
  auto store = makeMemoryStore();
  auto old = transformer({key("key1", 'a')});
  auto current = transformer({key("key2", 'b'), key("key1", 'a')});
  const std::string a = "/registry/secrets/ns/a", b = "/registry/secrets/ns/b",
                    c = "/registry/secrets/ns/c", other = "/registry/configmaps/ns/a";
  ASSERT_TRUE(runToCompletion(io, store->create(a, kPlain)).ok());
  ASSERT_TRUE(runToCompletion(io, store->create(b, *old->toStorage(kPlain, b))).ok());
  std::string cValue = *current->toStorage(kPlain, c);
  ASSERT_TRUE(runToCompletion(io, store->create(c, cValue)).ok());
  ASSERT_TRUE(runToCompletion(io, store->create(other, kPlain)).ok());

  auto rewritten = runToCompletion(io, reencryptPrefix(*store, "/registry/secrets/", *current));
  ASSERT_TRUE(rewritten.ok()) << rewritten.error().message;
  EXPECT_EQ(*rewritten, 2u);
  for (const auto& k : {a, b, c}) {
    auto kv = runToCompletion(io, store->get(k));
    ASSERT_TRUE(kv.ok());
    EXPECT_TRUE(kv->value.starts_with("k8s:enc:aesgcm:v1:key2:")) << k;
    EXPECT_EQ(*current->fromStorage(kv->value, k), kPlain);
  }
  EXPECT_EQ(runToCompletion(io, store->get(c))->value, cValue);  // untouched
  EXPECT_EQ(runToCompletion(io, store->get(other))->value, kPlain);
  EXPECT_EQ(*runToCompletion(io, reencryptPrefix(*store, "/registry/secrets/", *current)), 0u);
}

}  // namespace
}  // namespace kcpp::storage
