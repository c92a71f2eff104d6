// The Kubelet against the fake CRI runtime and a real in-process API server.
#include "kubelet/kubelet.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include <fstream>
#include <sstream>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "kubelet/cri/fake_runtime_service.h"
#include "pki/test_temp_dir.h"

namespace kcpp::kubelet {
namespace {

namespace asio = boost::asio;
namespace v1 = ::runtime::v1;
using namespace std::chrono_literals;

const char* kImage = "docker.io/kcpp/busybox:1.35";

// The fake runtime, keeping every CreateContainer request for inspection.
class RecordingRuntime : public cri::FakeRuntimeService {
 public:
  std::vector<v1::CreateContainerRequest> creates;
  std::vector<std::chrono::steady_clock::time_point> createTimes;
  std::vector<v1::RunPodSandboxRequest> sandboxRequests;
  std::vector<std::string> order;  // "exec <container name>" / "stop <container name>" as they happen
  std::map<std::string, std::string> names;  // container id → name
  std::vector<std::int64_t> stopTimeouts;

  cri::Awaitable<Result<v1::CreateContainerResponse>> createContainer(const v1::CreateContainerRequest& req) override {
    creates.push_back(req);
    createTimes.push_back(std::chrono::steady_clock::now());
    auto r = co_await FakeRuntimeService::createContainer(req);
    if (r) names[r->container_id()] = req.config().metadata().name();
    co_return r;
  }
  cri::Awaitable<Result<v1::RunPodSandboxResponse>> runPodSandbox(const v1::RunPodSandboxRequest& req) override {
    sandboxRequests.push_back(req);
    co_return co_await FakeRuntimeService::runPodSandbox(req);
  }
  cri::Awaitable<Result<v1::ExecSyncResponse>> execSync(const v1::ExecSyncRequest& req) override {
    order.push_back("exec " + names[req.container_id()]);
    co_return co_await FakeRuntimeService::execSync(req);
  }
  cri::Awaitable<Result<v1::StopContainerResponse>> stopContainer(const v1::StopContainerRequest& req) override {
    order.push_back("stop " + names[req.container_id()]);
    stopTimeouts.push_back(req.timeout());
    co_return co_await FakeRuntimeService::stopContainer(req);
  }
  std::vector<std::string> createdNames() const {
    std::vector<std::string> out;
    for (const auto& c : creates) out.push_back(c.config().metadata().name());
    return out;
  }
};

class KubeletTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    auto events = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(events.ok());
    eventClient = std::move(*events);
    auto own = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(own.ok());
    kubeletClient = std::move(*own);  // the test's reads do not eat the kubelet's QPS
    fake.addImage(kImage);
  }

  void start(std::function<void(KubeletOptions&)> tune = nullptr) {
    KubeletOptions options;
    options.nodeName = "node-1";
    options.hostIps = {"192.168.50.2"};
    options.runtime.dataDir = dir.path().string();
    options.runtime.resolvConf = "";
    options.runtime.clusterDns = {"10.43.0.10"};
    options.runtime.memoryCapacityBytes = 4LL << 30;
    options.runtime.crashBackoffInitial = 300ms;
    options.runtime.crashBackoffMax = 1200ms;
    options.relistPeriod = 100ms;
    options.resyncInterval = 500ms;
    options.syncRetry = 100ms;
    if (tune) tune(options);
    KubeletDeps deps;
    deps.client = kubeletClient.get();
    deps.eventClient = eventClient.get();
    deps.runtime = &fake;
    deps.images = &fake;
    kubelet = std::make_unique<Kubelet>(io.get_executor(), options, deps);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await kubelet->run();
      ended = true;
    }, asio::detached);
  }

  void TearDown() override {
    if (!kubelet) return;
    kubelet->stop();
    server.runFor(2s, [this] { return ended; });
    server.runFor(100ms);
  }

  client::ResourcePath podPath(const std::string& name = "") { return {"", "v1", "pods", "default", name, "", ""}; }

  json::object create(const std::string& text) {
    json::object p = json::parse(text).as_object();
    auto created = server.await(restClient->create(podPath(), p));
    KCPP_CHECK(created.ok(), "create pod");
    kubelet->handlePodUpdate({podworkers::PodOperation::Add, "api", {*created}});
    return *created;
  }

  std::optional<json::object> get(const std::string& name) {
    auto got = server.await(restClient->get(podPath(name)));
    if (!got) return std::nullopt;
    return *got;
  }

  std::string field(const std::string& name, std::string_view path) {
    auto p = get(name);
    if (!p) return "<gone>";
    const json::value* v = api::findPath(*p, path);
    if (!v) return "";
    return v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
  }

  json::object containerStatus(const std::string& pod, const std::string& name, const char* list = "containerStatuses") {
    auto p = get(pod);
    if (!p) return {};
    const json::value* statuses = api::findPath(*p, std::string("status.") + list);
    if (!statuses || !statuses->is_array()) return {};
    for (const auto& s : statuses->get_array()) {
      if (s.at("name") == name.c_str()) return s.as_object();
    }
    return {};
  }

  static std::string path(const json::object& o, std::string_view p) {
    const json::value* v = api::findPath(o, p);
    if (!v) return "";
    return v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "/configmaps", "/secrets", "/services", "/events"}};
  client::RestClientPtr restClient;
  client::RestClientPtr eventClient;
  client::RestClientPtr kubeletClient;
  pki::TempDir dir;
  RecordingRuntime fake;
  std::unique_ptr<Kubelet> kubelet;
  bool ended = false;
};

