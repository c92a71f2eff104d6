#pragma once
// The fixture of the per-namespace controllers' tests: namespaces (with their
// strategy, so they are Active or Terminating) and the registry a controller
// keeps objects in, over the in-memory store; helpers to drive the io_context
// while a loop runs on it (a running loop never lets io.run() return). Test-only.

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include <boost/asio/detached.hpp>

#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {

class PerNamespaceLoopTest : public RegistryTest {
 protected:
  void SetUp() override {
    namespaces = &add("", "namespaces", std::make_unique<NamespaceStrategy>());
  }
  void TearDown() override {
    if (!looping) return;
    stop = true;
    io.restart();
    io.run_for(std::chrono::milliseconds(1500));  // the loop ends within a round
  }

  // Runs `work` to completion while whatever else is on the io_context runs too.
  template <class T>
  T during(asio::awaitable<T> work) {
    std::optional<T> out;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(work)); },
        asio::detached);
    while (!out) {
      io.restart();
      io.run_for(std::chrono::milliseconds(5));
    }
    return std::move(*out);
  }
  // Runs the io_context until `condition` holds (or 3 s pass).
  bool eventually(const std::function<bool()>& condition) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!condition() && std::chrono::steady_clock::now() < deadline) {
      // Store events reach the caches from the store's thread: wait for them
      // when the io_context has nothing to do (it then stops: restart it).
      io.restart();
      if (io.run_for(std::chrono::milliseconds(10)) == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    return condition();
  }

  json::object namespaceNamed(const std::string& name) {
    json::object body = parse(R"({"metadata":{}})");
    api::ensureObject(body, "metadata")["name"] = name;
    return body;
  }
  void createNamespace(const std::string& name) {
    const std::string clusterScope;
    auto created = during(namespaces->create(clusterScope, namespaceNamed(name), noOptions));
    ASSERT_TRUE(created.ok()) << created.error().message;
    // The controllers read namespaces from the cache, as from an informer.
    ASSERT_TRUE(eventually([&] { return cached(*namespaces, clusterScope, name).has_value(); }));
  }
  void terminateNamespace(const std::string& name) {
    const std::string clusterScope;
    DeleteOptions options;
    auto deleting = during(namespaces->remove(clusterScope, name, options));
    ASSERT_TRUE(deleting.ok()) << deleting.error().message;
    ASSERT_TRUE(eventually([&] {
      auto ns = cached(*namespaces, clusterScope, name);
      return ns && str(*ns, "status.phase") == "Terminating";
    }));
  }
  // The cached object, parsed (nullopt if absent).
  std::optional<json::object> cached(Registry& r, const std::string& inNs, const std::string& name) {
    auto found = r.cache().peek(r.key(inNs, name));
    if (!found || !found->json) return std::nullopt;
    return api::parseJson(*found->json)->as_object();
  }

  Registry* namespaces = nullptr;
  std::atomic<bool> stop{false};
  bool looping = false;  // set when a test starts a loop
};

}  // namespace kcpp::apiserver::registry_testing
