// ProberManager: workers, thresholds, gating and events against loopback servers,
// with one probe "second" lasting 50 ms.
#include "kubelet/prober/prober_manager.h"

#include <gtest/gtest.h>

#include "kubelet/prober/test_servers.h"

namespace kcpp::kubelet::prober {
namespace {

namespace asio = boost::asio;

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::Answer;

constexpr auto kSecond = 50ms;

class ProberManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ProberOptions options;
    options.second = kSecond;
    options.recordEvent = [this](const json::object&, const std::string& c, const std::string& type,
                                 const std::string& reason, const std::string& message) {
      events.push_back(c + "|" + type + "|" + reason + "|" + message);
    };
    options.exec = [this](const std::string& id, const std::vector<std::string>& cmd,
                          std::chrono::milliseconds timeout) -> asio::awaitable<Result<ExecResult>> {
      execCalls.push_back(id + ":" + cmd.at(0) + ":" + std::to_string(timeout.count()));
      co_return execAnswer;
    };
    manager = std::make_unique<ProberManager>(
        io.get_executor(), [this](const std::string& uid, const std::string& c) { restarts.push_back(uid + "/" + c); },
        options);
  }

  // A pod whose container "app" has these probes (JSON members of the container).
  json::object pod(const std::string& probes) {
    json::object p = json::parse(R"({"metadata":{"name":"web","namespace":"default","uid":"u1"},
        "spec":{"containers":[{"name":"app","ports":[{"name":"http","containerPort":1}]}]}})").as_object();
    json::object& c = p["spec"].as_object()["containers"].as_array()[0].as_object();
    c["ports"].as_array()[0].as_object()["containerPort"] = server.port();
    json::value extra = json::parse(probes);
    for (auto& [k, v] : extra.as_object()) c[k] = v;
    return p;
  }

  void start(const std::string& probes, const std::string& id = "c1") {
    manager->addPod(pod(probes));
    manager->updateContainerStatus("u1", "app", id, true, "127.0.0.1");
  }

  void run(std::chrono::milliseconds d, const std::function<bool()>& until = nullptr) {
    testing::runFor(io, d, until);
  }

  asio::io_context io;
  testing::TestHttpServer server{io};
  std::unique_ptr<ProberManager> manager;
  std::vector<std::string> events, restarts, execCalls;
  Result<ExecResult> execAnswer = ExecResult{0, "", false};
};

TEST_F(ProberManagerTest, ReadinessFalseUntilSuccessThresholdThenFailureThreshold) {
  server.answer("/ready", Answer{200});
  start(R"({"readinessProbe":{"httpGet":{"path":"/ready","port":"http"},"periodSeconds":1,
            "successThreshold":3,"failureThreshold":2}})");
  EXPECT_FALSE(manager->ready("u1", "app"));
  EXPECT_TRUE(manager->started("u1", "app"));  // no startup probe
  run(5s, [&] { return server.count("/ready") >= 2; });
  EXPECT_FALSE(manager->ready("u1", "app"));  // 2 of 3 successes
  run(5s, [&] { return manager->ready("u1", "app"); });
  EXPECT_TRUE(manager->ready("u1", "app"));
  EXPECT_GE(server.count("/ready"), 3u);

  server.answer("/ready", Answer{503});
  std::size_t before = server.count("/ready");
  run(5s, [&] { return server.count("/ready") >= before + 1; });
  EXPECT_TRUE(manager->ready("u1", "app"));  // 1 of 2 failures
  run(5s, [&] { return !manager->ready("u1", "app"); });
  EXPECT_FALSE(manager->ready("u1", "app"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "app|Warning|Unhealthy|Readiness probe failed: HTTP probe failed with statuscode: 503");
  EXPECT_TRUE(restarts.empty());  // readiness never restarts
}