TEST_F(KubeletTest, NewPodGetsASandboxAndContainersAndRunningStatus) {
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"app":"web"}},
      "spec":{"nodeName":"node-1","containers":[
        {"name":"a","image":"docker.io/kcpp/busybox:1.35","command":["sleep","3600"],
         "ports":[{"containerPort":80,"hostPort":8080}]},
        {"name":"b","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("web", "status.phase") == "Running" && field("web", "status.conditions").find("\"Ready\",\"status\":\"True\"") != std::string::npos; });
  EXPECT_EQ(field("web", "status.phase"), "Running");
  EXPECT_EQ(field("web", "status.podIP"), "10.88.0.2");
  EXPECT_EQ(field("web", "status.hostIP"), "192.168.50.2");
  EXPECT_EQ(field("web", "status.qosClass"), "BestEffort");
  EXPECT_FALSE(field("web", "status.startTime").empty());
  json::object a = containerStatus("web", "a");
  EXPECT_FALSE(path(a, "state.running.startedAt").empty());
  EXPECT_EQ(path(a, "ready"), "true");
  EXPECT_EQ(path(a, "started"), "true");
  EXPECT_EQ(path(a, "restartCount"), "0");
  EXPECT_EQ(path(a, "containerID").rfind("containerd://", 0), 0u);
  EXPECT_EQ(path(a, "image"), kImage);
  EXPECT_FALSE(path(a, "imageID").empty());

  ASSERT_EQ(fake.sandboxRequests.size(), 1u);
  const v1::PodSandboxConfig& sb = fake.sandboxRequests[0].config();
  EXPECT_EQ(sb.metadata().name(), "web");
  EXPECT_EQ(sb.metadata().namespace_(), "default");
  EXPECT_EQ(sb.metadata().attempt(), 0u);
  EXPECT_EQ(sb.hostname(), "web");
  EXPECT_EQ(sb.labels().at("io.kubernetes.pod.name"), "web");
  EXPECT_EQ(sb.labels().at("app"), "web");
  EXPECT_EQ(sb.log_directory(), dir.path().string() + "/logs/pods/default_web_" + sb.metadata().uid());
  ASSERT_EQ(sb.dns_config().servers_size(), 1);
  EXPECT_EQ(sb.dns_config().servers(0), "10.43.0.10");
  EXPECT_EQ(sb.dns_config().searches(0), "default.svc.cluster.local");
  EXPECT_EQ(sb.dns_config().options(0), "ndots:5");
  ASSERT_EQ(sb.port_mappings_size(), 1);
  EXPECT_EQ(sb.port_mappings(0).host_port(), 8080);
  EXPECT_EQ(fake.createdNames(), (std::vector<std::string>{"a", "b"}));
  const v1::ContainerConfig& ca = fake.creates[0].config();
  EXPECT_EQ(ca.log_path(), "a/0.log");
  bool hostsMounted = false;
  for (const auto& m : ca.mounts()) {
    if (m.container_path() != "/etc/hosts") continue;
    hostsMounted = true;
    std::ifstream in(m.host_path());
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("10.88.0.2\tweb"), std::string::npos) << text.str();
  }
  EXPECT_TRUE(hostsMounted);
  EXPECT_EQ(ca.command(0), "sleep");
  EXPECT_GE(ca.linux().resources().oom_score_adj(), 0);
  EXPECT_FALSE(ca.annotations().at("io.kubernetes.container.hash").empty());
  // Steady state: later syncs change nothing.
  int creates = fake.callCount("CreateContainer");
  server.runFor(1200ms);
  EXPECT_EQ(fake.callCount("CreateContainer"), creates);
  EXPECT_EQ(fake.callCount("RunPodSandbox"), 1);
}

