// The pure parts of the simulated kubelet: durations, pod facts and the statuses it reports.
#include "sim/sim_pod.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"

namespace kcpp::sim {
namespace {

using namespace std::chrono_literals;

json::object pod() {
  std::string text = R"({"metadata":{"name":"p","namespace":"ns","uid":"u1",
      "annotations":{"sim.kcpp.io/run-duration":"1m30s","sim.kcpp.io/exit-code":"2"}},
    "spec":{"nodeName":"n1","restartPolicy":"OnFailure",
      "initContainers":[{"name":"init","image":"busybox"}],
      "containers":[{"name":"a","image":"nginx:1.27"},
                    {"name":"b","image":"quay.io/x/y@sha256:abc","readinessProbe":{"initialDelaySeconds":5}}]},
    "status":{"phase":"Pending","qosClass":"BestEffort",
      "conditions":[{"type":"PodScheduled","status":"True","lastTransitionTime":"2026-01-02T03:04:05Z"}]}})";
  return json::parse(text).as_object();
}

TEST(ParseDuration, GoSyntax) {
  EXPECT_EQ(parseDuration("5s"), 5000ms);
  EXPECT_EQ(parseDuration("1m30s"), 90000ms);
  EXPECT_EQ(parseDuration("250ms"), 250ms);
  EXPECT_EQ(parseDuration("1.5s"), 1500ms);
  EXPECT_EQ(parseDuration("2h"), std::chrono::milliseconds(7200000));
  EXPECT_FALSE(parseDuration(""));
  EXPECT_FALSE(parseDuration("5"));
  EXPECT_FALSE(parseDuration("soon"));
  EXPECT_FALSE(parseDuration("5x"));
}

TEST(ParsePodFacts, ReadsWhatTheKubeletNeeds) {
  auto f = parsePodFacts(pod());
  ASSERT_TRUE(f);
  EXPECT_EQ(f->ns, "ns");
  EXPECT_EQ(f->uid, "u1");
  EXPECT_EQ(f->nodeName, "n1");
  EXPECT_EQ(f->restartPolicy, RestartPolicy::OnFailure);
  ASSERT_EQ(f->containers.size(), 2u);
  EXPECT_EQ(f->containers[0].readinessDelaySeconds, -1);
  EXPECT_EQ(f->containers[1].readinessDelaySeconds, 5);
  EXPECT_EQ(f->initContainers.size(), 1u);
  EXPECT_EQ(f->runDuration, 90000ms);
  EXPECT_EQ(f->exitCode, 2);
  EXPECT_FALSE(f->deletionTimestamp);
  EXPECT_FALSE(f->hostNetwork);
  EXPECT_EQ(f->qosClass, "BestEffort");
  EXPECT_TRUE(f->scheduledAt);
  EXPECT_FALSE(parsePodFacts(json::object{}));
}

