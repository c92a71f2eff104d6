// The scheduler against a real in-process API server: binding, spreading,
// node selection rules, unschedulable pods' condition and event, and other
// schedulers' pods left alone.
#include "scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "scheduler/plugins/registry.h"

namespace kcpp::scheduler {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    client::ClientOptions options;
    options.qps = 1000;
    options.burst = 1000;
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig(), options);
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
  }

  void start(std::vector<Profile> profiles = {plugins::defaultProfile()}) {
    SchedulerOptions options;
    options.profiles = std::move(profiles);
    options.queue.flushPeriod = 100ms;
    auto made = Scheduler::create(*restClient, *informers, io.get_executor(), options, plugins::inTreeRegistry());
    ASSERT_TRUE(made.ok()) << made.error().message;
    scheduler = std::move(*made);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await scheduler->run();
      ended = true;
    }, asio::detached);
  }

  void TearDown() override {
    if (scheduler) scheduler->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended || !scheduler; });
    server.runFor(100ms);
  }

  void createNode(const std::string& name, const std::string& cpu, const std::string& extra = "{}") {
    json::object node = json::parse(extra).as_object();
    node["apiVersion"] = "v1";
    node["kind"] = "Node";
    json::object& meta = node["metadata"].is_object() ? node["metadata"].as_object() : node["metadata"].emplace_object();
    meta["name"] = name;
    json::object resources{{"cpu", cpu}, {"memory", "8Gi"}, {"pods", "110"}};
    node["status"] = json::object{{"capacity", resources}, {"allocatable", resources},
                                  {"conditions", json::array{json::object{{"type", "Ready"}, {"status", "True"}}}}};
    auto created = server.await(restClient->create({"", "v1", "nodes", "", "", "", ""}, node));
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  void createPod(const std::string& name, const std::string& specExtra = "") {
    json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","spec":{"containers":[
        {"name":"c","image":"nginx","resources":{"requests":{"cpu":"100m"}}}])" + specExtra + "}}").as_object();
    pod["metadata"] = json::object{{"name", name}, {"namespace", "default"}};
    auto created = server.await(restClient->create({"", "v1", "pods", "default", "", "", ""}, pod));
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  json::object pod(const std::string& name) {
    auto got = server.await(restClient->get({"", "v1", "pods", "default", name, "", ""}));
    return got ? *got : json::object();
  }

  std::string nodeOf(const std::string& name) { return std::string(api::getString(pod(name)["spec"].as_object(), "nodeName")); }

  // Waits until `name` is bound (or the deadline) and returns its node.
  std::string waitBound(const std::string& name, std::chrono::milliseconds deadline = 5s) {
    std::string node;
    server.runFor(deadline, [&] {
      node = nodeOf(name);
      return !node.empty();
    });
    return node;
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "/nodes", "/events", "/persistentvolumeclaims", "/persistentvolumes",
                                          "storage.k8s.io/storageclasses", "/services", "/replicationcontrollers",
                                          "apps/replicasets", "apps/statefulsets", "policy/poddisruptionbudgets"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  SchedulerPtr scheduler;
  bool ended = false;
};

TEST_F(SchedulerTest, BindsPodsAndSpreadsThemOverEqualNodes) {
  for (const char* n : {"n1", "n2", "n3"}) createNode(n, "4");
  start();
  std::map<std::string, int> perNode;
  for (int i = 0; i < 6; ++i) createPod("p" + std::to_string(i));
  for (int i = 0; i < 6; ++i) ++perNode[waitBound("p" + std::to_string(i))];
  EXPECT_EQ(perNode, (std::map<std::string, int>{{"n1", 2}, {"n2", 2}, {"n3", 2}}));
  json::object bound = pod("p0");
  const json::value* conditions = api::findPath(bound, "status.conditions");
  ASSERT_TRUE(conditions && conditions->is_array());
  EXPECT_EQ(conditions->as_array()[0].at("type"), "PodScheduled");
  EXPECT_EQ(conditions->as_array()[0].at("status"), "True");
}