TEST_F(KubeletTest, InitContainersRunInOrderBeforeTheApp) {
  fake.exitOnStart("init-1", 0);
  fake.exitOnStart("init-2", 0);
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"init"},
      "spec":{"nodeName":"node-1",
        "initContainers":[{"name":"init-1","image":"docker.io/kcpp/busybox:1.35"},
                          {"name":"init-2","image":"docker.io/kcpp/busybox:1.35"}],
        "containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("init", "status.phase") == "Running"; });
  EXPECT_EQ(fake.createdNames(), (std::vector<std::string>{"init-1", "init-2", "app"}));
  EXPECT_EQ(path(containerStatus("init", "init-1", "initContainerStatuses"), "state.terminated.reason"), "Completed");
  EXPECT_EQ(path(containerStatus("init", "init-2", "initContainerStatuses"), "ready"), "true");
  EXPECT_NE(field("init", "status.conditions").find("\"Initialized\",\"status\":\"True\""), std::string::npos);
}

TEST_F(KubeletTest, FailingInitContainerOfANeverPodFailsIt) {
  fake.exitOnStart("init-1", 3);
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"bad"},
      "spec":{"nodeName":"node-1","restartPolicy":"Never",
        "initContainers":[{"name":"init-1","image":"docker.io/kcpp/busybox:1.35"}],
        "containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("bad", "status.phase") == "Failed"; });
  EXPECT_EQ(field("bad", "status.phase"), "Failed");
  EXPECT_EQ(fake.createdNames(), (std::vector<std::string>{"init-1"}));
  EXPECT_EQ(path(containerStatus("bad", "init-1", "initContainerStatuses"), "state.terminated.exitCode"), "3");
}

