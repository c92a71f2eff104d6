// The EndpointSlice mirroring controller against a real in-process API server.
#include "controllers/endpointslice/endpoint_slice_mirroring_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class MirroringControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    controller = std::make_unique<EndpointSliceMirroringController>(*restClient, *informers, io.get_executor());
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }

  void TearDown() override {
    controller->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  static client::ResourcePath path(const std::string& resource, const std::string& name = "") {
    std::string group = resource == "endpointslices" ? "discovery.k8s.io" : "";
    return client::ResourcePath{group, "v1", resource, "default", name, "", ""};
  }

  void create(const std::string& resource, const std::string& text) {
    auto created = server.await(restClient->create(path(resource), json::parse(text).as_object()));
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  std::vector<json::object> slicesOf(const std::string& service) {
    auto list = server.await(restClient->get(path("endpointslices")));
    std::vector<json::object> out;
    if (!list) return out;
    for (auto& item : list->at("items").as_array()) {
      const json::value* labels = api::findPath(item.as_object(), "metadata.labels");
      if (labels && labels->as_object().contains("kubernetes.io/service-name") &&
          labels->at("kubernetes.io/service-name") == json::value(service)) {
        out.push_back(item.as_object());
      }
    }
    return out;
  }

  asio::io_context io;
  client::testing::TestApiServer server{
      io, {"/namespaces", "/services", "/endpoints", "discovery.k8s.io/endpointslices"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<EndpointSliceMirroringController> controller;
  bool ended = false;
};

TEST_F(MirroringControllerTest, MirrorsSelectorlessEndpointsAndDropsSkipped) {
  create("services", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"ext"},
                        "spec":{"clusterIP":"10.43.0.20","ports":[{"port":80}]}})");
  create("endpoints", R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"ext","labels":{"team":"a"}},
      "subsets":[{"addresses":[{"ip":"192.0.2.1"},{"ip":"2001:db8::1"}],"notReadyAddresses":[{"ip":"192.0.2.2"}],
                  "ports":[{"name":"http","port":80,"protocol":"TCP"}]}]})");
  server.runFor(5s, [&] { return slicesOf("ext").size() == 2; });
  auto slices = slicesOf("ext");
  ASSERT_EQ(slices.size(), 2u);  // one per address type
  for (const auto& s : slices) {
    const json::object& labels = s.at("metadata").at("labels").as_object();
    EXPECT_EQ(labels.at("endpointslice.kubernetes.io/managed-by"), "endpointslicemirroring-controller.k8s.io");
    EXPECT_EQ(labels.at("team"), "a");
    EXPECT_EQ(s.at("metadata").at("ownerReferences").at(0).at("name"), "ext");
    EXPECT_EQ(s.at("ports").at(0).at("name"), "http");
    if (s.at("addressType") == "IPv4") {
      ASSERT_EQ(s.at("endpoints").as_array().size(), 2u);
    } else {
      ASSERT_EQ(s.at("endpoints").as_array().size(), 1u);
      EXPECT_EQ(s.at("endpoints").at(0).at("addresses").at(0), "2001:db8::1");
    }
  }
  auto skipped = server.await(restClient->patch(path("endpoints", "ext"), "application/merge-patch+json",
      R"({"metadata":{"labels":{"endpointslice.kubernetes.io/skip-mirror":"true"}}})"));
  ASSERT_TRUE(skipped.ok());
  server.runFor(5s, [&] { return slicesOf("ext").empty(); });
  EXPECT_TRUE(slicesOf("ext").empty());
}

TEST_F(MirroringControllerTest, LeavesServicesWithSelectorsAlone) {
  create("services", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
                        "spec":{"clusterIP":"10.43.0.21","selector":{"app":"web"},"ports":[{"port":80}]}})");
  create("endpoints", R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web"},
      "subsets":[{"addresses":[{"ip":"192.0.2.1"}],"ports":[{"port":80}]}]})");
  server.runFor(1s);
  EXPECT_TRUE(slicesOf("web").empty());
}

}  // namespace
}  // namespace kcpp::controllers
