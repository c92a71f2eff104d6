// HollowNodes against a real in-process API server.
#include "sim/hollow_nodes.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::sim {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class HollowNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
  }

  void start() {
    HollowNodesOptions options;
    options.nodes = 2;
    options.leaseRenewInterval = 200ms;
    options.statusUpdateFrequency = 200ms;
    options.podStartDelay = 100ms;
    options.maxGracePeriod = 100ms;
    options.nodeWorkers = 4;
    options.podWorkers = 4;
    nodes = std::make_unique<HollowNodes>(*restClient, io.get_executor(), options);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await nodes->run();
      ended = true;
    }, asio::detached);
  }

  void TearDown() override {
    if (!nodes) return;
    nodes->stop();
    server.runFor(2s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  std::optional<json::object> get(const client::ResourcePath& path) {
    auto got = server.await(restClient->get(path));
    if (!got) return std::nullopt;
    return std::move(*got);
  }
  static client::ResourcePath node(const std::string& name) { return {"", "v1", "nodes", "", name, "", ""}; }
  static client::ResourcePath lease(const std::string& name) {
    return {"coordination.k8s.io", "v1", "leases", "kube-node-lease", name, "", ""};
  }
  static client::ResourcePath pod(const std::string& name = "") { return {"", "v1", "pods", "default", name, "", ""}; }

  std::string readyOf(const std::string& name) {
    auto n = get(node(name));
    if (!n) return "";
    const json::value* conditions = api::findPath(*n, "status.conditions");
    if (!conditions) return "";
    for (const auto& c : conditions->as_array()) {
      if (c.as_object().at("type") == "Ready") return std::string(c.as_object().at("status").as_string());
    }
    return "";
  }
  std::string renewTime(const std::string& name) {
    auto l = get(lease(name));
    return l ? std::string(api::findPath(*l, "spec.renewTime")->as_string()) : "";
  }
  std::string podField(const std::string& name, std::string_view path) {
    auto p = get(pod(name));
    if (!p) return "<gone>";
    const json::value* v = api::findPath(*p, path);
    return v && v->is_string() ? std::string(v->as_string()) : "";
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "/nodes", "coordination.k8s.io/leases"}};
  client::RestClientPtr restClient;
  std::unique_ptr<HollowNodes> nodes;
  bool ended = false;
};

TEST_F(HollowNodesTest, RegistersReadyNodesAndRenewsTheirLeases) {
  start();
  server.runFor(5s, [this] { return readyOf("sim-0") == "True" && readyOf("sim-1") == "True"; });
  EXPECT_EQ(readyOf("sim-0"), "True");
  EXPECT_EQ(readyOf("sim-1"), "True");
  EXPECT_TRUE(nodes->allRegistered());
  std::string first = renewTime("sim-1");
  ASSERT_FALSE(first.empty());
  server.runFor(2s, [&] { return renewTime("sim-1") != first; });
  EXPECT_NE(renewTime("sim-1"), first);
  EXPECT_GE(nodes->stats().leaseRenewals, 3u);
}

TEST_F(HollowNodesTest, UpdatesANodeThatExistsInsteadOfDuplicatingIt) {
  json::object existing{{"apiVersion", "v1"}, {"kind", "Node"}};
  existing["metadata"] = json::object{{"name", "sim-0"}, {"labels", json::object{{"mine", "yes"}}}};
  auto created = server.await(restClient->create(node(""), existing));
  ASSERT_TRUE(created.ok()) << created.error().message;
  start();
  server.runFor(5s, [this] { return nodes->allRegistered(); });
  auto after = get(node("sim-0"));
  ASSERT_TRUE(after);
  EXPECT_EQ(*api::findPath(*after, "metadata.uid"), *api::findPath(*created, "metadata.uid"));
  EXPECT_EQ(*api::findPath(*after, "metadata.labels.mine"), "yes");
  EXPECT_EQ(api::findPath(*after, "metadata.labels")->as_object().at("kubernetes.io/hostname"), "sim-0");
  EXPECT_EQ(readyOf("sim-0"), "True");
}