TEST_F(KubeletTest, RestartPolicyNeverAndOnFailureEndThePod) {
  fake.exitOnStart("fails", 2);
  fake.exitOnStart("works", 0);
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"never"},
      "spec":{"nodeName":"node-1","restartPolicy":"Never","containers":[{"name":"fails","image":"docker.io/kcpp/busybox:1.35"}]}})");
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"onfailure"},
      "spec":{"nodeName":"node-1","restartPolicy":"OnFailure","containers":[{"name":"works","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("never", "status.phase") == "Failed" && field("onfailure", "status.phase") == "Succeeded"; });
  EXPECT_EQ(field("never", "status.phase"), "Failed");
  EXPECT_EQ(path(containerStatus("never", "fails"), "state.terminated.reason"), "Error");
  EXPECT_EQ(path(containerStatus("never", "fails"), "state.terminated.exitCode"), "2");
  EXPECT_EQ(field("onfailure", "status.phase"), "Succeeded");
  EXPECT_EQ(path(containerStatus("onfailure", "works"), "state.terminated.reason"), "Completed");
  EXPECT_NE(field("onfailure", "status.conditions").find("PodCompleted"), std::string::npos);
  // Neither restarts, and their sandboxes are stopped.
  server.runFor(800ms);
  EXPECT_EQ(fake.callCount("CreateContainer"), 2);
  for (const auto& s : fake.sandboxes()) EXPECT_EQ(s.state(), v1::SANDBOX_NOTREADY);
}

TEST_F(KubeletTest, CrashingContainerBacksOffWithGrowingDelays) {
  fake.exitOnStart("app", 1);
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"crash"},
      "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  std::vector<std::string> messages;
  auto deadline = std::chrono::steady_clock::now() + 6s;
  while (std::chrono::steady_clock::now() < deadline && fake.callCount("CreateContainer") < 4) {
    server.runFor(20ms);
    json::object now = containerStatus("crash", "app");  // one read: reason and message together
    std::string reason = path(now, "state.waiting.reason");
    std::string message = path(now, "state.waiting.message");
    if (reason == "CrashLoopBackOff" && (messages.empty() || messages.back() != message)) messages.push_back(message);
  }
  const auto& creates = fake.createTimes;
  ASSERT_GE(creates.size(), 4u);
  // Restart 1 at once; then 300 ms, 600 ms, 1200 ms (doubling, capped).
  auto gap = [&](int i) { return std::chrono::duration_cast<std::chrono::milliseconds>(creates[i] - creates[i - 1]).count(); };
  EXPECT_LT(gap(1), 250);
  EXPECT_GE(gap(2), 250);
  EXPECT_GE(gap(3), 550);
  EXPECT_GT(gap(3), gap(2));
  ASSERT_GE(messages.size(), 2u);
  std::string uid = field("crash", "metadata.uid");
  EXPECT_EQ(messages[0], "back-off 300ms restarting failed container=app pod=crash_default(" + uid + ")");
  EXPECT_EQ(messages[1], "back-off 600ms restarting failed container=app pod=crash_default(" + uid + ")");
  json::object s = containerStatus("crash", "app");
  EXPECT_GE(std::stoi(path(s, "restartCount")), 2);
  EXPECT_EQ(path(s, "lastState.terminated.exitCode"), "1");
  EXPECT_EQ(field("crash", "status.phase"), "Running");
  EXPECT_EQ(fake.creates.back().config().log_path(), "app/3.log");
}

TEST_F(KubeletTest, ChangedContainerSpecRestartsIt) {
  fake.addImage("docker.io/kcpp/busybox:1.36");
  start();
  json::object pod = create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"change"},
      "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("change", "status.phase") == "Running"; });
  std::string firstId = path(containerStatus("change", "app"), "containerID");
  json::object patch{{"spec", json::object{{"containers", json::array{json::object{{"name", "app"}, {"image", "docker.io/kcpp/busybox:1.36"}}}}}}};
  auto patched = server.await(restClient->patch(podPath("change"), "application/strategic-merge-patch+json", json::serialize(patch)));
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  kubelet->handlePodUpdate({podworkers::PodOperation::Update, "api", {*patched}});
  server.runFor(5s, [&] {
    std::string id = path(containerStatus("change", "app"), "containerID");
    return !id.empty() && id != firstId && path(containerStatus("change", "app"), "image") == "docker.io/kcpp/busybox:1.36";
  });
  json::object s = containerStatus("change", "app");
  EXPECT_NE(path(s, "containerID"), firstId);
  EXPECT_EQ(path(s, "restartCount"), "1");
  EXPECT_EQ(path(s, "lastState.terminated.exitCode"), "143");
  EXPECT_EQ(fake.creates.back().config().image().user_specified_image(), "docker.io/kcpp/busybox:1.36");
  EXPECT_EQ(fake.callCount("RunPodSandbox"), 1);  // the sandbox stays
}

