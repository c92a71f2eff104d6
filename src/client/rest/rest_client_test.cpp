// RestClient against a real in-process API server (HTTPS, x509 authentication)
// over a memory store.
#include "client/rest/rest_client.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "apiserver/authn/authenticator.h"
#include "apiserver/authz/authorizer.h"
#include "apiserver/handlers/api_handler.h"
#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "apiserver/server/http_server.h"
#include "pki/cluster_pki.h"
#include "pki/test_temp_dir.h"
#include "pki/tls_context.h"
#include "storage/memory/memory_store.h"

namespace kcpp::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class RestClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki::ServingNames names;
    names.bindAddress = "127.0.0.1";
    auto loaded = pki::ClusterPki::loadOrCreate(dir.path(), pki::servingAltNames(names));
    ASSERT_TRUE(loaded.ok());
    clusterPki.emplace(std::move(*loaded));
    ASSERT_TRUE(pki::configureServerTls(tls, *clusterPki).ok());
    for (api::ResourceType& type : api::builtinResources()) {
      if (!type.group.empty() || (type.resource != "configmaps" && type.resource != "namespaces")) continue;
      apiserver::StrategyPtr strategy;
      if (type.resource == "namespaces") strategy = std::make_unique<apiserver::NamespaceStrategy>();
      registries.push_back(std::make_unique<apiserver::Registry>(std::move(type), *store, std::move(strategy)));
    }
    for (auto& r : registries) ASSERT_TRUE(await(r->start()).ok());
    handler = std::make_unique<apiserver::ApiHandler>(apiserver::ApiHandlerOptions{}, authorizer);
    for (auto& r : registries) handler->addRegistry(*r);
    handler->setReady(true);
    apiserver::HttpServerOptions options;
    options.bindAddress = "127.0.0.1";
    options.port = 0;
    options.idleTimeout = 1s;
    server = std::make_unique<apiserver::HttpServer>(io, tls, options, authenticator, *handler);
    ASSERT_TRUE(server->listen().ok());
    server->start();
    auto made = RestClient::create(io.get_executor(), clusterPki->adminKubeconfig(server->port()));
    ASSERT_TRUE(made.ok()) << made.error().message;
    client = std::move(*made);
  }

  // Runs io until `work` finishes (io never runs out of work: the server accepts).
  template <class T>
  T await(asio::awaitable<T> work) {
    std::optional<T> out;
    auto done = asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(work)); },
        asio::use_future);
    while (done.wait_for(0s) != std::future_status::ready) {
      if (io.stopped()) io.restart();
      io.run_one();
    }
    done.get();
    return std::move(*out);
  }

  static json::object configMap(const std::string& name, const std::string& value) {
    json::object obj{{"apiVersion", "v1"}, {"kind", "ConfigMap"}};
    obj["metadata"] = json::object{{"name", name}};
    obj["data"] = json::object{{"k", value}};
    return obj;
  }

  ResourcePath configMaps(const std::string& name = "") const {
    return ResourcePath{"", "v1", "configmaps", "default", name, "", ""};
  }

  pki::TempDir dir;
  std::optional<pki::ClusterPki> clusterPki;
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_server};
  std::unique_ptr<storage::MemoryStore> store = storage::makeMemoryStore();
  std::vector<apiserver::RegistryPtr> registries;
  apiserver::PrivilegedGroupAuthorizer authorizer{"system:masters"};
  apiserver::UnionAuthenticator authenticator{[] {
    std::vector<apiserver::AuthenticatorPtr> v;
    v.push_back(std::make_unique<apiserver::X509Authenticator>());
    return v;
  }()};
  std::unique_ptr<apiserver::ApiHandler> handler;
  std::unique_ptr<apiserver::HttpServer> server;
  RestClientPtr client;
};

