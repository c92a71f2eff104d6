// The EndpointSlice controller against a real in-process API server.
#include "controllers/endpointslice/endpoint_slice_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include <iostream>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class EndpointSliceControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    createNode("n1", "zone-a");
    informers = std::make_unique<client::InformerFactory>(*restClient);
    controller = std::make_unique<EndpointSliceController>(*restClient, *informers, io.get_executor());
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
    std::string group = resource == "endpointslices" ? "discovery.k8s.io" : "";
    std::string ns = resource == "nodes" ? "" : "default";
    return client::ResourcePath{group, "v1", resource, ns, name, sub, ""};
  }

  void createNode(const std::string& name, const std::string& zone) {
    json::object node{{"apiVersion", "v1"}, {"kind", "Node"}};
    node["metadata"] = json::object{{"name", name},
                                    {"labels", json::object{{"topology.kubernetes.io/zone", zone}}}};
    auto created = server.await(restClient->create(path("nodes"), node));
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  void createService(const std::string& name, const std::string& spec) {
    json::object svc = json::parse(R"({"apiVersion":"v1","kind":"Service","spec":)" + spec + "}").as_object();
    svc["metadata"] = json::object{{"name", name}};
    auto created = server.await(restClient->create(path("services"), svc));
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  // Creates a pod on n1, then sets its status as a kubelet would.
  void createPod(const std::string& name, const std::string& ip, bool ready, int port = 8080) {
    json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod",
        "spec":{"nodeName":"n1","containers":[{"name":"c","image":"nginx"}]}})").as_object();
    pod["spec"].as_object()["containers"].as_array()[0].as_object()["ports"] =
        json::array{json::object{{"name", "web"}, {"containerPort", port}}};
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

  std::vector<json::object> slices() {
    auto list = server.await(restClient->get(path("endpointslices")));
    std::vector<json::object> out;
    if (!list) return out;
    for (auto& item : list->at("items").as_array()) out.push_back(item.as_object());
    return out;
  }

  std::size_t endpointCount() {
    std::size_t n = 0;
    for (const auto& s : slices()) {
      const json::value* eps = s.if_contains("endpoints");
      if (eps && eps->is_array()) n += eps->get_array().size();
    }
    return n;
  }

  // The conditions of the endpoint for `pod`, if listed.
  std::optional<json::object> conditionsOf(const std::string& pod) {
    for (const auto& s : slices()) {
      const json::value* eps = s.if_contains("endpoints");
      if (!eps || !eps->is_array()) continue;
      for (const auto& e : eps->get_array()) {
        if (e.at("targetRef").at("name") == json::value(pod)) return e.at("conditions").as_object();
      }
    }
    return std::nullopt;
  }

  asio::io_context io;
  client::testing::TestApiServer server{
      io, {"/namespaces", "/pods", "/services", "/nodes", "/events", "discovery.k8s.io/endpointslices"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<EndpointSliceController> controller;
  bool ended = false;
};

constexpr const char* kWebSpec = R"({"clusterIP":"10.43.0.10","ipFamilies":["IPv4"],"selector":{"app":"web"},
    "ports":[{"name":"http","port":80,"targetPort":"web","protocol":"TCP"}]})";

TEST_F(EndpointSliceControllerTest, SliceListsPodsWithConditionsZoneAndOwner) {
  createPod("a", "10.0.0.1", true);
  createPod("b", "10.0.0.2", false);
  createService("web", kWebSpec);
  server.runFor(5s, [&] { return endpointCount() == 2; });
  auto all = slices();
  ASSERT_EQ(all.size(), 1u);
  const json::object& slice = all[0];
  EXPECT_EQ(slice.at("addressType"), "IPv4");
  const json::object& meta = slice.at("metadata").as_object();
  EXPECT_TRUE(std::string(meta.at("name").as_string()).starts_with("web-"));
  EXPECT_EQ(meta.at("labels").at("kubernetes.io/service-name"), "web");
  EXPECT_EQ(meta.at("labels").at("endpointslice.kubernetes.io/managed-by"), "endpointslice-controller.k8s.io");
  EXPECT_EQ(meta.at("ownerReferences").at(0).at("kind"), "Service");
  EXPECT_EQ(meta.at("ownerReferences").at(0).at("name"), "web");
  EXPECT_EQ(slice.at("ports").at(0).at("port"), 8080);
  EXPECT_EQ(slice.at("ports").at(0).at("name"), "http");
  for (const auto& e : slice.at("endpoints").as_array()) {
    EXPECT_EQ(e.at("zone"), "zone-a");
    EXPECT_EQ(e.at("nodeName"), "n1");
  }
  EXPECT_EQ(*conditionsOf("a"), (json::object{{"ready", true}, {"serving", true}, {"terminating", false}}));
  EXPECT_EQ(*conditionsOf("b"), (json::object{{"ready", false}, {"serving", false}, {"terminating", false}}));

  setStatus("b", "10.0.0.2", true);
  server.runFor(5s, [&] { return conditionsOf("b") && conditionsOf("b")->at("ready") == true; });
  EXPECT_EQ(conditionsOf("b")->at("ready"), true);
  EXPECT_EQ(slices().size(), 1u);

  // A graceful delete: the pod is terminating, still listed, no longer ready.
  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(path("pods", "a"), noOptions)).ok());
  const json::object terminating{{"ready", false}, {"serving", true}, {"terminating", true}};
  server.runFor(5s, [&] { return conditionsOf("a") == terminating; });
  EXPECT_EQ(conditionsOf("a"), terminating);
  const json::object now{{"gracePeriodSeconds", 0}};
  ASSERT_TRUE(server.await(restClient->remove(path("pods", "a"), now)).ok());
  server.runFor(5s, [&] { return endpointCount() == 1; });
  EXPECT_FALSE(conditionsOf("a").has_value());
}