TEST_F(KubeletTest, GracefulDeletionRunsPreStopThenStopsWithTheGracePeriodThenDeletes) {
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"bye"},
      "spec":{"nodeName":"node-1","terminationGracePeriodSeconds":17,"containers":[
        {"name":"app","image":"docker.io/kcpp/busybox:1.35","lifecycle":{"preStop":{"exec":{"command":["sh","-c","sleep 1"]}}}},
        {"name":"side","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("bye", "status.phase") == "Running"; });
  json::object options{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  auto deleted = server.await(restClient->remove(podPath("bye"), options));
  ASSERT_TRUE(deleted.ok());
  auto deleting = get("bye");
  ASSERT_TRUE(deleting);
  ASSERT_TRUE(api::findPath(*deleting, "metadata.deletionTimestamp"));
  kubelet->handlePodUpdate({podworkers::PodOperation::Delete, "api", {*deleting}});
  server.runFor(5s, [&] { return field("bye", "metadata.name") == "<gone>"; });
  EXPECT_EQ(field("bye", "metadata.name"), "<gone>");
  // preStop before the app's stop; both stopped with the remaining grace period.
  auto execAt = std::find(fake.order.begin(), fake.order.end(), "exec app");
  auto stopAt = std::find(fake.order.begin(), fake.order.end(), "stop app");
  ASSERT_NE(execAt, fake.order.end());
  ASSERT_NE(stopAt, fake.order.end());
  EXPECT_LT(execAt - fake.order.begin(), stopAt - fake.order.begin());
  ASSERT_EQ(fake.stopTimeouts.size(), 2u);
  for (auto t : fake.stopTimeouts) {
    EXPECT_LE(t, 17);
    EXPECT_GE(t, 16);
  }
  EXPECT_TRUE(fake.containers().empty());  // removed before the API object went
  EXPECT_TRUE(fake.sandboxes().empty());
  server.runFor(1s, [&] { return kubelet->workers().size() == 0; });
  EXPECT_EQ(kubelet->workers().size(), 0u);
}

TEST_F(KubeletTest, ActiveDeadlineFailsThePod) {
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"late"},
      "spec":{"nodeName":"node-1","activeDeadlineSeconds":1,"containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(6s, [&] { return field("late", "status.phase") == "Failed"; });
  EXPECT_EQ(field("late", "status.phase"), "Failed");
  EXPECT_EQ(field("late", "status.reason"), "DeadlineExceeded");
  EXPECT_EQ(field("late", "status.message"), "Pod was active on the node longer than the specified deadline");
  server.runFor(3s, [&] { return fake.callCount("StopContainer") >= 1; });
  EXPECT_GE(fake.callCount("StopContainer"), 1);
}

TEST_F(KubeletTest, EnvironmentComesFromConfigMapsSecretsFieldsAndExpansion) {
  start();
  json::object cm{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                  {"metadata", json::object{{"name", "settings"}}}, {"data", json::object{{"color", "blue"}}}};
  ASSERT_TRUE(server.await(restClient->create({"", "v1", "configmaps", "default", "", "", ""}, cm)).ok());
  create(R"J({"apiVersion":"v1","kind":"Pod","metadata":{"name":"env"},
      "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35",
        "command":["echo","$(GREETING)"],
        "envFrom":[{"configMapRef":{"name":"settings"},"prefix":"CFG_"}],
        "env":[{"name":"NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
               {"name":"POD_IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}},
               {"name":"HOST_IP","valueFrom":{"fieldRef":{"fieldPath":"status.hostIP"}}},
               {"name":"GREETING","value":"hello $(NAME) in $(CFG_color)"}]}]}})J");
  server.runFor(5s, [&] { return field("env", "status.phase") == "Running"; });
  ASSERT_EQ(fake.creates.size(), 1u);
  std::map<std::string, std::string> env;
  for (const auto& kv : fake.creates[0].config().envs()) env[kv.key()] = kv.value();
  EXPECT_EQ(env["CFG_color"], "blue");
  EXPECT_EQ(env["NAME"], "env");
  EXPECT_EQ(env["POD_IP"], "10.88.0.2");
  EXPECT_EQ(env["HOST_IP"], "192.168.50.2");
  EXPECT_EQ(env["GREETING"], "hello env in blue");
  EXPECT_EQ(fake.creates[0].config().command(1), "hello env in blue");
}

TEST_F(KubeletTest, MissingConfigMapIsCreateContainerConfigError) {
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nocm"},
      "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35",
        "env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"absent","key":"k"}}}]}]}})");
  server.runFor(5s, [&] { return path(containerStatus("nocm", "app"), "state.waiting.reason") == "CreateContainerConfigError"; });
  json::object s = containerStatus("nocm", "app");
  EXPECT_EQ(path(s, "state.waiting.reason"), "CreateContainerConfigError");
  EXPECT_EQ(path(s, "state.waiting.message"), "configmap \"absent\" not found");
  EXPECT_EQ(field("nocm", "status.phase"), "Pending");
  EXPECT_EQ(fake.callCount("CreateContainer"), 0);
}

TEST_F(KubeletTest, ImageNeverPulledIsReported) {
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"noimg"},
      "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"example.com/absent:1","imagePullPolicy":"Never"}]}})");
  server.runFor(5s, [&] { return path(containerStatus("noimg", "app"), "state.waiting.reason") == "ErrImageNeverPull"; });
  EXPECT_EQ(path(containerStatus("noimg", "app"), "state.waiting.message"),
            "Container image \"example.com/absent:1\" is not present with pull policy of Never");
}