TEST_F(ProberManagerTest, NoReadinessProbeMeansReadyOnceRunning) {
  manager->addPod(pod("{}"));
  EXPECT_FALSE(manager->ready("u1", "app"));
  manager->updateContainerStatus("u1", "app", "c1", true, "127.0.0.1");
  EXPECT_TRUE(manager->ready("u1", "app"));
  manager->updateContainerStatus("u1", "app", "c1", false, "127.0.0.1");
  EXPECT_FALSE(manager->ready("u1", "app"));
  EXPECT_FALSE(manager->ready("other", "app"));
}

TEST_F(ProberManagerTest, LivenessFailureThresholdRestartsOnceThenWaitsForNewContainer) {
  server.answer("/live", Answer{500});
  start(R"({"livenessProbe":{"httpGet":{"path":"/live","port":"http",
            "httpHeaders":[{"name":"X-Probe","value":"live"}]},"periodSeconds":1,"failureThreshold":3}})");
  run(5s, [&] { return !restarts.empty(); });
  ASSERT_EQ(restarts.size(), 1u);
  EXPECT_EQ(restarts[0], "u1/app");
  EXPECT_EQ(server.count("/live"), 3u);  // exactly failureThreshold probes
  EXPECT_EQ(server.requests("/live")[0].headers["x-probe"], "live");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], "app|Warning|Unhealthy|Liveness probe failed: HTTP probe failed with statuscode: 500");
  run(300ms);
  EXPECT_EQ(server.count("/live"), 3u);  // on hold until a new container
  EXPECT_EQ(restarts.size(), 1u);
  server.answer("/live", Answer{200});
  manager->updateContainerStatus("u1", "app", "c2", true, "127.0.0.1");
  run(5s, [&] { return server.count("/live") >= 5; });
  EXPECT_EQ(restarts.size(), 1u);
}

TEST_F(ProberManagerTest, InitialDelayHoldsTheFirstProbe) {
  server.answer("/ready", Answer{200});
  auto begin = std::chrono::steady_clock::now();
  start(R"({"readinessProbe":{"httpGet":{"path":"/ready","port":"http"},"periodSeconds":1,
            "initialDelaySeconds":8}})");
  run(5s, [&] { return manager->ready("u1", "app"); });
  EXPECT_TRUE(manager->ready("u1", "app"));
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 8 * kSecond);
}

TEST_F(ProberManagerTest, StartupProbeGatesLivenessAndReadiness) {
  server.answer("/startup", Answer{500});
  server.answer("/live", Answer{500});
  server.answer("/ready", Answer{200});
  start(R"({"startupProbe":{"httpGet":{"path":"/startup","port":"http"},"periodSeconds":1,"failureThreshold":30},
            "livenessProbe":{"httpGet":{"path":"/live","port":"http"},"periodSeconds":1,"failureThreshold":1},
            "readinessProbe":{"httpGet":{"path":"/ready","port":"http"},"periodSeconds":1}})");
  run(5s, [&] { return server.count("/startup") >= 4; });
  EXPECT_FALSE(manager->started("u1", "app"));
  EXPECT_FALSE(manager->ready("u1", "app"));
  EXPECT_EQ(server.count("/live"), 0u);
  EXPECT_EQ(server.count("/ready"), 0u);
  EXPECT_TRUE(restarts.empty());
  EXPECT_EQ(events.back(), "app|Warning|Unhealthy|Startup probe failed: HTTP probe failed with statuscode: 500");

  server.answer("/startup", Answer{200});
  server.answer("/live", Answer{200});
  run(5s, [&] { return manager->started("u1", "app") && manager->ready("u1", "app"); });
  EXPECT_TRUE(manager->started("u1", "app"));
  EXPECT_TRUE(manager->ready("u1", "app"));
  std::size_t startups = server.count("/startup");
  run(5s, [&] { return server.count("/live") >= 2; });
  EXPECT_GE(server.count("/live"), 2u);
  EXPECT_EQ(server.count("/startup"), startups);  // no more startup probes once started
}