TEST_F(EndpointSliceControllerTest, ManyPodsSpreadOverSlicesOfAtMostAHundred) {
  createService("web", kWebSpec);
  for (int i = 0; i < 150; ++i) createPod("p" + std::to_string(i), "10.0.1." + std::to_string(i), true);
  server.runFor(10s, [&] { return endpointCount() == 150; });
  auto all = slices();
  ASSERT_EQ(all.size(), 2u);
  for (const auto& s : all) EXPECT_LE(s.at("endpoints").as_array().size(), 100u);
  // Settled: a further sync writes nothing.
  server.runFor(1500ms);
  std::set<std::string> versions;
  for (const auto& s : slices()) versions.emplace(api::metaResourceVersion(s));
  ASSERT_TRUE(server.await(restClient->patch(path("services", "web"), "application/merge-patch+json",
                                             R"({"metadata":{"annotations":{"x":"y"}}})")).ok());
  server.runFor(500ms);
  std::set<std::string> after;
  for (const auto& s : slices()) after.emplace(api::metaResourceVersion(s));
  EXPECT_EQ(versions, after);
}

TEST_F(EndpointSliceControllerTest, DistinctNamedPortNumbersGetDistinctSlicesAndEmptyServicesAPlaceholder) {
  createService("empty", R"({"clusterIP":"10.43.0.11","ipFamilies":["IPv4"],"selector":{"app":"none"},
                            "ports":[{"port":80}]})");
  createPod("a", "10.0.0.1", true, 8080);
  createPod("b", "10.0.0.2", true, 9090);
  createService("web", kWebSpec);
  server.runFor(5s, [&] { return slices().size() == 3; });
  auto all = slices();
  ASSERT_EQ(all.size(), 3u);
  std::set<std::int64_t> webPorts;
  for (const auto& s : all) {
    const std::string service(s.at("metadata").at("labels").at("kubernetes.io/service-name").as_string());
    if (service == "empty") {
      EXPECT_TRUE(s.at("endpoints").as_array().empty());
      continue;
    }
    ASSERT_EQ(s.at("endpoints").as_array().size(), 1u);
    webPorts.insert(s.at("ports").at(0).at("port").as_int64());
  }
  EXPECT_EQ(webPorts, (std::set<std::int64_t>{8080, 9090}));
}

TEST_F(EndpointSliceControllerTest, PodsOnUnknownNodesWaitAndSelectorlessServicesAreLeftAlone) {
  createService("manual", R"({"clusterIP":"10.43.0.12","ipFamilies":["IPv4"],"ports":[{"port":80}]})");
  json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","labels":{"app":"web"}},
      "spec":{"nodeName":"n2","containers":[{"name":"c","image":"nginx","ports":[{"name":"web","containerPort":8080}]}]}})")
                         .as_object();
  ASSERT_TRUE(server.await(restClient->create(path("pods"), pod)).ok());
  setStatus("x", "10.0.0.9", true);
  createService("web", kWebSpec);
  server.runFor(3s, [&] { return slices().size() == 1; });
  ASSERT_EQ(slices().size(), 1u);  // the placeholder of web; none for "manual"
  EXPECT_EQ(endpointCount(), 0u);
  createNode("n2", "zone-b");
  server.runFor(5s, [&] { return endpointCount() == 1; });
  EXPECT_EQ(endpointCount(), 1u);
}

}  // namespace
}  // namespace kcpp::controllers