TEST_F(SchedulerTest, NodeSelectorAndTaintsDecide) {
  createNode("plain", "4");
  createNode("ssd", "4", R"({"metadata":{"labels":{"disk":"ssd"}}})");
  createNode("tainted", "4", R"({"spec":{"taints":[{"key":"dedicated","value":"x","effect":"NoSchedule"}]}})");
  start();
  createPod("selected", R"(,"nodeSelector":{"disk":"ssd"})");
  EXPECT_EQ(waitBound("selected"), "ssd");
  createPod("tolerant", R"(,"nodeSelector":{"kubernetes.io/hostname":"none"})");
  for (int i = 0; i < 4; ++i) createPod("q" + std::to_string(i));
  for (int i = 0; i < 4; ++i) EXPECT_NE(waitBound("q" + std::to_string(i)), "tainted");
}

TEST_F(SchedulerTest, UnschedulablePodGetsConditionAndEventWithUpstreamSummary) {
  createNode("n1", "2");
  createNode("n2", "2");
  createNode("cp", "2", R"({"spec":{"taints":[{"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}]}})");
  start();
  json::object big = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","namespace":"default"},
      "spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"3"}}}]}})").as_object();
  ASSERT_TRUE(server.await(restClient->create({"", "v1", "pods", "default", "", "", ""}, big)).ok());
  const std::string expected =
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
      "2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
  std::string message;
  server.runFor(5s, [&] {
    json::object p = pod("big");
    const json::value* conditions = api::findPath(p, "status.conditions");
    if (!conditions || !conditions->is_array() || conditions->as_array().empty()) return false;
    const json::object& c = conditions->as_array()[0].as_object();
    message = std::string(api::getString(c, "message"));
    return api::getString(c, "reason") == "Unschedulable" && api::getString(c, "status") == "False";
  });
  EXPECT_EQ(message, expected);
  bool evented = false;
  server.runFor(3s, [&] {
    auto events = server.await(restClient->get({"", "v1", "events", "default", "", "", ""}));
    if (!events) return false;
    for (const auto& e : events->at("items").as_array()) {
      if (e.at("reason") == "FailedScheduling" && e.at("message") == json::value(expected) && e.at("type") == "Warning") evented = true;
    }
    return evented;
  });
  EXPECT_TRUE(evented);
  EXPECT_EQ(nodeOf("big"), "");
  // A bigger node arrives: the pod is retried and lands there.
  createNode("large", "8");
  EXPECT_EQ(waitBound("big", 5s), "large");
}

TEST_F(SchedulerTest, PodsOfOtherSchedulersAreLeftAlone) {
  createNode("n1", "4");
  Profile second = plugins::defaultProfile();
  second.schedulerName = "second";
  start({plugins::defaultProfile(), second});
  createPod("mine", R"(,"schedulerName":"second")");
  createPod("theirs", R"(,"schedulerName":"other")");
  EXPECT_EQ(waitBound("mine"), "n1");
  server.runFor(500ms);
  EXPECT_EQ(nodeOf("theirs"), "");
}

TEST(NumFeasibleNodesToFind, AdaptivePercentageAsUpstream) {
  EXPECT_EQ(Scheduler::numFeasibleNodesToFind(0, 50), 50);
  EXPECT_EQ(Scheduler::numFeasibleNodesToFind(0, 1000), 420);   // 50 − 8 = 42%
  EXPECT_EQ(Scheduler::numFeasibleNodesToFind(0, 5000), 500);   // 50 − 40 = 10%
  EXPECT_EQ(Scheduler::numFeasibleNodesToFind(0, 10000), 500);  // at least 5%
  EXPECT_EQ(Scheduler::numFeasibleNodesToFind(0, 150), 100);    // at least 100 nodes
  EXPECT_EQ(Scheduler::numFeasibleNodesToFind(20, 1000), 200);
  EXPECT_EQ(Scheduler::numFeasibleNodesToFind(100, 1000), 1000);
}

}  // namespace
}  // namespace kcpp::scheduler
