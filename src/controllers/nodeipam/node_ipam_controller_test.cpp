// The node IPAM controller against a real in-process API server.
#include "controllers/nodeipam/node_ipam_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class NodeIpamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
  }

  void TearDown() override {
    if (!controller) return;
    controller->stop();
    informers->stop();
    server.runFor(2s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  void start(const std::string& clusterCidr = "10.42.0.0/16") {
    NodeIpamOptions options;
    options.clusterCidr = clusterCidr;
    auto made = NodeIpamController::create(*restClient, *informers, io.get_executor(), options);
    ASSERT_TRUE(made.ok());
    controller = std::move(*made);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }

  static client::ResourcePath nodes(const std::string& name = "") { return {"", "v1", "nodes", "", name, "", ""}; }

  void createNode(const std::string& name, const std::string& podCidr = "") {
    json::object n{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", json::object{{"name", name}}}};
    if (!podCidr.empty()) {
      n["spec"] = json::object{{"podCIDR", podCidr}, {"podCIDRs", json::array{json::value(podCidr)}}};
    }
    ASSERT_TRUE(server.await(restClient->create(nodes(), n)).ok());
  }

  void deleteNode(const std::string& name) {
    const json::object noOptions;
    ASSERT_TRUE(server.await(restClient->remove(nodes(name), noOptions)).ok());
  }

  // spec.podCIDR, and whether spec.podCIDRs is exactly [it].
  std::string podCidr(const std::string& name) {
    auto node = server.await(restClient->get(nodes(name)));
    if (!node) return "";
    const json::value* single = api::findPath(*node, "spec.podCIDR");
    const json::value* list = api::findPath(*node, "spec.podCIDRs");
    if (!single || !list) return "";
    if (*list != json::array{*single}) return "mismatch: " + json::serialize(*node);
    return std::string(single->as_string());
  }

  std::string waitForCidr(const std::string& name) {
    std::string cidr;
    server.runFor(5s, [&] { return !(cidr = podCidr(name)).empty(); });
    return cidr;
  }

  std::vector<std::string> eventReasons(const std::string& node) {
    client::ResourcePath events{"", "v1", "events", "default", "", "", ""};
    auto list = server.await(restClient->get(events));
    std::vector<std::string> out;
    if (!list) return out;
    for (const auto& e : (*list)["items"].as_array()) {
      const json::object& event = e.as_object();
      if (api::getString(event.at("involvedObject").as_object(), "name") == node) {
        out.emplace_back(api::getString(event, "reason"));
      }
    }
    return out;
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/nodes", "/events"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<NodeIpamController> controller;
  bool ended = false;
};

TEST_F(NodeIpamTest, EachNodeGetsADistinctSubnetAndExistingOnesAreKept) {
  createNode("old", "10.42.0.0/24");  // allocated before a restart
  start();
  createNode("a");
  createNode("b");
  EXPECT_EQ(waitForCidr("a"), "10.42.1.0/24");
  EXPECT_EQ(waitForCidr("b"), "10.42.2.0/24");
  EXPECT_EQ(podCidr("old"), "10.42.0.0/24");
}

TEST_F(NodeIpamTest, FullRangeRecordsCidrNotAvailableAndAFreedSubnetIsReused) {
  start("10.99.0.0/23");
  createNode("a");
  ASSERT_EQ(waitForCidr("a"), "10.99.0.0/24");
  createNode("b");
  ASSERT_EQ(waitForCidr("b"), "10.99.1.0/24");
  createNode("c");
  server.runFor(5s, [&] { return !eventReasons("c").empty(); });
  EXPECT_EQ(eventReasons("c"), std::vector<std::string>{"CIDRNotAvailable"});
  EXPECT_EQ(podCidr("c"), "");
  deleteNode("a");
  EXPECT_EQ(waitForCidr("c"), "10.99.0.0/24");
}

TEST(NodeIpamCreate, InvalidClusterCidrIsRefused) {
  asio::io_context io;
  client::testing::TestApiServer server{io, {"/nodes"}};
  server.start();
  auto client = client::RestClient::create(io.get_executor(), server.kubeconfig());
  ASSERT_TRUE(client.ok());
  client::InformerFactory informers(**client);
  NodeIpamOptions options;
  options.clusterCidr = "10.42.0.0/33";
  auto made = NodeIpamController::create(**client, informers, io.get_executor(), options);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("invalid --cluster-cidr"), std::string::npos);
}

}  // namespace
}  // namespace kcpp::controllers
