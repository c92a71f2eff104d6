#include <gtest/gtest.h>

#include "kubelet/kuberuntime/container_hash.h"
#include "kubelet/kuberuntime/pod_actions.h"

namespace kcpp::kubelet::kuberuntime {
namespace {

using namespace std::chrono;

json::object pod(const std::string& policy, std::vector<std::string> containers, std::vector<std::string> inits = {}) {
  json::array cs, is;
  for (const auto& c : containers) cs.push_back(json::object{{"name", c}, {"image", "busybox"}});
  for (const auto& c : inits) is.push_back(json::object{{"name", c}, {"image", "busybox"}});
  json::object spec{{"restartPolicy", policy}, {"containers", cs}};
  if (!is.empty()) spec["initContainers"] = is;
  return json::object{{"metadata", json::object{{"name", "p"}, {"namespace", "ns"}, {"uid", "u"}}}, {"spec", spec}};
}

const json::object& specOf(const json::object& p, const std::string& name) {
  for (const char* field : {"containers", "initContainers"}) {
    for (const json::object* c : specContainers(p, field)) {
      if (c->at("name") == name.c_str()) return *c;
    }
  }
  throw std::logic_error("no container");
}

struct Builder {
  explicit Builder(json::object p) : pod(std::move(p)) {}
  json::object pod;
  PodRuntimeStatus status;
  Builder& sandbox(bool ready = true, int attempt = 0) {
    RuntimeSandbox s;
    s.id = "sb" + std::to_string(attempt);
    s.ready = ready;
    s.attempt = attempt;
    s.ip = "10.42.0.5";
    status.sandboxes.insert(status.sandboxes.begin(), s);
    return *this;
  }
  Builder& container(const std::string& name, ContainerState state, int exitCode = 0) {
    RuntimeContainer c;
    c.id = name + std::to_string(status.containers.size());
    c.name = name;
    c.state = state;
    c.exitCode = exitCode;
    c.hash = containerHash(specOf(pod, name));
    c.finishedAt = system_clock::now();
    status.containers.insert(status.containers.begin(), c);
    return *this;
  }
};

TEST(PodActions, NewPodCreatesSandboxAndStartsAllContainers) {
  Builder b{pod("Always", {"a", "b"})};
  PodActions a = computePodActions(b.pod, b.status);
  EXPECT_TRUE(a.createSandbox);
  EXPECT_TRUE(a.killPod);
  EXPECT_EQ(a.attempt, 0);
  EXPECT_EQ(a.containersToStart, (std::vector<std::size_t>{0, 1}));
  EXPECT_FALSE(a.nextInitContainer);
}

TEST(PodActions, InitContainersRunOneAfterAnother) {
  Builder b{pod("Always", {"app"}, {"i1", "i2"})};
  PodActions a = computePodActions(b.pod, b.status);
  EXPECT_TRUE(a.createSandbox);
  EXPECT_EQ(a.nextInitContainer, std::size_t{0});
  EXPECT_TRUE(a.containersToStart.empty());
  b.sandbox().container("i1", ContainerState::Running);
  a = computePodActions(b.pod, b.status);
  EXPECT_FALSE(a.createSandbox);
  EXPECT_FALSE(a.nextInitContainer);  // i1 still running: wait
  EXPECT_TRUE(a.containersToStart.empty());
  b.status.containers.clear();
  b.container("i1", ContainerState::Exited, 0);
  a = computePodActions(b.pod, b.status);
  EXPECT_EQ(a.nextInitContainer, std::size_t{1});
  b.container("i2", ContainerState::Exited, 0);
  a = computePodActions(b.pod, b.status);
  EXPECT_FALSE(a.nextInitContainer);
  EXPECT_EQ(a.containersToStart, (std::vector<std::size_t>{0}));
}

TEST(PodActions, FailedInitContainerRetriesOrFailsThePod) {
  Builder b{pod("Always", {"app"}, {"i1", "i2"})};
  b.sandbox().container("i1", ContainerState::Exited, 0).container("i2", ContainerState::Exited, 3);
  PodActions a = computePodActions(b.pod, b.status);
  EXPECT_EQ(a.nextInitContainer, std::size_t{1});
  EXPECT_FALSE(a.killPod);
  Builder never{pod("Never", {"app"}, {"i1"})};
  never.sandbox().container("i1", ContainerState::Exited, 1);
  a = computePodActions(never.pod, never.status);
  EXPECT_TRUE(a.killPod);
  EXPECT_FALSE(a.nextInitContainer);
}

TEST(PodActions, RestartPolicies) {
  for (auto [policy, exitCode, restart] : std::vector<std::tuple<std::string, int, bool>>{
           {"Always", 0, true}, {"Always", 1, true}, {"OnFailure", 0, false}, {"OnFailure", 2, true},
           {"Never", 0, false}, {"Never", 1, false}}) {
    Builder b{pod(policy, {"app"})};
    b.sandbox().container("app", ContainerState::Exited, exitCode);
    PodActions a = computePodActions(b.pod, b.status);
    EXPECT_EQ(!a.containersToStart.empty(), restart) << policy << " exit " << exitCode;
    EXPECT_FALSE(a.createSandbox);
    // Nothing left to run: the sandbox goes.
    EXPECT_EQ(a.killPod, !restart) << policy << " exit " << exitCode;
  }
}

TEST(PodActions, RunningContainersAreKept) {
  Builder b{pod("Always", {"a", "b"})};
  b.sandbox().container("a", ContainerState::Running).container("b", ContainerState::Running);
  PodActions a = computePodActions(b.pod, b.status);
  EXPECT_FALSE(a.killPod);
  EXPECT_FALSE(a.createSandbox);
  EXPECT_TRUE(a.containersToStart.empty());
  EXPECT_TRUE(a.containersToKill.empty());
  EXPECT_EQ(a.sandboxId, "sb0");
}

TEST(PodActions, ChangedSpecRestartsTheContainer) {
  Builder b{pod("Never", {"a"})};
  b.sandbox().container("a", ContainerState::Running);
  b.pod["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "busybox:2";
  PodActions a = computePodActions(b.pod, b.status);
  ASSERT_EQ(a.containersToKill.size(), 1u);
  EXPECT_EQ(a.containersToKill[0].message, "Container a definition changed, will be restarted");
  EXPECT_EQ(a.containersToStart, (std::vector<std::size_t>{0}));  // even with Never
}

TEST(PodActions, LivenessFailureRestartsPerPolicy) {
  Builder b{pod("Always", {"a"})};
  b.sandbox().container("a", ContainerState::Running);
  std::string id = b.status.containers[0].id;
  PodActions a = computePodActions(b.pod, b.status, {id});
  ASSERT_EQ(a.containersToKill.size(), 1u);
  EXPECT_EQ(a.containersToKill[0].message, "Container a failed liveness probe, will be restarted");
  EXPECT_EQ(a.containersToKill[0].reason, "Unhealthy");
  EXPECT_EQ(a.containersToStart.size(), 1u);
  b.pod["spec"].as_object()["restartPolicy"] = "Never";
  a = computePodActions(b.pod, b.status, {id});
  EXPECT_EQ(a.containersToKill[0].message, "Container a failed liveness probe");
  EXPECT_TRUE(a.containersToStart.empty());
  EXPECT_TRUE(a.killPod);
}

TEST(PodActions, DeadSandboxIsRecreatedWithTheNextAttempt) {
  Builder b{pod("Always", {"a"})};
  b.sandbox(false, 2).container("a", ContainerState::Exited, 137);
  PodActions a = computePodActions(b.pod, b.status);
  EXPECT_TRUE(a.createSandbox);
  EXPECT_EQ(a.attempt, 3);
  EXPECT_EQ(a.sandboxId, "sb2");
  // OnFailure with everything succeeded: no new sandbox.
  Builder done{pod("OnFailure", {"a"})};
  done.sandbox(false).container("a", ContainerState::Exited, 0);
  EXPECT_FALSE(computePodActions(done.pod, done.status).createSandbox);
  // Never after containers ran: no new sandbox.
  Builder never{pod("Never", {"a"})};
  never.sandbox(false).container("a", ContainerState::Exited, 1);
  a = computePodActions(never.pod, never.status);
  EXPECT_TRUE(a.killPod);
  EXPECT_FALSE(a.createSandbox);
}

TEST(PodActions, DeletedPodsDoNotRestart) {
  Builder b{pod("Always", {"a"})};
  b.pod["metadata"].as_object()["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  b.sandbox().container("a", ContainerState::Exited, 1);
  PodActions a = computePodActions(b.pod, b.status);
  EXPECT_TRUE(a.containersToStart.empty());
  EXPECT_TRUE(a.killPod);
}

TEST(CrashLoopBackOff, MessagesDoubleAsUpstream) {
  Builder b{pod("Always", {"app"})};
  b.sandbox().container("app", ContainerState::Exited, 1);
  Backoff backoff;
  auto t = system_clock::now();
  auto& exited = b.status.containers[0];
  exited.finishedAt = t;
  const json::object& spec = specOf(b.pod, "app");
  EXPECT_FALSE(checkBackoff(b.pod, spec, b.status, backoff, t));  // first restart: at once
  std::vector<std::string> messages;
  for (int i = 0; i < 6; ++i) {
    t += seconds(1);
    exited.finishedAt = t;  // it crashed again right after the restart
    auto m = checkBackoff(b.pod, spec, b.status, backoff, t);
    ASSERT_TRUE(m);
    messages.push_back(*m);
    // Once the back-off passed, the restart is allowed and the back-off doubles.
    auto later = t + backoff.get("p_ns_u_app_" + containerHash(spec));
    EXPECT_FALSE(checkBackoff(b.pod, spec, b.status, backoff, later));
  }
  EXPECT_EQ(messages[0], "back-off 10s restarting failed container=app pod=p_ns(u)");
  EXPECT_EQ(messages[1], "back-off 20s restarting failed container=app pod=p_ns(u)");
  EXPECT_EQ(messages[3], "back-off 1m20s restarting failed container=app pod=p_ns(u)");
  EXPECT_EQ(messages[4], "back-off 2m40s restarting failed container=app pod=p_ns(u)");
  EXPECT_EQ(messages[5], "back-off 5m0s restarting failed container=app pod=p_ns(u)");
}

TEST(GoDuration, Formats) {
  EXPECT_EQ(goDuration(seconds(10)), "10s");
  EXPECT_EQ(goDuration(seconds(300)), "5m0s");
  EXPECT_EQ(goDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(goDuration(milliseconds(200)), "200ms");
  EXPECT_EQ(goDuration(hours(1) + seconds(5)), "1h0m5s");
}

}  // namespace
}  // namespace kcpp::kubelet::kuberuntime
