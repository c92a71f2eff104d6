#pragma once
// The fixture of the Registry unit tests: registries of built-in types over the
// in-memory store, driven directly (no HTTP). Test-only.
#include "apiserver/registry/registry.h"
#include "util/run_to_completion.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "api/meta/object.h"
#include "storage/memory/memory_store.h"

namespace kcpp::apiserver::registry_testing {

namespace asio = boost::asio;

inline json::object parse(std::string_view text) { return json::parse(text).as_object(); }

inline const json::value& at(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  static const json::value kMissing;
  return v ? *v : kMissing;
}

inline std::string str(const json::object& obj, std::string_view path) {
  const json::value& v = at(obj, path);
  return v.is_string() ? std::string(v.get_string()) : "";
}

class RegistryTest : public ::testing::Test {
 protected:
  // Runs an awaitable on io to completion and returns its result.
  template <class T>
  T await(asio::awaitable<T> work) {
    return runToCompletion(io, std::move(work));
  }

  // A started Registry for a built-in resource, as the server builds them.
  Registry& add(const std::string& group, const std::string& resource,
                StrategyPtr strategy = nullptr) {
    for (api::ResourceType& type : api::builtinResources()) {
      if (type.group != group || type.resource != resource) continue;
      registries.push_back(std::make_unique<Registry>(std::move(type), *store, std::move(strategy)));
      Registry& r = *registries.back();
      auto started = await(r.start());
      EXPECT_TRUE(started.ok());
      return r;
    }
    ADD_FAILURE() << "no built-in resource " << group << "/" << resource;
    std::abort();
  }

  json::object create(Registry& r, const std::string& ns, json::object obj) {
    auto created = await(r.create(ns, std::move(obj), noOptions));
    EXPECT_TRUE(created.ok()) << (created ? "" : created.error().message);
    return created ? *created : json::object();
  }

  Result<json::object> get(Registry& r, const std::string& ns, const std::string& name) {
    auto found = await(r.get(ns, name));
    if (!found) return std::move(found).error();
    return api::parseJson(*found->json)->as_object();
  }

  Result<json::object> update(Registry& r, const std::string& ns, const std::string& name,
                              json::object body, Subresource sub = Subresource::None) {
    return await(r.update(ns, name, std::move(body), sub, noOptions));
  }

  Result<json::object> patch(Registry& r, const std::string& name, PatchType type,
                             std::string body, Subresource sub = Subresource::None) {
    return await(r.patch(ns, name, type, std::move(body), sub, noOptions));
  }

  std::size_t count(Registry& r, const std::string& inNs) {
    storage::ListOptions options;
    auto listed = await(r.list(inNs, std::move(options)));
    EXPECT_TRUE(listed.ok());
    return listed ? listed->items.size() : 0;
  }

  static json::object configMap(const std::string& name) {
    json::object obj = parse(R"({"apiVersion":"v1","kind":"ConfigMap","data":{"a":"1"}})");
    api::ensureObject(obj, "metadata")["name"] = name;
    return obj;
  }

  static json::object deployment(const std::string& name) {
    json::object obj = parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
              "template":{"metadata":{"labels":{"app":"web"}},
                          "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})");
    api::ensureObject(obj, "metadata")["name"] = name;
    return obj;
  }

  // Declared in destruction order: registries (their caches) before the store,
  // the store before the io_context its events are posted to.
  asio::io_context io;
  std::unique_ptr<storage::MemoryStore> store = storage::makeMemoryStore();
  std::vector<RegistryPtr> registries;
  WriteOptions noOptions;
  const std::string ns = "default";
};


}  // namespace kcpp::apiserver::registry_testing
