// The pod garbage collector against a real in-process API server.
#include "controllers/podgc/pod_gc_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(DeleteOrder, EvictedFirstThenOldestThenName) {
  auto pod = [](const char* name, const char* created, const char* reason = "") {
    json::object p = json::parse(R"({"metadata":{},"status":{"phase":"Failed"}})").as_object();
    p["metadata"].as_object()["name"] = name;
    p["metadata"].as_object()["creationTimestamp"] = created;
    if (*reason) p["status"].as_object()["reason"] = reason;
    return p;
  };
  EXPECT_TRUE(deleteBefore(pod("new", "2026-01-02T00:00:00Z", "Evicted"), pod("old", "2026-01-01T00:00:00Z")));
  EXPECT_TRUE(deleteBefore(pod("old", "2026-01-01T00:00:00Z"), pod("new", "2026-01-02T00:00:00Z")));
  EXPECT_TRUE(deleteBefore(pod("a", "2026-01-01T00:00:00Z"), pod("b", "2026-01-01T00:00:00Z")));
  EXPECT_FALSE(deleteBefore(pod("b", "2026-01-01T00:00:00Z"), pod("a", "2026-01-01T00:00:00Z")));
}

class PodGcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
  }

  void start(int threshold) {
    PodGcOptions options;
    options.terminatedPodThreshold = threshold;
    options.gcCheckPeriod = 100ms;
    options.quarantineTime = 300ms;
    controller = std::make_unique<PodGcController>(*restClient, *informers, io.get_executor(), options);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }

  void TearDown() override {
    if (!controller) return;
    controller->stop();
    informers->stop();
    server.runFor(2s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  static client::ResourcePath pod(const std::string& name = "", const std::string& sub = "") {
    return {"", "v1", "pods", "default", name, sub, ""};
  }

  void createNode(const std::string& name, const std::string& spec = "{}") {
    json::object n = json::parse(R"({"apiVersion":"v1","kind":"Node","spec":)" + spec + "}").as_object();
    n["metadata"] = json::object{{"name", name}};
    client::ResourcePath nodes{"", "v1", "nodes", "", "", "", ""};
    ASSERT_TRUE(server.await(restClient->create(nodes, n)).ok());
  }

  void createPod(const std::string& name, const std::string& nodeName, const std::string& phase = "",
                 const std::string& finalizers = "[]") {
    json::object p = json::parse(R"({"apiVersion":"v1","kind":"Pod",
        "spec":{"containers":[{"name":"c","image":"nginx"}]}})").as_object();
    p["metadata"] = json::object{{"name", name}, {"finalizers", json::parse(finalizers)}};
    if (!nodeName.empty()) p["spec"].as_object()["nodeName"] = nodeName;
    ASSERT_TRUE(server.await(restClient->create(pod(), p)).ok());
    if (phase.empty()) return;
    std::string body = R"({"status":{"phase":")" + phase + R"("}})";
    ASSERT_TRUE(server.await(restClient->patch(pod(name, "status"), "application/merge-patch+json", body)).ok());
  }

  std::string phaseOf(const std::string& name) {
    auto got = server.await(restClient->get(pod(name)));
    if (!got) return "<gone>";
    const json::value* phase = api::findPath(*got, "status.phase");
    return phase ? std::string(phase->as_string()) : "";
  }

  void remove(const std::string& name) {
    json::object options{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
    ASSERT_TRUE(server.await(restClient->remove(pod(name), options)).ok());
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "/nodes"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<PodGcController> controller;
  bool ended = false;
};

TEST_F(PodGcTest, DeletesPodsOfNodesThatAreGoneAfterQuarantine) {
  createNode("n1");
  createPod("kept", "n1");
  createPod("orphan", "ghost");
  auto started = std::chrono::steady_clock::now();
  start(0);
  server.runFor(3s, [this] { return phaseOf("orphan") == "<gone>"; });
  EXPECT_EQ(phaseOf("orphan"), "<gone>");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  EXPECT_EQ(phaseOf("kept"), "Pending");
}

TEST_F(PodGcTest, KeepsAtMostTheThresholdOfTerminatedPods) {
  createNode("n1");
  for (const char* name : {"t0", "t1", "t2", "t3"}) createPod(name, "n1", "Succeeded");
  createPod("running", "n1", "Running");
  start(2);
  server.runFor(3s, [this] { return phaseOf("t0") == "<gone>" && phaseOf("t1") == "<gone>"; });
  EXPECT_EQ(phaseOf("t0"), "<gone>");
  EXPECT_EQ(phaseOf("t1"), "<gone>");
  EXPECT_EQ(phaseOf("t2"), "Succeeded");
  EXPECT_EQ(phaseOf("t3"), "Succeeded");
  EXPECT_EQ(phaseOf("running"), "Running");
}

TEST_F(PodGcTest, ForceDeletesTerminatingPodsOnOutOfServiceNodesAndUnscheduledOnes) {
  createNode("broken", R"({"taints":[{"key":"node.kubernetes.io/out-of-service","effect":"NoExecute"}]})");
  createNode("fine");
  createPod("stuck", "broken", "Running");
  createPod("waiting", "fine", "Running");
  createPod("unscheduled", "", "", R"(["example.com/hold"])");
  remove("stuck");
  remove("waiting");
  remove("unscheduled");
  start(0);
  server.runFor(3s, [this] { return phaseOf("stuck") == "<gone>" && phaseOf("unscheduled") == "Failed"; });
  EXPECT_EQ(phaseOf("stuck"), "<gone>");
  EXPECT_EQ(phaseOf("waiting"), "Running");  // its node is fine: the kubelet will finish it
  EXPECT_EQ(phaseOf("unscheduled"), "Failed");  // marked Failed; the finalizer still holds it
}

}  // namespace
}  // namespace kcpp::controllers
