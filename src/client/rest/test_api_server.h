#pragma once
// Test-only: a real API server in-process (HTTPS, x509 authentication, the
// system:masters authorizer) serving namespaces and configmaps from a memory
// store, and helpers to drive coroutines against it. It can be stopped and
// started again on the same port with its state, like a restarting server.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "api/schema/schema_set.h"
#include "apiserver/authn/authenticator.h"
#include "apiserver/authz/authorizer.h"
#include "apiserver/handlers/api_handler.h"
#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "apiserver/registry/pods/pod_strategy.h"
#include "apiserver/server/http_server.h"
#include "pki/cluster_pki.h"
#include "pki/test_temp_dir.h"
#include "pki/tls_context.h"
#include "storage/memory/memory_store.h"

namespace kcpp::client::testing {

namespace asio = boost::asio;
namespace json = boost::json;

class TestApiServer {
 public:
  // Serves the built-in resources named "group/resource" (core: "/resource").
  explicit TestApiServer(asio::io_context& io,
                         std::vector<std::string> resources = {"/configmaps", "/namespaces"})
      : io_(io) {
    pki::ServingNames names;
    names.bindAddress = "127.0.0.1";
    auto loaded = pki::ClusterPki::loadOrCreate(dir_.path(), pki::servingAltNames(names));
    KCPP_CHECK(loaded.ok(), "test PKI");
    pki_.emplace(std::move(*loaded));
    KCPP_CHECK(pki::configureServerTls(tls_, *pki_).ok(), "test TLS");
    for (api::ResourceType& type : api::builtinResources()) {
      std::string name = type.group + "/" + type.resource;
      if (std::find(resources.begin(), resources.end(), name) == resources.end()) continue;
      apiserver::StrategyPtr strategy;
      if (type.resource == "namespaces") strategy = std::make_unique<apiserver::NamespaceStrategy>();
      if (type.group.empty() && type.resource == "pods") strategy = std::make_unique<apiserver::PodStrategy>();
      registries_.push_back(
          std::make_unique<apiserver::Registry>(std::move(type), *store_, std::move(strategy)));
    }
    // Strategic merge patches need the built-in schemas (as the real server has).
    auto schemas = api::SchemaSet::loadBuiltin();
    KCPP_CHECK(schemas.ok(), "built-in schemas");
    schemas_ = std::make_unique<api::SchemaSet>(std::move(*schemas));
    for (auto& r : registries_) r->setPatchSchemas(*schemas_);
    for (auto& r : registries_) KCPP_CHECK(await(r->start()).ok(), "registry start");
  }

  // Starts serving (on the previous port after a stop()); idle keep-alive
  // connections are closed after `idle`.
  void start(std::chrono::seconds idle = std::chrono::seconds(120)) {
    apiserver::HttpServerOptions options;
    options.bindAddress = "127.0.0.1";
    options.port = port_;
    options.idleTimeout = idle;
    handler_ = std::make_unique<apiserver::ApiHandler>(handlerOptions, authorizer_);
    for (auto& r : registries_) handler_->addRegistry(*r);
    handler_->setReady(true);
    server_ = std::make_unique<apiserver::HttpServer>(io_, tls_, options, authenticator_, *handler_);
    KCPP_CHECK(server_->listen().ok(), "listen");
    port_ = server_->port();
    server_->start();
  }

  // Closes every connection (watches included) and stops listening.
  void stop() {
    handler_->stopWatches();
    await([this]() -> asio::awaitable<int> {
      co_await server_->shutdown(std::chrono::seconds(2));
      co_return 0;
    }());
    // Kept, not destroyed: sessions still winding down refer to them.
    stopped_.push_back(std::move(server_));
    stoppedHandlers_.push_back(std::move(handler_));
  }

  // What start() gives the handler (e.g. a TokenRequest signer); set before start().
  apiserver::ApiHandlerOptions handlerOptions;

  pki::Kubeconfig kubeconfig() const { return pki_->adminKubeconfig(port_); }
  apiserver::HttpServer& httpServer() { return *server_; }
  const pki::ClusterPki& clusterPki() const { return *pki_; }
  storage::MemoryStore& store() { return *store_; }
  apiserver::Registry& registry(const std::string& resource) {
    for (auto& r : registries_) {
      if (r->type().resource == resource) return *r;
    }
    KCPP_CHECK(false, "no such test registry");
    std::abort();
  }

  // Runs io until `work` finishes (io never runs out of work while serving).
  template <class T>
  T await(asio::awaitable<T> work) {
    std::optional<T> out;
    auto done = asio::co_spawn(
        io_, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(work)); },
        asio::use_future);
    while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      if (io_.stopped()) io_.restart();
      io_.run_one();
    }
    done.get();
    return std::move(*out);
  }

  // Runs io for `d` (or until `until` holds).
  void runFor(std::chrono::milliseconds d, const std::function<bool()>& until = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < deadline && !(until && until())) {
      if (io_.stopped()) io_.restart();
      io_.run_one_for(std::chrono::milliseconds(20));
    }
  }

  static json::object configMap(const std::string& name, const std::string& value) {
    json::object obj{{"apiVersion", "v1"}, {"kind", "ConfigMap"}};
    obj["metadata"] = json::object{{"name", name}};
    obj["data"] = json::object{{"k", value}};
    return obj;
  }

 private:
  asio::io_context& io_;
  pki::TempDir dir_;
  std::optional<pki::ClusterPki> pki_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  std::unique_ptr<storage::MemoryStore> store_ = storage::makeMemoryStore();
  std::unique_ptr<api::SchemaSet> schemas_;
  std::vector<apiserver::RegistryPtr> registries_;
  apiserver::PrivilegedGroupAuthorizer authorizer_{"system:masters"};
  apiserver::UnionAuthenticator authenticator_{[] {
    std::vector<apiserver::AuthenticatorPtr> v;
    v.push_back(std::make_unique<apiserver::X509Authenticator>());
    return v;
  }()};
  std::unique_ptr<apiserver::ApiHandler> handler_;
  std::unique_ptr<apiserver::HttpServer> server_;
  std::vector<std::unique_ptr<apiserver::ApiHandler>> stoppedHandlers_;
  std::vector<std::unique_ptr<apiserver::HttpServer>> stopped_;
  std::uint16_t port_ = 0;
};

}  // namespace kcpp::client::testing
