// The node lifecycle controller against a real in-process API server, with short timings.
#include "controllers/nodelifecycle/node_lifecycle_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "controllers/common/taints.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::vector<std::string> taintStrings(const std::vector<json::object>& taints) {
  std::vector<std::string> out;
  for (const auto& t : taints) out.push_back(std::string(t.at("key").as_string()) + ":" + std::string(t.at("effect").as_string()));
  return out;
}

TEST(ZoneState, AsUpstreamComputesIt) {
  EXPECT_EQ(computeZoneState({"True", "True"}, 0.55).second, ZoneState::Normal);
  EXPECT_EQ(computeZoneState({"Unknown", "False", ""}, 0.55).second, ZoneState::FullDisruption);
  EXPECT_EQ(computeZoneState({"Unknown", "Unknown", "True"}, 0.55).second, ZoneState::Normal);  // needs > 2
  auto partial = computeZoneState({"Unknown", "Unknown", "Unknown", "True"}, 0.55);
  EXPECT_EQ(partial.second, ZoneState::PartialDisruption);
  EXPECT_EQ(partial.first, 3);
  EXPECT_EQ(computeZoneState({"Unknown", "Unknown", "Unknown", "True", "True", "True"}, 0.55).second,
            ZoneState::Normal);
}

TEST(ZoneKey, RegionAndZoneLabels) {
  EXPECT_EQ(zoneKey(json::parse(R"({"metadata":{}})").as_object()), "");
  std::string key = zoneKey(json::parse(
      R"({"metadata":{"labels":{"topology.kubernetes.io/region":"r","topology.kubernetes.io/zone":"z"}}})").as_object());
  EXPECT_EQ(key, std::string("r:") + '\0' + ":z");
}

TEST(ConditionTaints, MirrorConditionsAndUnschedulable) {
  json::object node = json::parse(R"({"spec":{"unschedulable":true},"status":{"conditions":[
      {"type":"Ready","status":"Unknown"},{"type":"MemoryPressure","status":"True"},
      {"type":"DiskPressure","status":"False"},{"type":"PIDPressure","status":"True"}]}})").as_object();
  EXPECT_EQ(taintStrings(conditionTaints(node)),
            (std::vector<std::string>{"node.kubernetes.io/unreachable:NoSchedule",
                                      "node.kubernetes.io/memory-pressure:NoSchedule",
                                      "node.kubernetes.io/pid-pressure:NoSchedule",
                                      "node.kubernetes.io/unschedulable:NoSchedule"}));
  json::object notReady = json::parse(R"({"status":{"conditions":[{"type":"Ready","status":"False"}]}})").as_object();
  EXPECT_EQ(taintStrings(conditionTaints(notReady)), std::vector<std::string>{"node.kubernetes.io/not-ready:NoSchedule"});
}

class NodeLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
  }

  void start() {
    informers = std::make_unique<client::InformerFactory>(*restClient);
    NodeLifecycleOptions options;
    options.nodeMonitorPeriod = 100ms;
    options.nodeMonitorGracePeriod = 700ms;
    options.nodeStartupGracePeriod = 700ms;
    options.evictionRate = 100;
    controller = std::make_unique<NodeLifecycleController>(*restClient, *informers, io.get_executor(), options);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }

  void TearDown() override {
    stopHeartbeats = true;
    if (!controller) return;
    controller->stop();
    informers->stop();
    server.runFor(2s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(300ms);
  }

  static client::ResourcePath node(const std::string& name, const std::string& sub = "") {
    return {"", "v1", "nodes", "", name, sub, ""};
  }

  void createReadyNode(const std::string& name) {
    json::object n{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", json::object{{"name", name}}}};
    ASSERT_TRUE(server.await(restClient->create(node(""), n)).ok());
    heartbeat(name);
  }

  // What a kubelet posts: Ready True with a fresh heartbeat.
  void heartbeat(const std::string& name) {
    std::string now = api::nowTime();
    json::object patch{{"status", json::object{{"conditions", json::array{json::object{
                                      {"type", "Ready"}, {"status", "True"}, {"reason", "KubeletReady"},
                                      {"lastHeartbeatTime", now}, {"lastTransitionTime", now}}}}}}};
    auto posted = server.await(restClient->patch(node(name, "status"), "application/merge-patch+json",
                                                 json::serialize(patch)));
    ASSERT_TRUE(posted.ok()) << posted.error().message;
  }

  // Renews `name`'s lease every 100 ms until the test ends.
  void keepAlive(const std::string& name) {
    asio::co_spawn(io, [this, name]() -> asio::awaitable<void> {
      client::ResourcePath leases{"coordination.k8s.io", "v1", "leases", "kube-node-lease", "", "", ""};
      json::object lease{{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}};
      lease["metadata"] = json::object{{"name", name}, {"namespace", "kube-node-lease"}};
      lease["spec"] = json::object{{"holderIdentity", name}, {"renewTime", api::nowTime()}};
      auto created = co_await restClient->create(leases, lease);
      (void)created;
      asio::steady_timer timer(io);
      for (int i = 0; !stopHeartbeats; ++i) {
        timer.expires_after(100ms);
        co_await timer.async_wait(asio::use_awaitable);
        std::string body = "{\"spec\":{\"renewTime\":\"2026-01-01T00:00:" + std::to_string(10 + i % 50) + "." +
                           std::to_string(100000 + i) + "Z\"}}";
        client::ResourcePath one = leases;
        one.name = name;
        const std::string contentType = "application/merge-patch+json";
        auto renewed = co_await restClient->patch(one, contentType, body);
        (void)renewed;
      }
    }, asio::detached);
  }

  json::object get(const client::ResourcePath& path) {
    auto got = server.await(restClient->get(path));
    return got ? std::move(*got) : json::object{};
  }
  std::string readyOf(const std::string& name) {
    json::object n = get(node(name));
    const json::object* ready = nodeCondition(n, "Ready");
    return ready ? std::string(ready->at("status").as_string()) : "";
  }
  bool hasNodeTaint(const std::string& name, const char* key, const char* effect) {
    return hasTaint(nodeTaints(get(node(name))), makeTaint(key, effect));
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "/nodes", "coordination.k8s.io/leases"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<NodeLifecycleController> controller;
  bool ended = false;
  bool stopHeartbeats = false;
};

TEST_F(NodeLifecycleTest, SilentNodeBecomesUnknownTaintedAndItsPodsNotReady) {
  createReadyNode("dead");
  createReadyNode("alive");
  keepAlive("alive");
  json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"nodeName":"dead","containers":[{"name":"c","image":"nginx"}]}})").as_object();
  client::ResourcePath pods{"", "v1", "pods", "default", "", "", ""};
  ASSERT_TRUE(server.await(restClient->create(pods, pod)).ok());
  std::string now = api::nowTime();
  std::string readyPod = R"({"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":")" +
                         now + R"("}]}})";
  client::ResourcePath podStatus{"", "v1", "pods", "default", "p", "status", ""};
  ASSERT_TRUE(server.await(restClient->patch(podStatus, "application/merge-patch+json", readyPod)).ok());
  start();

  server.runFor(5s, [this] { return readyOf("dead") == "Unknown"; });
  ASSERT_EQ(readyOf("dead"), "Unknown");
  json::object dead = get(node("dead"));
  const json::object* ready = nodeCondition(dead, "Ready");
  EXPECT_EQ(ready->at("reason"), "NodeStatusUnknown");
  EXPECT_EQ(ready->at("message"), "Kubelet stopped posting node status.");
  const json::object* memory = nodeCondition(dead, "MemoryPressure");
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->at("reason"), "NodeStatusNeverUpdated");
  server.runFor(3s, [this] {
    return hasNodeTaint("dead", kTaintNodeUnreachable, "NoExecute") &&
           hasNodeTaint("dead", kTaintNodeUnreachable, "NoSchedule");
  });
  EXPECT_TRUE(hasNodeTaint("dead", kTaintNodeUnreachable, "NoExecute"));
  EXPECT_TRUE(hasNodeTaint("dead", kTaintNodeUnreachable, "NoSchedule"));
  EXPECT_EQ(readyOf("alive"), "True");
  EXPECT_FALSE(hasNodeTaint("alive", kTaintNodeUnreachable, "NoExecute"));
  auto podReady = [&]() -> std::string {
    json::object p = get(podStatus);
    const json::value* conditions = api::findPath(p, "status.conditions");
    return conditions ? std::string(conditions->as_array()[0].as_object().at("status").as_string()) : "";
  };
  server.runFor(2s, [&] { return podReady() == "False"; });
  EXPECT_EQ(podReady(), "False");

  // The kubelet comes back: Ready, and the taints go.
  heartbeat("dead");
  server.runFor(3s, [this] {
    return !hasNodeTaint("dead", kTaintNodeUnreachable, "NoExecute") &&
           !hasNodeTaint("dead", kTaintNodeUnreachable, "NoSchedule");
  });
  EXPECT_EQ(readyOf("dead"), "True");
  EXPECT_FALSE(hasNodeTaint("dead", kTaintNodeUnreachable, "NoExecute"));
  EXPECT_FALSE(hasNodeTaint("dead", kTaintNodeUnreachable, "NoSchedule"));
}

TEST_F(NodeLifecycleTest, NoExecuteTaintsStopWhenEveryNodeIsDown) {
  createReadyNode("only");
  start();
  server.runFor(5s, [this] { return readyOf("only") == "Unknown"; });
  ASSERT_EQ(readyOf("only"), "Unknown");
  server.runFor(1500ms);
  EXPECT_EQ(controller->zoneState(""), ZoneState::FullDisruption);
  EXPECT_FALSE(hasNodeTaint("only", kTaintNodeUnreachable, "NoExecute"));  // master disruption mode
  EXPECT_TRUE(hasNodeTaint("only", kTaintNodeUnreachable, "NoSchedule"));
}

TEST_F(NodeLifecycleTest, CordonedNodeGetsTheUnschedulableTaint) {
  createReadyNode("n");
  keepAlive("n");
  start();
  std::string cordon = R"({"spec":{"unschedulable":true}})";
  ASSERT_TRUE(server.await(restClient->patch(node("n"), "application/merge-patch+json", cordon)).ok());
  server.runFor(3s, [this] { return hasNodeTaint("n", kTaintNodeUnschedulable, "NoSchedule"); });
  EXPECT_TRUE(hasNodeTaint("n", kTaintNodeUnschedulable, "NoSchedule"));
  std::string uncordon = R"({"spec":{"unschedulable":null}})";
  ASSERT_TRUE(server.await(restClient->patch(node("n"), "application/merge-patch+json", uncordon)).ok());
  server.runFor(3s, [this] { return !hasNodeTaint("n", kTaintNodeUnschedulable, "NoSchedule"); });
  EXPECT_FALSE(hasNodeTaint("n", kTaintNodeUnschedulable, "NoSchedule"));
}

}  // namespace
}  // namespace kcpp::controllers