TEST_F(KubeletTest, RestartedKubeletAdoptsRunningPodsAndStopsOrphans) {
  start();
  json::object pod = create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"keep"},
      "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"orphan"},
      "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("keep", "status.phase") == "Running" && field("orphan", "status.phase") == "Running"; });
  std::string keptId = path(containerStatus("keep", "app"), "containerID");
  // The kubelet goes away; "orphan" is force-deleted meanwhile.
  kubelet->stop();
  server.runFor(2s, [this] { return ended; });
  kubelet.reset();
  ended = false;
  json::object force{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"gracePeriodSeconds", 0}};
  ASSERT_TRUE(server.await(restClient->remove(podPath("orphan"), force)).ok());
  int creates = fake.callCount("CreateContainer");
  start();
  auto current = get("keep");
  ASSERT_TRUE(current);
  kubelet->handlePodUpdate({podworkers::PodOperation::Add, "api", {*current}});
  kubelet->setSourcesReady();
  server.runFor(4s, [&] { return fake.containers().size() == 1; });
  EXPECT_EQ(fake.callCount("CreateContainer"), creates);  // nothing restarted
  EXPECT_EQ(path(containerStatus("keep", "app"), "containerID"), keptId);
  ASSERT_EQ(fake.containers().size(), 1u);  // the orphan's container is gone
  EXPECT_EQ(fake.containers()[0].metadata().name(), "app");
  EXPECT_EQ(field("keep", "status.phase"), "Running");
}

// The kubelet's own share of pod start latency (the runtime answers at once):
// 50 pods handed over together, each timed until the API shows it Running.
TEST_F(KubeletTest, FiftyPodsStartTogether) {
  start();
  std::vector<json::object> pods;
  for (int i = 0; i < 50; ++i) {
    json::object p = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{},
        "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})").as_object();
    p["metadata"].as_object()["name"] = "p" + std::to_string(i);
    auto created = server.await(restClient->create(podPath(), p));
    ASSERT_TRUE(created.ok());
    pods.push_back(*created);
  }
  auto began = std::chrono::steady_clock::now();
  kubelet->handlePodUpdate({podworkers::PodOperation::Add, "api", pods});
  std::map<std::string, std::chrono::milliseconds> runningAfter;
  std::optional<std::chrono::milliseconds> allStarted, allWritten;
  while (runningAfter.size() < pods.size() && std::chrono::steady_clock::now() - began < 10s) {
    server.runFor(5ms);
    if (!allWritten && kubelet->statusManager().writes() >= 50) {
      allWritten = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    }
    if (!allStarted && fake.callCount("StartContainer") == 50) {
      allStarted = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    }
    auto list = server.await(restClient->get(podPath()));
    ASSERT_TRUE(list.ok());
    for (const auto& item : list->at("items").as_array()) {
      std::string name(item.at("metadata").at("name").as_string());
      if (runningAfter.count(name) || path(item.as_object(), "status.phase") != "Running") continue;
      runningAfter[name] = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    }
  }
  ASSERT_EQ(runningAfter.size(), pods.size());
  std::vector<std::int64_t> ms;
  for (const auto& [name, d] : runningAfter) ms.push_back(d.count());
  std::sort(ms.begin(), ms.end());
  std::printf("50 pods (fake runtime): p50 %lld ms, p99 %lld ms; all started in the runtime after %lld ms, "
              "50 status writes done after %lld ms\n",
              static_cast<long long>(ms[ms.size() / 2]), static_cast<long long>(ms[ms.size() * 99 / 100]),
              static_cast<long long>(allStarted ? allStarted->count() : -1),
              static_cast<long long>(allWritten ? allWritten->count() : -1));
  EXPECT_LT(ms[ms.size() * 99 / 100], 5000);
  EXPECT_EQ(fake.callCount("RunPodSandbox"), 50);
}

TEST_F(KubeletTest, RuntimeHealthAndVersion) {
  fake.injectError("Status", makeError(Reason::ServiceUnavailable, "connection refused"), 1);
  start([](KubeletOptions& o) { o.healthPeriod = 100ms; });
  server.runFor(2s, [&] { return kubelet->runtimeHealth().known; });
  EXPECT_FALSE(kubelet->runtimeHealth().ready);
  EXPECT_EQ(kubelet->runtimeHealth().message, "container runtime is down");
  server.runFor(2s, [&] { return kubelet->runtimeHealth().ready; });
  EXPECT_TRUE(kubelet->runtimeHealth().ready);
  EXPECT_EQ(kubelet->runtimeHealth().message, "");
  EXPECT_EQ(kubelet->runtimeHealth().version, "fake://0.1.0");
}

