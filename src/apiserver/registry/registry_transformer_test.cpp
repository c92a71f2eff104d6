// Registry with a storage Transformer (secrets' encryption at rest): the store
// holds transformed bytes, reads and watches see the object.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>

#include "apiserver/registry/registry.h"
#include "storage/memory/memory_store.h"
#include "util/run_to_completion.h"

namespace kcpp::apiserver {
namespace {

// Reverses the bytes behind a prefix naming the value's key.
class ReversingTransformer : public storage::Transformer {
 public:
  Result<std::string> toStorage(std::string_view plain, std::string_view context) const override {
    std::string out(plain.rbegin(), plain.rend());
    return "rev:" + std::string(context) + ":" + out;
  }
  Result<std::string> fromStorage(std::string_view stored,
                                  std::string_view context) const override {
    std::string head = "rev:" + std::string(context) + ":";
    if (!stored.starts_with(head)) return makeError(Reason::InternalError, "not transformed");
    std::string_view body = stored.substr(head.size());
    return std::string(body.rbegin(), body.rend());
  }
  bool isStale(std::string_view stored) const override { return !stored.starts_with("rev:"); }
};

TEST(RegistryTransformer, StoresTransformedBytesAndServesObjects) {
  boost::asio::io_context io;
  auto store = storage::makeMemoryStore();
  std::unique_ptr<Registry> registry;
  for (api::ResourceType& type : api::builtinResources()) {
    if (type.group.empty() && type.resource == "secrets") {
      registry = std::make_unique<Registry>(std::move(type), *store, nullptr, nullptr,
                                            std::make_shared<ReversingTransformer>());
    }
  }
  ASSERT_TRUE(registry);
  ASSERT_TRUE(runToCompletion(io, registry->start()).ok());
  json::object secret = json::parse(R"({"apiVersion":"v1","kind":"Secret",
      "metadata":{"name":"s","namespace":"default"},"data":{"password":"aHVudGVyMg=="}})")
                            .as_object();
  WriteOptions options;
  auto created = runToCompletion(io, registry->create("default", secret, options));
  ASSERT_TRUE(created.ok()) << created.error().message;

  std::string key = registry->key("default", "s");
  auto raw = runToCompletion(io, store->get(key));
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(raw->value.starts_with("rev:" + key + ":"));
  EXPECT_EQ(raw->value.find("aHVudGVyMg=="), std::string::npos);

  auto got = runToCompletion(io, registry->get("default", "s"));
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_NE(got->json->find("aHVudGVyMg=="), std::string::npos);

  std::string patch = R"({"data":{"password":"bmV3"}})";
  auto patched = runToCompletion(
      io, registry->patch("default", "s", PatchType::Merge, patch, Subresource::None, options));
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  raw = runToCompletion(io, store->get(key));
  EXPECT_TRUE(raw->value.starts_with("rev:" + key + ":"));
  EXPECT_EQ(raw->value.find("bmV3"), std::string::npos);
  got = runToCompletion(io, registry->get("default", "s"));
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->json->find("bmV3"), std::string::npos);
}

}  // namespace
}  // namespace kcpp::apiserver
