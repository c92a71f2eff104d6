// The Endpoints controller against a real in-process API server.
#include "controllers/endpoint/endpoints_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class EndpointsControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    controller = std::make_unique<EndpointsController>(*restClient, *informers, io.get_executor());
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

  static client::ResourcePath path(const std::string& resource, const std::string& name = "",
                                   const std::string& sub = "") {
    return client::ResourcePath{"", "v1", resource, "default", name, sub, ""};
  }

  void createService(const std::string& name, const std::string& spec) {
    json::object svc = json::parse(R"({"apiVersion":"v1","kind":"Service","spec":)" + spec + "}").as_object();
    svc["metadata"] = json::object{{"name", name}, {"labels", json::object{{"tier", "front"}}}};
    auto created = server.await(restClient->create(path("services"), svc));
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  // Creates a pod, then sets its status as a kubelet would.
  void createPod(const std::string& name, const std::string& ip, bool ready) {
    json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod",
        "spec":{"nodeName":"n1","containers":[{"name":"c","image":"nginx",
                "ports":[{"name":"web","containerPort":8080}]}]}})").as_object();
    pod["metadata"] = json::object{{"name", name}, {"labels", json::object{{"app", "web"}}}};
    auto created = server.await(restClient->create(path("pods"), pod));
    ASSERT_TRUE(created.ok()) << created.error().message;
    setStatus(name, ip, ready);
  }

  void setStatus(const std::string& name, const std::string& ip, bool ready) {
    auto pod = server.await(restClient->get(path("pods", name)));
    ASSERT_TRUE(pod.ok());
    json::object status{{"phase", "Running"}, {"podIP", ip},
                        {"podIPs", json::array{json::object{{"ip", ip}}}}};
    status["conditions"] = json::array{json::object{
        {"type", "Ready"}, {"status", ready ? "True" : "False"}, {"lastTransitionTime", api::nowTime()}}};
    (*pod)["status"] = std::move(status);
    auto updated = server.await(restClient->update(path("pods", name, "status"), *pod));
    ASSERT_TRUE(updated.ok()) << updated.error().message;
  }

  std::optional<json::object> endpoints(const std::string& name) {
    auto got = server.await(restClient->get(path("endpoints", name)));
    if (!got) return std::nullopt;
    return *got;
  }

  static std::vector<std::string> ips(const json::object& ep, const char* field) {
    std::vector<std::string> out;
    const json::value* subsets = ep.if_contains("subsets");
    if (!subsets || !subsets->is_array()) return out;
    for (const auto& s : subsets->get_array()) {
      const json::value* list = s.as_object().if_contains(field);
      if (!list) continue;
      for (const auto& a : list->as_array()) out.emplace_back(a.as_object().at("ip").as_string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  using Ips = std::vector<std::string>;

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "/services", "/endpoints", "/events"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<EndpointsController> controller;
  bool ended = false;
};

constexpr const char* kWebSpec =
    R"({"clusterIP":"10.43.0.10","selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":"web"}]})";

TEST_F(EndpointsControllerTest, ListsReadyAndNotReadyPodsAndFollowsReadiness) {
  createPod("a", "10.0.0.1", true);
  createPod("b", "10.0.0.2", false);
  createService("web", kWebSpec);
  server.runFor(5s, [&] {
    auto ep = endpoints("web");
    return ep && ips(*ep, "addresses") == Ips{"10.0.0.1"} && ips(*ep, "notReadyAddresses") == Ips{"10.0.0.2"};
  });
  auto ep = endpoints("web");
  ASSERT_TRUE(ep.has_value());
  EXPECT_EQ(ips(*ep, "addresses"), Ips{"10.0.0.1"});
  EXPECT_EQ(ips(*ep, "notReadyAddresses"), Ips{"10.0.0.2"});
  const json::object& meta = ep->at("metadata").as_object();
  EXPECT_EQ(meta.at("labels").at("tier"), "front");
  EXPECT_EQ(meta.at("labels").at("endpoints.kubernetes.io/managed-by"), "endpoint-controller");
  EXPECT_FALSE(meta.at("labels").as_object().contains("service.kubernetes.io/headless"));
  EXPECT_TRUE(meta.at("annotations").as_object().contains("endpoints.kubernetes.io/last-change-trigger-time"));
  const json::object& port = ep->at("subsets").at(0).at("ports").at(0).as_object();
  EXPECT_EQ(port.at("port"), 8080);  // the named targetPort, resolved
  EXPECT_EQ(port.at("name"), "http");

  setStatus("b", "10.0.0.2", true);
  server.runFor(5s, [&] {
    auto e = endpoints("web");
    return e && ips(*e, "addresses") == Ips{"10.0.0.1", "10.0.0.2"};
  });
  EXPECT_EQ(ips(*endpoints("web"), "addresses"), (Ips{"10.0.0.1", "10.0.0.2"}));

  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(path("pods", "a"), noOptions)).ok());
  server.runFor(5s, [&] { return ips(*endpoints("web"), "addresses") == Ips{"10.0.0.2"}; });
  EXPECT_EQ(ips(*endpoints("web"), "addresses"), Ips{"10.0.0.2"});
}