TEST_F(KubeletTest, TerminationMessageComesFromTheMessageFile) {
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"msg"},
      "spec":{"nodeName":"node-1","restartPolicy":"Never","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("msg", "status.phase") == "Running"; });
  ASSERT_EQ(fake.creates.size(), 1u);
  std::string hostPath;
  for (const auto& m : fake.creates[0].config().mounts()) {
    if (m.container_path() == "/dev/termination-log") hostPath = m.host_path();
  }
  ASSERT_FALSE(hostPath.empty());
  std::ofstream(hostPath) << "disk full";
  fake.exitContainer(fake.containers()[0].id(), 3);
  server.runFor(5s, [&] { return field("msg", "status.phase") == "Failed"; });
  json::object s = containerStatus("msg", "app");
  EXPECT_EQ(path(s, "state.terminated.message"), "disk full");
  EXPECT_EQ(path(s, "state.terminated.exitCode"), "3");
}

TEST_F(KubeletTest, UnknownRuntimeClassCreatesNoSandbox) {
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"noclass"},
      "spec":{"nodeName":"node-1","runtimeClassName":"fast","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(2s, [&] { return fake.callCount("RunPodSandbox") > 0; });
  // No such RuntimeClass (kcpp's API server does not serve node.k8s.io yet):
  // no sandbox, the pod waits.
  EXPECT_EQ(fake.callCount("RunPodSandbox"), 0);
  EXPECT_EQ(field("noclass", "status.phase"), "Pending");
  EXPECT_EQ(path(containerStatus("noclass", "app"), "state.waiting.reason"), "ContainerCreating");
}

TEST_F(KubeletTest, ProbeRestartKillsAndRecreatesTheContainer) {
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"live"},
      "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("live", "status.phase") == "Running"; });
  std::string first = path(containerStatus("live", "app"), "containerID");
  ASSERT_FALSE(first.empty());
  kubelet->restartContainer(field("live", "metadata.uid"), "app");
  server.runFor(5s, [&] {
    std::string id = path(containerStatus("live", "app"), "containerID");
    return !id.empty() && id != first && !path(containerStatus("live", "app"), "state.running").empty();
  });
  json::object s = containerStatus("live", "app");
  EXPECT_NE(path(s, "containerID"), first);
  EXPECT_EQ(path(s, "restartCount"), "1");
  EXPECT_EQ(path(s, "lastState.terminated.containerID"), first);
  EXPECT_EQ(fake.callCount("StopContainer"), 1);
}

TEST_F(KubeletTest, FailedPostStartHookKillsTheContainer) {
  fake.setExecHandler([](const v1::ContainerStatus&, const v1::ExecSyncRequest&) {
    v1::ExecSyncResponse r;
    r.set_exit_code(1);
    r.set_stderr("no");
    return r;
  });
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"hook"},
      "spec":{"nodeName":"node-1","restartPolicy":"Never","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35",
        "lifecycle":{"postStart":{"exec":{"command":["false"]}}}}]}})");
  server.runFor(5s, [&] { return fake.callCount("StopContainer") >= 1 && field("hook", "status.phase") == "Failed"; });
  EXPECT_EQ(fake.callCount("ExecSync"), 1);
  EXPECT_GE(fake.callCount("StopContainer"), 1);
  EXPECT_EQ(field("hook", "status.phase"), "Failed");
  EXPECT_EQ(fake.callCount("CreateContainer"), 1);  // Never: not restarted
}

TEST_F(KubeletTest, StatusIsWrittenOnlyWhenItChanges) {
  start();
  create(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"quiet"},
      "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"docker.io/kcpp/busybox:1.35"}]}})");
  server.runFor(5s, [&] { return field("quiet", "status.phase") == "Running"; });
  server.runFor(300ms);
  std::size_t writes = kubelet->statusManager().writes();
  EXPECT_LE(writes, 3u);
  std::string rv = field("quiet", "metadata.resourceVersion");
  server.runFor(1500ms);  // resyncs and relists
  EXPECT_EQ(kubelet->statusManager().writes(), writes);
  EXPECT_EQ(field("quiet", "metadata.resourceVersion"), rv);
  // A container exit changes it (found by the relist).
  auto containers = fake.containers();
  ASSERT_EQ(containers.size(), 1u);
  fake.exitContainer(containers[0].id(), 137, "OOMKilled");
  server.runFor(3s, [&] { return path(containerStatus("quiet", "app"), "lastState.terminated.reason") == "OOMKilled"; });
  EXPECT_EQ(path(containerStatus("quiet", "app"), "lastState.terminated.reason"), "OOMKilled");
  EXPECT_EQ(path(containerStatus("quiet", "app"), "lastState.terminated.exitCode"), "137");
}

}  // namespace
}  // namespace kcpp::kubelet