TEST_F(RestClientTest, ResourcePathsAreUpstreamUrls) {
  EXPECT_EQ(configMaps("a").target(), "/api/v1/namespaces/default/configmaps/a");
  EXPECT_EQ((ResourcePath{"apps", "v1", "deployments", "", "", "", "limit=5"}).target(),
            "/apis/apps/v1/deployments?limit=5");
  EXPECT_EQ((ResourcePath{"apps", "v1", "deployments", "ns", "web", "scale", ""}).target(),
            "/apis/apps/v1/namespaces/ns/deployments/web/scale");
  EXPECT_EQ((ResourcePath{"", "v1", "namespaces", "x", "x", "finalize", ""}).target(),
            "/api/v1/namespaces/x/finalize");
}

TEST_F(RestClientTest, CrudRoundTrip) {
  auto created = await(client->create(configMaps(), configMap("a", "1")));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_FALSE(created->at("metadata").at("uid").as_string().empty());
  auto got = await(client->get(configMaps("a")));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at("data").at("k"), "1");
  json::object changed = *got;
  changed["data"] = json::object{{"k", "2"}};
  auto updated = await(client->update(configMaps("a"), changed));
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  auto patched = await(client->patch(configMaps("a"), "application/merge-patch+json",
                                     R"({"data":{"k":"3"}})"));
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(patched->at("data").at("k"), "3");
  auto list = await(client->get(configMaps()));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->at("kind"), "ConfigMapList");
  EXPECT_EQ(list->at("items").as_array().size(), 1u);
  const json::object noOptions;
  EXPECT_TRUE(await(client->remove(configMaps("a"), noOptions)).ok());
}

TEST_F(RestClientTest, ErrorsCarryTheServersStatus) {
  auto missing = await(client->get(configMaps("nope")));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reason, Reason::NotFound);
  EXPECT_EQ(missing.error().message, "configmaps \"nope\" not found");
  EXPECT_EQ(missing.error().name, "nope");
  ASSERT_TRUE(await(client->create(configMaps(), configMap("a", "1"))).ok());
  auto again = await(client->create(configMaps(), configMap("a", "1")));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().reason, Reason::AlreadyExists);
  json::object bad = configMap("B_AD", "1");
  auto invalid = await(client->create(configMaps(), bad));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().reason, Reason::Invalid);
  ASSERT_FALSE(invalid.error().causes.empty());
  EXPECT_EQ(invalid.error().causes[0].field, "metadata.name");
}

TEST_F(RestClientTest, WatchDeliversEvents) {
  ASSERT_TRUE(await(client->create(configMaps(), configMap("before", "1"))).ok());
  auto events = await([&]() -> asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> seen;
    const ResourcePath all = configMaps();
    auto stream = co_await client->watch(all);
    if (!stream) co_return seen;
    const json::object after = configMap("after", "1");
    auto created = co_await client->create(all, after);
    EXPECT_TRUE(created.ok());
    while (seen.size() < 2) {
      auto event = co_await (*stream)->next();
      if (!event || !*event) break;
      seen.push_back((*event)->type + " " +
                     std::string((*event)->object.at("metadata").at("name").as_string()));
    }
    co_return seen;
  }());
  EXPECT_EQ(events, (std::vector<std::string>{"ADDED before", "ADDED after"}));
}

TEST_F(RestClientTest, AWatchTheServerRefusesIsAnError) {
  ResourcePath path = configMaps();
  path.query = "resourceVersion=notanumber";
  auto stream = await(client->watch(path));
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.error().code(), 400);
}

TEST_F(RestClientTest, AConnectionTheServerClosedIsReplaced) {
  ASSERT_TRUE(await(client->get(configMaps())).ok());
  // The server closes keep-alive connections idle for 1 s.
  await([&]() -> asio::awaitable<int> {
    asio::steady_timer timer(io, 1500ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_return 0;
  }());
  auto again = await(client->get(configMaps()));
  EXPECT_TRUE(again.ok()) << again.error().message;
}

TEST(RestClientCreateTest, RejectsANonHttpsServer) {
  asio::io_context io;
  pki::Kubeconfig config;
  config.server = "http://127.0.0.1:8080";
  auto made = RestClient::create(io.get_executor(), config);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().reason, Reason::BadRequest);
}

}  // namespace
}  // namespace kcpp::client