TEST_F(EndpointsControllerTest, WritesNothingWhenNothingChanged) {
  createPod("a", "10.0.0.1", true);
  createService("web", kWebSpec);
  server.runFor(5s, [&] {
    auto ep = endpoints("web");
    return ep && ips(*ep, "addresses") == Ips{"10.0.0.1"};
  });
  server.runFor(300ms);
  auto before = endpoints("web");
  ASSERT_TRUE(before.has_value());
  // A change endpoints do not show (an annotation), and a resync of the Service.
  ASSERT_TRUE(server.await(restClient->patch(path("pods", "a"), "application/merge-patch+json",
                                             R"({"metadata":{"annotations":{"x":"y"}}})")).ok());
  ASSERT_TRUE(server.await(restClient->patch(path("services", "web"), "application/merge-patch+json",
                                             R"({"metadata":{"annotations":{"x":"y"}}})")).ok());
  server.runFor(500ms);
  EXPECT_EQ(api::metaResourceVersion(*endpoints("web")), api::metaResourceVersion(*before));
}

TEST_F(EndpointsControllerTest, HeadlessLabelAndPublishNotReadyAddresses) {
  createPod("a", "10.0.0.1", false);
  createService("db", R"({"clusterIP":"None","publishNotReadyAddresses":true,"selector":{"app":"web"},
                         "ports":[{"port":5432,"targetPort":5432}]})");
  server.runFor(5s, [&] {
    auto ep = endpoints("db");
    return ep && ips(*ep, "addresses") == Ips{"10.0.0.1"};
  });
  auto ep = endpoints("db");
  ASSERT_TRUE(ep.has_value());
  EXPECT_EQ(ips(*ep, "addresses"), Ips{"10.0.0.1"});
  EXPECT_TRUE(ips(*ep, "notReadyAddresses").empty());
  EXPECT_EQ(ep->at("metadata").at("labels").at("service.kubernetes.io/headless"), "");
}

TEST_F(EndpointsControllerTest, LeavesSelectorlessEndpointsAloneAndDeletesWithTheService) {
  createPod("a", "10.0.0.1", true);
  createService("manual", R"({"clusterIP":"10.43.0.11","ports":[{"port":80}]})");
  json::object manual = json::parse(R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"manual"},
      "subsets":[{"addresses":[{"ip":"192.0.2.1"}],"ports":[{"port":80}]}]})").as_object();
  ASSERT_TRUE(server.await(restClient->create(path("endpoints"), manual)).ok());
  createService("web", kWebSpec);
  server.runFor(5s, [&] { return endpoints("web").has_value(); });
  ASSERT_TRUE(endpoints("web").has_value());
  auto untouched = endpoints("manual");
  ASSERT_TRUE(untouched.has_value());
  EXPECT_EQ(ips(*untouched, "addresses"), Ips{"192.0.2.1"});
  EXPECT_FALSE(untouched->at("metadata").as_object().contains("labels"));

  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(path("services", "web"), noOptions)).ok());
  server.runFor(5s, [&] { return !endpoints("web").has_value(); });
  EXPECT_FALSE(endpoints("web").has_value());
  EXPECT_TRUE(endpoints("manual").has_value());
}

TEST_F(EndpointsControllerTest, RecreatesDeletedEndpoints) {
  createPod("a", "10.0.0.1", true);
  createService("web", kWebSpec);
  server.runFor(5s, [&] { return endpoints("web").has_value(); });
  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(path("endpoints", "web"), noOptions)).ok());
  server.runFor(100ms);
  server.runFor(5s, [&] { return endpoints("web").has_value(); });
  auto ep = endpoints("web");
  ASSERT_TRUE(ep.has_value());
  EXPECT_EQ(ips(*ep, "addresses"), Ips{"10.0.0.1"});
}

}  // namespace
}  // namespace kcpp::controllers