TEST_F(ProberManagerTest, StartupFailurePastThresholdRestarts) {
  server.answer("/startup", Answer{500});
  start(R"({"startupProbe":{"httpGet":{"path":"/startup","port":"http"},"periodSeconds":1,"failureThreshold":2}})");
  run(5s, [&] { return !restarts.empty(); });
  EXPECT_EQ(restarts.size(), 1u);
  EXPECT_EQ(server.count("/startup"), 2u);
}

TEST_F(ProberManagerTest, TimeoutIsAFailure) {
  server.answer("/slow", Answer{200, "", "", 2s});
  start(R"({"livenessProbe":{"httpGet":{"path":"/slow","port":"http"},"periodSeconds":10,
            "timeoutSeconds":2,"failureThreshold":1}})");
  run(5s, [&] { return !restarts.empty(); });
  ASSERT_EQ(restarts.size(), 1u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], "app|Warning|Unhealthy|Liveness probe failed: Get \"http://127.0.0.1:" +
                           std::to_string(server.port()) +
                           "/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
}

TEST_F(ProberManagerTest, TcpSocketProbe) {
  start(R"({"readinessProbe":{"tcpSocket":{"port":"http"},"periodSeconds":1}})");
  run(5s, [&] { return manager->ready("u1", "app"); });
  EXPECT_TRUE(manager->ready("u1", "app"));
  server.close();
  run(5s, [&] { return !manager->ready("u1", "app"); });
  EXPECT_FALSE(manager->ready("u1", "app"));
  EXPECT_NE(events.back().find("Readiness probe failed: dial tcp 127.0.0.1:"), std::string::npos) << events.back();
}

TEST_F(ProberManagerTest, ExecProbeThroughTheRuntimeSeam) {
  execAnswer = ExecResult{1, "cat: can't open '/tmp/healthy': No such file or directory", false};
  start(R"({"livenessProbe":{"exec":{"command":["cat","/tmp/healthy"]},"periodSeconds":1,
            "timeoutSeconds":3,"failureThreshold":2}})", "cid-9");
  run(5s, [&] { return !restarts.empty(); });
  ASSERT_EQ(restarts.size(), 1u);
  ASSERT_FALSE(execCalls.empty());
  EXPECT_EQ(execCalls[0], "cid-9:cat:150");  // container id, command, timeout (3 × 50 ms)
  EXPECT_EQ(events[0], "app|Warning|Unhealthy|Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory");

  execAnswer = ExecResult{0, "", true};
  manager->updateContainerStatus("u1", "app", "cid-10", true, "127.0.0.1");
  run(5s, [&] { return restarts.size() == 2; });
  EXPECT_EQ(events.back(), "app|Warning|Unhealthy|Liveness probe failed: command \"cat /tmp/healthy\" timed out");
}

TEST_F(ProberManagerTest, RemovePodStopsWorkers) {
  server.answer("/ready", Answer{200});
  start(R"({"readinessProbe":{"httpGet":{"path":"/ready","port":"http"},"periodSeconds":1}})");
  run(5s, [&] { return manager->ready("u1", "app"); });
  manager->removePod("u1");
  EXPECT_FALSE(manager->ready("u1", "app"));
  run(100ms);
  std::size_t count = server.count("/ready");
  run(300ms);
  EXPECT_EQ(server.count("/ready"), count);
}

TEST_F(ProberManagerTest, BadPortNameIsAnErrorNotAFailure) {
  start(R"({"livenessProbe":{"httpGet":{"path":"/","port":"nope"},"periodSeconds":1,"failureThreshold":1}})");
  run(5s, [&] { return !events.empty(); });
  run(200ms);
  EXPECT_TRUE(restarts.empty());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0], "app|Warning|Unhealthy|Liveness probe errored and resulted in unknown state: "
                       "strconv.Atoi: parsing \"nope\": invalid syntax");
}

}  // namespace
}  // namespace kcpp::kubelet::prober
