// RestClient against a real in-process API server (HTTPS, x509 authentication)
// over a memory store.
#include "client/rest/rest_client.h"

#include <gtest/gtest.h>

#include "client/rest/test_api_server.h"

namespace kcpp::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class RestClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start(1s);  // idle keep-alive connections closed after 1 s
    auto made = RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok()) << made.error().message;
    client = std::move(*made);
  }

  template <class T>
  T await(asio::awaitable<T> work) {
    return server.await(std::move(work));
  }

  static json::object configMap(const std::string& name, const std::string& value) {
    return testing::TestApiServer::configMap(name, value);
  }

  ResourcePath configMaps(const std::string& name = "") const {
    return ResourcePath{"", "v1", "configmaps", "default", name, "", ""};
  }

  asio::io_context io;
  testing::TestApiServer server{io};
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
