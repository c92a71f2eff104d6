// Pod status generation, compared field by field with what upstream's kubelet reports.
#include "kubelet/status/pod_status.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"
#include "kubelet/kuberuntime/container_hash.h"

namespace kcpp::kubelet::status {
namespace {

namespace kr = kubelet::kuberuntime;
using namespace std::chrono;

json::object makePod(const std::string& policy, std::vector<std::string> containers, std::vector<std::string> inits = {}) {
  json::array cs, is;
  for (const auto& c : containers) cs.push_back(json::object{{"name", c}, {"image", "busybox"}});
  for (const auto& c : inits) is.push_back(json::object{{"name", c}, {"image", "busybox"}});
  json::object spec{{"restartPolicy", policy}, {"containers", cs}, {"nodeName", "n1"}};
  if (!is.empty()) spec["initContainers"] = is;
  return json::object{{"metadata", json::object{{"name", "p"}, {"namespace", "ns"}, {"uid", "u"}}},
                      {"spec", spec},
                      {"status", json::object{{"phase", "Pending"},
                                              {"conditions", json::array{json::object{
                                                  {"type", "PodScheduled"}, {"status", "True"},
                                                  {"lastTransitionTime", "2026-01-01T00:00:00Z"}}}}}}};
}

struct Fixture {
  explicit Fixture(json::object p) : pod(std::move(p)) {}
  json::object pod;
  kr::PodRuntimeStatus runtime;
  std::map<std::string, WaitingReason> waiting;
  std::optional<WaitingReason> failure;
  SystemTime t0 = system_clock::from_time_t(1800000000);
  std::function<bool(const std::string&)> ready;

