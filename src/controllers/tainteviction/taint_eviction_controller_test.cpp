// The taint eviction controller against a real in-process API server.
#include "controllers/tainteviction/taint_eviction_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class TaintEvictionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    controller = std::make_unique<TaintEvictionController>(*restClient, *informers, io.get_executor());
  }

  void start() {
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }

  void TearDown() override {
    controller->stop();
    informers->stop();
    server.runFor(2s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  static client::ResourcePath node(const std::string& name) { return {"", "v1", "nodes", "", name, "", ""}; }
  static client::ResourcePath pod(const std::string& name = "") { return {"", "v1", "pods", "default", name, "", ""}; }

  void createNode(const std::string& name, const std::string& taintsJson) {
    json::object n = json::parse(R"({"apiVersion":"v1","kind":"Node","spec":{"taints":)" + taintsJson + "}}").as_object();
    n["metadata"] = json::object{{"name", name}};
    ASSERT_TRUE(server.await(restClient->create(node(""), n)).ok());
  }

  void createPod(const std::string& name, const std::string& tolerationsJson) {
    json::object p = json::parse(R"({"apiVersion":"v1","kind":"Pod","spec":{"nodeName":"n1",
        "containers":[{"name":"c","image":"nginx"}],"tolerations":)" + tolerationsJson + "}}").as_object();
    p["metadata"] = json::object{{"name", name}};
    ASSERT_TRUE(server.await(restClient->create(pod(), p)).ok());
  }

  // Deleted (gracefully, as the pod is bound: deletionTimestamp set) or gone.
  bool deleted(const std::string& name) {
    auto got = server.await(restClient->get(pod(name)));
    return !got || api::findPath(*got, "metadata.deletionTimestamp") != nullptr;
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "/nodes"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<TaintEvictionController> controller;
  bool ended = false;
};

TEST_F(TaintEvictionTest, EvictsByTolerations) {
  createNode("n1", R"([{"key":"node.kubernetes.io/unreachable","effect":"NoExecute"}])");
  createPod("intolerant", "[]");
  createPod("brief", R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute",
                          "tolerationSeconds":1}])");
  createPod("forever", R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute"}])");
  createPod("nosched", R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoSchedule"}])");
  auto started = std::chrono::steady_clock::now();
  start();
  server.runFor(2s, [this] { return deleted("intolerant") && deleted("nosched"); });
  EXPECT_TRUE(deleted("intolerant"));
  EXPECT_TRUE(deleted("nosched"));  // a NoSchedule toleration does not tolerate NoExecute
  EXPECT_FALSE(deleted("brief"));
  EXPECT_TRUE(controller->evictionScheduled("default/brief"));
  server.runFor(3s, [this] { return deleted("brief"); });
  EXPECT_TRUE(deleted("brief"));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1s);
  auto brief = server.await(restClient->get(pod("brief")));
  ASSERT_TRUE(brief.ok());
  const json::value* conditions = api::findPath(*brief, "status.conditions");
  ASSERT_TRUE(conditions);
  bool disruption = false;
  for (const auto& c : conditions->as_array()) {
    disruption = disruption || (c.as_object().at("type") == "DisruptionTarget" &&
                                c.as_object().at("reason") == "DeletionByTaintManager");
  }
  EXPECT_TRUE(disruption);
  server.runFor(500ms);
  EXPECT_FALSE(deleted("forever"));
  EXPECT_FALSE(controller->evictionScheduled("default/forever"));
}

TEST_F(TaintEvictionTest, RemovingTheTaintCancelsTheEviction) {
  createNode("n1", R"([{"key":"k","value":"v","effect":"NoExecute"}])");
  createPod("waits", R"([{"key":"k","operator":"Equal","value":"v","effect":"NoExecute","tolerationSeconds":2}])");
  start();
  server.runFor(2s, [this] { return controller->evictionScheduled("default/waits"); });
  ASSERT_TRUE(controller->evictionScheduled("default/waits"));
  std::string untaint = R"({"spec":{"taints":null}})";
  ASSERT_TRUE(server.await(restClient->patch(node("n1"), "application/merge-patch+json", untaint)).ok());
  server.runFor(1s, [this] { return !controller->evictionScheduled("default/waits"); });
  EXPECT_FALSE(controller->evictionScheduled("default/waits"));
  server.runFor(2500ms);
  EXPECT_FALSE(deleted("waits"));
}

}  // namespace
}  // namespace kcpp::controllers