TEST_F(HollowNodesTest, RunsBoundPodsAndRemovesDeletedOnes) {
  start();
  server.runFor(5s, [this] { return nodes->allRegistered(); });
  json::object p = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},
      "spec":{"nodeName":"sim-1","containers":[{"name":"c","image":"nginx"}]}})").as_object();
  ASSERT_TRUE(server.await(restClient->create(pod(), p)).ok());
  server.runFor(5s, [this] { return podField("web", "status.phase") == "Running"; });
  EXPECT_EQ(podField("web", "status.phase"), "Running");
  EXPECT_EQ(podField("web", "status.podIP"), "10.128.1.2");
  EXPECT_EQ(podField("web", "status.hostIP"), "10.1.0.2");
  json::object host = p;
  host["metadata"].as_object()["name"] = "host";
  host["spec"].as_object()["hostNetwork"] = true;
  ASSERT_TRUE(server.await(restClient->create(pod(), host)).ok());
  server.runFor(5s, [this] { return podField("host", "status.phase") == "Running"; });
  EXPECT_EQ(podField("host", "status.podIP"), "10.1.0.2");  // hostNetwork: the node's address
  // Not ours: left alone.
  json::object other = p;
  other["metadata"].as_object()["name"] = "elsewhere";
  other["spec"].as_object()["nodeName"] = "real-node";
  ASSERT_TRUE(server.await(restClient->create(pod(), other)).ok());

  json::object options{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  auto deleted = server.await(restClient->remove(pod("web"), options));
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(podField("web", "metadata.deletionTimestamp").empty());  // graceful: the node removes it
  server.runFor(5s, [this] { return podField("web", "status.phase") == "<gone>"; });
  EXPECT_EQ(podField("web", "status.phase"), "<gone>");
  EXPECT_EQ(podField("elsewhere", "status.phase"), "Pending");
  EXPECT_EQ(nodes->stats().podDeletions, 1u);
}

TEST_F(HollowNodesTest, ScriptedPodEndsFailedWithItsExitCode) {
  start();
  server.runFor(5s, [this] { return nodes->allRegistered(); });
  json::object p = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"job",
      "annotations":{"sim.kcpp.io/run-duration":"300ms","sim.kcpp.io/exit-code":"7"}},
      "spec":{"nodeName":"sim-0","restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}})")
                     .as_object();
  ASSERT_TRUE(server.await(restClient->create(pod(), p)).ok());
  server.runFor(5s, [this] { return podField("job", "status.phase") == "Failed"; });
  EXPECT_EQ(podField("job", "status.phase"), "Failed");
  auto got = get(pod("job"));
  ASSERT_TRUE(got);
  const json::value* code =
      api::findPath(api::findPath(*got, "status.containerStatuses")->as_array()[0].as_object(), "state.terminated.exitCode");
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 7);
}

TEST_F(HollowNodesTest, ScriptedContainerOfAnAlwaysPodRestarts) {
  start();
  server.runFor(5s, [this] { return nodes->allRegistered(); });
  json::object p = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"crashy",
      "annotations":{"sim.kcpp.io/run-duration":"300ms","sim.kcpp.io/exit-code":"1"}},
      "spec":{"nodeName":"sim-0","containers":[{"name":"c","image":"busybox"}]}})").as_object();
  ASSERT_TRUE(server.await(restClient->create(pod(), p)).ok());
  auto restarts = [this]() -> std::int64_t {
    auto got = get(pod("crashy"));
    if (!got) return -1;
    const json::value* statuses = api::findPath(*got, "status.containerStatuses");
    if (!statuses) return -1;
    return statuses->as_array()[0].as_object().at("restartCount").as_int64();
  };
  server.runFor(5s, [&] { return restarts() >= 2; });
  EXPECT_GE(restarts(), 2);
  EXPECT_EQ(podField("crashy", "status.phase"), "Running");
  auto got = get(pod("crashy"));
  ASSERT_TRUE(got);
  const json::value* last = api::findPath(api::findPath(*got, "status.containerStatuses")->as_array()[0].as_object(),
                                          "lastState.terminated.exitCode");
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, 1);
}

TEST_F(HollowNodesTest, HeartbeatAnnotationSilencesANode) {
  start();
  server.runFor(5s, [this] { return nodes->allRegistered(); });
  std::string body = R"({"metadata":{"annotations":{"sim.kcpp.io/heartbeat":"stopped"}}})";
  ASSERT_TRUE(server.await(restClient->patch(node("sim-0"), "application/merge-patch+json", body)).ok());
  server.runFor(300ms);
  std::string frozen = renewTime("sim-0");
  std::string other = renewTime("sim-1");
  server.runFor(800ms);
  EXPECT_EQ(renewTime("sim-0"), frozen);
  EXPECT_NE(renewTime("sim-1"), other);
  std::string resume = R"({"metadata":{"annotations":{"sim.kcpp.io/heartbeat":null}}})";
  ASSERT_TRUE(server.await(restClient->patch(node("sim-0"), "application/merge-patch+json", resume)).ok());
  server.runFor(2s, [&] { return renewTime("sim-0") != frozen; });
  EXPECT_NE(renewTime("sim-0"), frozen);
}

}  // namespace
}  // namespace kcpp::sim
