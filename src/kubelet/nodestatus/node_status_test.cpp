// Conditions, status reporting and the NodeStatusManager against a real in-process API server.
#include "kubelet/nodestatus/node_status_manager.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::kubelet::nodestatus {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const json::object& conditionOf(const json::array& conditions, const std::string& type) {
  for (const auto& c : conditions) {
    if (c.as_object().at("type").as_string() == type) return c.as_object();
  }
  static const json::object none;
  return none;
}

TEST(NodeConditions, HealthyAsUpstream) {
  SystemTime now = std::chrono::system_clock::now();
  json::array conditions = nodeConditions(NodeHealth{}, {}, now);
  ASSERT_EQ(conditions.size(), 4u);
  EXPECT_EQ(conditions.back().as_object().at("type"), "Ready");  // upstream keeps Ready last
  const auto& ready = conditionOf(conditions, "Ready");
  EXPECT_EQ(ready.at("status"), "True");
  EXPECT_EQ(ready.at("reason"), "KubeletReady");
  EXPECT_EQ(ready.at("message"), "kubelet is posting ready status");
  const auto& memory = conditionOf(conditions, "MemoryPressure");
  EXPECT_EQ(memory.at("status"), "False");
  EXPECT_EQ(memory.at("reason"), "KubeletHasSufficientMemory");
  EXPECT_EQ(memory.at("message"), "kubelet has sufficient memory available");
  EXPECT_EQ(conditionOf(conditions, "DiskPressure").at("reason"), "KubeletHasNoDiskPressure");
  EXPECT_EQ(conditionOf(conditions, "PIDPressure").at("reason"), "KubeletHasSufficientPID");
}

TEST(NodeConditions, NotReadyAndPressureMessages) {
  NodeHealth health;
  health.memoryPressure = true;
  health.notReadyReasons = {kRuntimeNotCheckedYet};
  SystemTime now = std::chrono::system_clock::now();
  json::array conditions = nodeConditions(health, {}, now);
  const auto& ready = conditionOf(conditions, "Ready");
  EXPECT_EQ(ready.at("status"), "False");
  EXPECT_EQ(ready.at("reason"), "KubeletNotReady");
  EXPECT_EQ(ready.at("message"), "container runtime status check may not have completed yet");
  EXPECT_EQ(conditionOf(conditions, "MemoryPressure").at("reason"), "KubeletHasInsufficientMemory");
  EXPECT_EQ(notReadyMessage({"a", "b"}), "[a, b]");
}

TEST(NodeConditions, TransitionTimeMovesOnlyWhenTheStatusChanges) {
  SystemTime t0 = std::chrono::system_clock::now() - 1h;
  SystemTime t1 = t0 + 30min;
  NodeHealth notReady;
  notReady.notReadyReasons = {"container runtime network not ready"};
  json::array first = nodeConditions(notReady, {}, t0);
  json::array same = nodeConditions(notReady, first, t1);
  EXPECT_EQ(conditionOf(same, "Ready").at("lastTransitionTime").as_string(), api::formatTime(t0));
  EXPECT_EQ(conditionOf(same, "Ready").at("lastHeartbeatTime").as_string(), api::formatTime(t1));
  json::array ready = nodeConditions(NodeHealth{}, first, t1);
  EXPECT_EQ(conditionOf(ready, "Ready").at("lastTransitionTime").as_string(), api::formatTime(t1));
  EXPECT_EQ(conditionOf(ready, "MemoryPressure").at("lastTransitionTime").as_string(), api::formatTime(t0));
}

TEST(NodeStatus, ChangedIgnoresHeartbeatsOnly) {
  SystemTime t0 = std::chrono::system_clock::now();
  json::object a{{"conditions", nodeConditions(NodeHealth{}, {}, t0)}};
  json::array later = nodeConditions(NodeHealth{}, a["conditions"].as_array(), t0 + 10s);
  json::object b{{"conditions", later}};
  EXPECT_FALSE(statusChanged(a, b));
  NodeHealth notReady;
  notReady.notReadyReasons = {"x"};
  json::object c{{"conditions", nodeConditions(notReady, later, t0 + 20s)}};
  EXPECT_TRUE(statusChanged(b, c));
}

TEST(NodeStatus, InitialNodeLabelsAndStatusFields) {
  NodeStatusOptions options;
  options.nodeName = "node-a";
  options.kubeletPort = 12345;
  options.labels["example.com/x"] = "y";
  MachineInfo machine;
  machine.cpus = 2;
  machine.architecture = "amd64";
  machine.osImage = "Debian";
  json::object node = initialNode(options, machine);
  const json::object& labels = api::findPath(node, "metadata.labels")->as_object();
  EXPECT_EQ(labels.at("kubernetes.io/hostname"), "node-a");
  EXPECT_EQ(labels.at("kubernetes.io/os"), "linux");
  EXPECT_EQ(labels.at("kubernetes.io/arch"), "amd64");
  EXPECT_EQ(labels.at("example.com/x"), "y");
  EXPECT_FALSE(labels.contains("node.kubernetes.io/instance-type"));
  json::object status = buildNodeStatus(options, machine, "10.0.0.1", "containerd://1.6.20", NodeHealth{}, {},
                                        std::chrono::system_clock::now());
  EXPECT_EQ(*api::findPath(status, "daemonEndpoints.kubeletEndpoint.Port"), 12345);
  EXPECT_EQ(*api::findPath(status, "nodeInfo.containerRuntimeVersion"), "containerd://1.6.20");
  EXPECT_EQ(*api::findPath(status, "nodeInfo.operatingSystem"), "linux");
  EXPECT_EQ(*api::findPath(status, "nodeInfo.osImage"), "Debian");
  EXPECT_EQ(*api::findPath(status, "capacity.pods"), "110");
}

class NodeStatusManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
  }
  void TearDown() override {
    if (!manager) return;
    manager->stop();
    server.runFor(2s, [this] { return ended; });
    EXPECT_TRUE(ended);
  }
  void start(NodeStatusCallbacks callbacks) {
    NodeStatusOptions options;
    options.nodeName = "node-a";
    options.leaseRenewInterval = 200ms;
    options.statusUpdateFrequency = 100ms;
    options.statusReportFrequency = 1h;
    manager = std::make_unique<NodeStatusManager>(*restClient, io.get_executor(), options, std::move(callbacks));
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await manager->run();
      ended = true;
    }, asio::detached);
  }
  std::optional<json::object> get(const client::ResourcePath& path) {
    auto got = server.await(restClient->get(path));
    if (!got) return std::nullopt;
    return std::move(*got);
  }
  std::string ready() {
    auto n = get({"", "v1", "nodes", "", "node-a", "", ""});
    if (!n) return "";
    const json::value* c = api::findPath(*n, "status.conditions");
    if (!c) return "";
    const auto& r = conditionOf(c->as_array(), "Ready");
    return r.empty() ? "" : std::string(r.at("status").as_string()) + ": " + std::string(r.at("message").as_string());
  }
  std::string renewTime() {
    auto l = get({"coordination.k8s.io", "v1", "leases", "kube-node-lease", "node-a", "", ""});
    return l ? std::string(api::findPath(*l, "spec.renewTime")->as_string()) : "";
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/nodes", "coordination.k8s.io/leases"}};
  client::RestClientPtr restClient;
  std::unique_ptr<NodeStatusManager> manager;
  bool ended = false;
};

TEST_F(NodeStatusManagerTest, RegistersRenewsTheLeaseAndReportsReadinessChanges) {
  bool runtimeReady = false;
  bool registered = false;
  NodeStatusCallbacks callbacks;
  callbacks.health = [&] {
    NodeHealth h;
    if (!runtimeReady) h.notReadyReasons.push_back(kRuntimeNotCheckedYet);
    return h;
  };
  callbacks.containerRuntimeVersion = [&] { return runtimeReady ? "containerd://1.6.20" : ""; };
  callbacks.onRegistered = [&] { registered = true; };
  start(callbacks);
  server.runFor(5s, [&] { return !ready().empty(); });
  EXPECT_TRUE(registered);
  EXPECT_EQ(ready(), "False: container runtime status check may not have completed yet");
  auto lease = get({"coordination.k8s.io", "v1", "leases", "kube-node-lease", "node-a", "", ""});
  ASSERT_TRUE(lease);
  EXPECT_EQ(*api::findPath(*lease, "spec.holderIdentity"), "node-a");
  EXPECT_EQ(*api::findPath(*lease, "spec.leaseDurationSeconds"), 40);
  EXPECT_EQ(api::findPath(*lease, "metadata.ownerReferences")->as_array()[0].as_object().at("uid").as_string(),
            manager->nodeUid());
  std::string first = renewTime();
  server.runFor(2s, [&] { return renewTime() != first; });
  EXPECT_NE(renewTime(), first);

  // Unchanged status: no posts, however often it is computed.
  std::uint64_t posts = manager->statusPosts();
  server.runFor(500ms);
  EXPECT_EQ(manager->statusPosts(), posts);
  runtimeReady = true;
  manager->statusMayHaveChanged();
  server.runFor(3s, [&] { return ready() == "True: kubelet is posting ready status"; });
  EXPECT_EQ(ready(), "True: kubelet is posting ready status");
  auto node = get({"", "v1", "nodes", "", "node-a", "", ""});
  EXPECT_EQ(*api::findPath(*node, "status.nodeInfo.containerRuntimeVersion"), "containerd://1.6.20");
}

TEST_F(NodeStatusManagerTest, KeepsAnExistingNodeAndItsLabels) {
  json::object existing{{"apiVersion", "v1"}, {"kind", "Node"}};
  existing["metadata"] = json::object{{"name", "node-a"}, {"labels", json::object{{"mine", "yes"}}}};
  auto created = server.await(restClient->create({"", "v1", "nodes", "", "", "", ""}, existing));
  ASSERT_TRUE(created.ok()) << created.error().message;
  start({});
  server.runFor(5s, [&] { return !ready().empty(); });
  auto after = get({"", "v1", "nodes", "", "node-a", "", ""});
  ASSERT_TRUE(after);
  EXPECT_EQ(*api::findPath(*after, "metadata.uid"), *api::findPath(*created, "metadata.uid"));
  EXPECT_EQ(*api::findPath(*after, "metadata.labels.mine"), "yes");
  EXPECT_EQ(api::findPath(*after, "metadata.labels")->as_object().at("kubernetes.io/hostname"), "node-a");
}

}  // namespace
}  // namespace kcpp::kubelet::nodestatus