  Fixture& sandbox(bool ready = true) {
    kr::RuntimeSandbox s;
    s.id = "sb";
    s.ready = ready;
    s.ip = "10.42.0.7";
    runtime.sandboxes.insert(runtime.sandboxes.begin(), s);
    return *this;
  }
  Fixture& container(const std::string& name, kr::ContainerState state, int exitCode = 0, int restart = 0,
                     std::string reason = "") {
    kr::RuntimeContainer c;
    c.id = name + "-" + std::to_string(restart);
    c.name = name;
    c.state = state;
    c.exitCode = exitCode;
    c.restartCount = restart;
    c.image = "docker.io/library/busybox:latest";
    c.imageRef = "docker.io/library/busybox@sha256:abc";
    c.startedAt = t0 + seconds(10 * restart);
    if (state == kr::ContainerState::Exited) c.finishedAt = t0 + seconds(10 * restart + 5);
    c.reason = std::move(reason);
    runtime.containers.insert(runtime.containers.begin(), c);
    return *this;
  }
  json::object status() {
    StatusInputs in;
    in.pod = &pod;
    in.runtime = &runtime;
    in.waiting = waiting;
    in.hostIps = {"192.168.1.5"};
    in.now = t0 + minutes(1);
    in.podFailure = failure;
    in.ready = ready;
    return generatePodStatus(in);
  }
};

const json::object& cond(const json::object& status, const std::string& type) {
  for (const auto& c : status.at("conditions").as_array()) {
    if (c.at("type") == type.c_str()) return c.as_object();
  }
  throw std::logic_error("no condition " + type);
}

std::string condStatus(const json::object& status, const std::string& type) {
  return std::string(cond(status, type).at("status").as_string());
}

const json::object& cstatus(const json::object& status, const std::string& name, const char* list = "containerStatuses") {
  for (const auto& c : status.at(list).as_array()) {
    if (c.at("name") == name.c_str()) return c.as_object();
  }
  throw std::logic_error("no container " + name);
}

std::string stateKey(const json::object& s) { return std::string(s.at("state").as_object().begin()->key()); }

TEST(PodStatus, NewPodIsPendingWithContainerCreating) {
  Fixture f(makePod("Always", {"b", "a"}));
  json::object s = f.status();
  EXPECT_EQ(s.at("phase"), "Pending");
  EXPECT_EQ(cstatus(s, "a").at("state").at("waiting").at("reason"), "ContainerCreating");
  EXPECT_EQ(s.at("containerStatuses").as_array()[0].at("name"), "a");  // sorted by name
  EXPECT_EQ(condStatus(s, "PodReadyToStartContainers"), "False");
  EXPECT_EQ(condStatus(s, "Initialized"), "True");
  EXPECT_EQ(cond(s, "Ready").at("reason"), "ContainersNotReady");
  // Names in spec order, as upstream's message.
  EXPECT_EQ(cond(s, "Ready").at("message"), "containers with unready status: [b a]");
  EXPECT_EQ(cond(s, "ContainersReady").at("message"), "containers with unready status: [b a]");
  EXPECT_EQ(cond(s, "PodScheduled").at("lastTransitionTime"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(s.at("hostIP"), "192.168.1.5");
  EXPECT_EQ(s.at("hostIPs").as_array()[0].at("ip"), "192.168.1.5");
  EXPECT_FALSE(s.contains("podIP"));
  EXPECT_EQ(s.at("qosClass"), "BestEffort");
  EXPECT_EQ(s.at("startTime"), api::formatTime(f.t0 + minutes(1)).c_str());
  EXPECT_EQ(cstatus(s, "a").at("ready"), false);
  EXPECT_EQ(cstatus(s, "a").at("restartCount"), 0);
}

TEST(PodStatus, RunningPodIsReady) {
  Fixture f(makePod("Always", {"a"}));
  f.sandbox().container("a", kr::ContainerState::Running);
  json::object s = f.status();
  EXPECT_EQ(s.at("phase"), "Running");
  EXPECT_EQ(s.at("podIP"), "10.42.0.7");
  EXPECT_EQ(s.at("podIPs").as_array()[0].at("ip"), "10.42.0.7");
  const json::object& a = cstatus(s, "a");
  EXPECT_EQ(a.at("state").at("running").at("startedAt"), api::formatTime(f.t0).c_str());
  EXPECT_EQ(a.at("containerID"), "containerd://a-0");
  EXPECT_EQ(a.at("imageID"), "docker.io/library/busybox@sha256:abc");
  EXPECT_EQ(a.at("image"), "docker.io/library/busybox:latest");
  EXPECT_EQ(a.at("ready"), true);
  EXPECT_EQ(a.at("started"), true);
  EXPECT_TRUE(a.at("lastState").as_object().empty());
  for (const char* c : {"PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled"}) {
    EXPECT_EQ(condStatus(s, c), "True") << c;
    EXPECT_FALSE(cond(s, c).contains("reason")) << c;
  }
  // Readiness from the prober.
  f.ready = [](const std::string&) { return false; };
  s = f.status();
  EXPECT_EQ(cstatus(s, "a").at("ready"), false);
  EXPECT_EQ(cond(s, "Ready").at("message"), "containers with unready status: [a]");
}

TEST(PodStatus, LastTransitionTimesSurviveUnchangedConditions) {
  Fixture f(makePod("Always", {"a"}));
  f.sandbox().container("a", kr::ContainerState::Running);
  json::object first = f.status();
  f.pod["status"] = first;
  json::object again = generatePodStatus(StatusInputs{&f.pod, &f.runtime, {}, nullptr, nullptr, {"192.168.1.5"},
                                                       f.t0 + minutes(5), std::nullopt});
  EXPECT_EQ(cond(again, "Ready").at("lastTransitionTime"), cond(first, "Ready").at("lastTransitionTime"));
  EXPECT_EQ(again.at("startTime"), first.at("startTime"));
}

TEST(PodStatus, InitContainersInProgress) {
  Fixture f(makePod("Always", {"app"}, {"i1", "i2"}));
  f.sandbox().container("i1", kr::ContainerState::Exited, 0).container("i2", kr::ContainerState::Running);
  json::object s = f.status();
  EXPECT_EQ(s.at("phase"), "Pending");
  EXPECT_EQ(cstatus(s, "app").at("state").at("waiting").at("reason"), "PodInitializing");
  const json::object& i1 = cstatus(s, "i1", "initContainerStatuses");
  EXPECT_EQ(i1.at("state").at("terminated").at("reason"), "Completed");
  EXPECT_EQ(i1.at("ready"), true);
  EXPECT_EQ(stateKey(cstatus(s, "i2", "initContainerStatuses")), "running");
  EXPECT_EQ(s.at("initContainerStatuses").as_array()[0].at("name"), "i1");  // spec order
  EXPECT_EQ(cond(s, "Initialized").at("reason"), "ContainersNotInitialized");
  EXPECT_EQ(cond(s, "Initialized").at("message"), "containers with incomplete status: [i2]");
}

TEST(PodStatus, FailedInitContainerFailsANeverPod) {
  Fixture f(makePod("Never", {"app"}, {"i1"}));
  f.sandbox().container("i1", kr::ContainerState::Exited, 2);
  json::object s = f.status();
  EXPECT_EQ(s.at("phase"), "Failed");
  EXPECT_EQ(cstatus(s, "i1", "initContainerStatuses").at("state").at("terminated").at("reason"), "Error");
  EXPECT_EQ(cstatus(s, "i1", "initContainerStatuses").at("state").at("terminated").at("exitCode"), 2);
  EXPECT_EQ(cond(s, "Ready").at("reason"), "PodFailed");
}

TEST(PodStatus, CrashLoopBackOffShowsWaitingWithLastState) {
  Fixture f(makePod("Always", {"a"}));
  f.sandbox().container("a", kr::ContainerState::Exited, 1, 0).container("a", kr::ContainerState::Exited, 1, 1);
  f.waiting["a"] = {"CrashLoopBackOff", "back-off 20s restarting failed container=a pod=p_ns(u)"};
  json::object s = f.status();
  const json::object& a = cstatus(s, "a");
  EXPECT_EQ(a.at("state").at("waiting").at("reason"), "CrashLoopBackOff");
  EXPECT_EQ(a.at("state").at("waiting").at("message"), "back-off 20s restarting failed container=a pod=p_ns(u)");
  EXPECT_EQ(a.at("lastState").at("terminated").at("exitCode"), 1);
  EXPECT_EQ(a.at("lastState").at("terminated").at("reason"), "Error");
  EXPECT_EQ(a.at("lastState").at("terminated").at("containerID"), "containerd://a-1");
  EXPECT_EQ(a.at("restartCount"), 1);
  EXPECT_EQ(s.at("phase"), "Running");  // restartPolicy Always: restarting
}

TEST(PodStatus, RestartedContainerShowsPreviousTermination) {
  Fixture f(makePod("Always", {"a"}));
  f.sandbox().container("a", kr::ContainerState::Exited, 137, 0, "OOMKilled").container("a", kr::ContainerState::Running, 0, 1);
  json::object s = f.status();
  const json::object& a = cstatus(s, "a");
  EXPECT_EQ(stateKey(a), "running");
  EXPECT_EQ(a.at("lastState").at("terminated").at("reason"), "OOMKilled");
  EXPECT_EQ(a.at("lastState").at("terminated").at("exitCode"), 137);
  EXPECT_EQ(a.at("lastState").at("terminated").at("finishedAt"), api::formatTime(f.t0 + seconds(5)).c_str());
  EXPECT_EQ(a.at("restartCount"), 1);
}

TEST(PodStatus, PhasesPerRestartPolicy) {
  struct Case {
    std::string policy;
    std::vector<int> exits;
    std::string phase;
  };
  for (const Case& c : std::vector<Case>{{"Never", {0, 0}, "Succeeded"},
                                         {"Never", {0, 1}, "Failed"},
                                         {"OnFailure", {0, 0}, "Succeeded"},
                                         {"OnFailure", {0, 1}, "Running"},
                                         {"Always", {0, 0}, "Running"}}) {
    Fixture f(makePod(c.policy, {"a", "b"}));
    f.sandbox(false).container("a", kr::ContainerState::Exited, c.exits[0]).container("b", kr::ContainerState::Exited, c.exits[1]);
    json::object s = f.status();
    EXPECT_EQ(s.at("phase"), c.phase.c_str()) << c.policy << " " << c.exits[1];
  }
  Fixture done(makePod("Never", {"a"}));
  done.pod["status"].as_object()["podIPs"] = json::array{json::object{{"ip", "10.42.0.7"}}};
  done.sandbox(false).container("a", kr::ContainerState::Exited, 0);
  json::object s = done.status();
  EXPECT_EQ(cond(s, "Ready").at("reason"), "PodCompleted");
  EXPECT_EQ(cond(s, "ContainersReady").at("reason"), "PodCompleted");
  EXPECT_EQ(condStatus(s, "PodReadyToStartContainers"), "False");
  // A stopped sandbox reports no IP: the pod keeps the one it had.
  EXPECT_EQ(s.at("podIP"), "10.42.0.7");
}

TEST(PodStatus, TerminalPhaseNeverGoesBack) {
  Fixture f(makePod("Always", {"a"}));
  f.pod["status"].as_object()["phase"] = "Failed";
  f.sandbox().container("a", kr::ContainerState::Running);
  EXPECT_EQ(f.status().at("phase"), "Failed");
}

TEST(PodStatus, ActiveDeadlineFailsThePod) {
  Fixture f(makePod("Always", {"a"}));
  f.sandbox().container("a", kr::ContainerState::Running);
  f.failure = WaitingReason{"DeadlineExceeded", "Pod was active on the node longer than the specified deadline"};
  json::object s = f.status();
  EXPECT_EQ(s.at("phase"), "Failed");
  EXPECT_EQ(s.at("reason"), "DeadlineExceeded");
  EXPECT_EQ(s.at("message"), "Pod was active on the node longer than the specified deadline");
}

TEST(PodStatus, ReadinessGatesAndForeignConditions) {
  Fixture f(makePod("Always", {"a"}));
  f.pod["spec"].as_object()["readinessGates"] = json::array{json::object{{"conditionType", "example.com/lb"}}};
  f.sandbox().container("a", kr::ContainerState::Running);
  json::object s = f.status();
  EXPECT_EQ(cond(s, "Ready").at("reason"), "ReadinessGatesNotReady");
  EXPECT_EQ(cond(s, "Ready").at("message"), "corresponding condition of pod readiness gate \"example.com/lb\" does not exist.");
  f.pod["status"].as_object()["conditions"].as_array().push_back(
      json::object{{"type", "example.com/lb"}, {"status", "True"}, {"lastTransitionTime", "2026-01-01T00:00:00Z"}});
  s = f.status();
  EXPECT_EQ(condStatus(s, "Ready"), "True");
  EXPECT_EQ(condStatus(s, "example.com/lb"), "True");  // kept
}

TEST(PodStatus, VanishedRunningContainerIsReportedTerminated) {
  Fixture f(makePod("Never", {"a"}));
  f.pod["status"].as_object()["containerStatuses"] = json::array{json::object{
      {"name", "a"}, {"restartCount", 0}, {"state", json::object{{"running", json::object{{"startedAt", "2026-01-01T00:00:00Z"}}}}}}};
  f.sandbox();
  json::object s = f.status();
  const json::object& a = cstatus(s, "a");
  EXPECT_EQ(a.at("lastState").at("terminated").at("reason"), "ContainerStatusUnknown");
  EXPECT_EQ(a.at("lastState").at("terminated").at("exitCode"), 137);
  EXPECT_EQ(s.at("phase"), "Failed");
}

}  // namespace
}  // namespace kcpp::kubelet::status