TEST(PodStatus, CreatingThenRunningThenSucceeded) {
  auto f = *parsePodFacts(pod());
  f.initContainers.clear();
  PodProgress p;
  SystemTime t0 = std::chrono::system_clock::now();
  p.firstSeen = p.creatingSince = t0;
  p.stage = PodStage::Creating;
  p.podIP = "10.128.0.2";
  json::object creating = podStatus(f, p, "10.1.0.1", t0);
  EXPECT_EQ(creating["phase"], "Pending");
  auto& cs = creating["containerStatuses"].as_array();
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(*api::findPath(cs[0].as_object(), "state.waiting.reason"), "ContainerCreating");
  EXPECT_EQ(creating["hostIP"], "10.1.0.1");
  EXPECT_EQ(creating["qosClass"], "BestEffort");
  auto conditionOf = [](json::object& status, const char* type) -> json::object {
    for (auto& c : status["conditions"].as_array()) {
      if (c.as_object()["type"] == type) return c.as_object();
    }
    return {};
  };
  EXPECT_EQ(conditionOf(creating, "Ready")["reason"], "ContainersNotReady");
  EXPECT_EQ(conditionOf(creating, "Ready")["message"], "containers with unready status: [a b]");
  EXPECT_EQ(conditionOf(creating, "PodReadyToStartContainers")["status"], "False");

  p.stage = PodStage::Running;
  p.runningSince = t0 + 1s;
  json::object running = podStatus(f, p, "10.1.0.1", t0 + 2s);
  EXPECT_EQ(running["phase"], "Running");
  EXPECT_EQ(running["podIP"], "10.128.0.2");
  EXPECT_EQ(conditionOf(running, "Ready")["status"], "False");  // b's probe waits 5 s
  EXPECT_EQ(conditionOf(running, "Ready")["message"], "containers with unready status: [b]");
  auto& rcs = running["containerStatuses"].as_array();
  EXPECT_EQ(rcs[0].as_object()["ready"], true);
  EXPECT_EQ(rcs[1].as_object()["ready"], false);
  EXPECT_EQ(rcs[0].as_object()["started"], true);
  EXPECT_TRUE(rcs[0].as_object()["containerID"].as_string().starts_with("containerd://"));
  EXPECT_EQ(readyAt(f, p.runningSince), p.runningSince + 5s);

  p.readySince = t0 + 6s;
  json::object ready = podStatus(f, p, "10.1.0.1", t0 + 6s);
  EXPECT_EQ(conditionOf(ready, "Ready")["status"], "True");
  EXPECT_EQ(conditionOf(ready, "ContainersReady")["status"], "True");

  p.stage = PodStage::Terminated;
  p.succeeded = true;
  p.lastExitCode = 0;
  p.finishedAt = t0 + 9s;
  json::object done = podStatus(f, p, "10.1.0.1", t0 + 9s);
  EXPECT_EQ(done["phase"], "Succeeded");
  EXPECT_EQ(*api::findPath(done["containerStatuses"].as_array()[0].as_object(), "state.terminated.reason"),
            "Completed");
  EXPECT_EQ(conditionOf(done, "Ready")["reason"], "PodCompleted");
}

TEST(PodStatus, InitContainersWhileCreating) {
  auto f = *parsePodFacts(pod());
  PodProgress p;
  p.stage = PodStage::Creating;
  p.creatingSince = std::chrono::system_clock::now();
  json::object status = podStatus(f, p, "10.1.0.1", p.creatingSince);
  EXPECT_EQ(*api::findPath(status["initContainerStatuses"].as_array()[0].as_object(), "state.waiting.reason"),
            "PodInitializing");
  p.stage = PodStage::Running;
  p.runningSince = p.creatingSince;
  status = podStatus(f, p, "10.1.0.1", p.creatingSince);
  EXPECT_EQ(*api::findPath(status["initContainerStatuses"].as_array()[0].as_object(), "state.terminated.exitCode"),
            0);
}

TEST(FakeIds, WellFormedAndStable) {
  EXPECT_TRUE(fakeImageId("nginx").starts_with("docker.io/library/nginx@sha256:"));
  EXPECT_TRUE(fakeImageId("nginx:1.27").starts_with("docker.io/library/nginx@sha256:"));
  EXPECT_TRUE(fakeImageId("bitnami/redis:7").starts_with("docker.io/bitnami/redis@sha256:"));
  EXPECT_TRUE(fakeImageId("registry.k8s.io/pause:3.9").starts_with("registry.k8s.io/pause@sha256:"));
  EXPECT_TRUE(fakeImageId("localhost:5000/app").starts_with("localhost:5000/app@sha256:"));
  EXPECT_EQ(fakeImageId("nginx").size(), std::string("docker.io/library/nginx@sha256:").size() + 64);
  EXPECT_EQ(fakeContainerId("u", "c", 0), fakeContainerId("u", "c", 0));
  EXPECT_NE(fakeContainerId("u", "c", 0), fakeContainerId("u", "c", 1));
}

}  // namespace
}  // namespace kcpp::sim
