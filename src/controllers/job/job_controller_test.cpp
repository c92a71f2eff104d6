// The Job controller against a real in-process API server; the test plays the
// kubelet by writing pods' status.
#include "controllers/job/job_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "controllers/job/indexed_job_utils.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class JobControllerTest : public ::testing::Test {
 protected:
  void SetUp() override { server.start(); }

  void startController(JobControllerOptions options = {}) {
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    options.podFailureBackoff = 0ms;
    controller = std::make_unique<JobController>(*restClient, *informers, io.get_executor(), options);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
    informers->start(io.get_executor());
  }

  void TearDown() override {
    if (!controller) return;
    controller->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  // As the API server writes it: a selector on the uid label (the test server
  // has no Job strategy, so the test sets it).
  json::object job(const std::string& name, const std::string& extraSpec = "") {
    std::string text = R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":")" + name + R"("},
      "spec":{)" + extraSpec + R"("selector":{"matchLabels":{"job-name":")" + name + R"("}},
              "template":{"metadata":{"labels":{"job-name":")" + name + R"("}},
                          "spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}})";
    return json::parse(text).as_object();
  }

  client::ResourcePath jobPath(const std::string& name = "") {
    return client::ResourcePath{"batch", "v1", "jobs", "default", name, "", ""};
  }

  json::object createJob(const json::object& j) {
    auto created = server.await(restClient->create(jobPath(), j));
    EXPECT_TRUE(created.ok()) << (created ? "" : created.error().message);
    return created ? *created : json::object();
  }

  json::object getJob(const std::string& name) {
    auto j = server.await(restClient->get(jobPath(name)));
    return j ? *j : json::object();
  }

  std::vector<json::object> pods() {
    client::ResourcePath path{"", "v1", "pods", "default", "", "", ""};
    auto list = server.await(restClient->get(path));
    std::vector<json::object> out;
    if (!list) return out;
    for (auto& item : list->at("items").as_array()) out.push_back(item.as_object());
    return out;
  }

  std::vector<json::object> runningPods() {
    std::vector<json::object> out;
    for (auto& p : pods()) {
      std::string phase(api::getString(p.at("status").as_object(), "phase"));
      if (phase != "Succeeded" && phase != "Failed" && !api::findPath(p, "metadata.deletionTimestamp")) {
        out.push_back(p);
      }
    }
    return out;
  }

  // The kubelet's part: the pod ran to `phase`, with `extra` status fields.
  void finishPod(const json::object& pod, const std::string& phase, const std::string& extra = "{}") {
    client::ResourcePath path{"", "v1", "pods", "default", std::string(api::metaName(pod)), "status", ""};
    auto current = server.await(restClient->get(path));
    ASSERT_TRUE(current.ok());
    json::object next = *current;
    next["status"].as_object()["phase"] = phase;
    json::value fields = json::parse(extra);
    for (auto& kv : fields.as_object()) next["status"].as_object()[kv.key()] = kv.value();
    auto written = server.await(restClient->update(path, next));
    ASSERT_TRUE(written.ok()) << written.error().message;
  }

  static std::string condition(const json::object& j, const std::string& type, const char* field = "status") {
    const json::value* conds = api::findPath(j, "status.conditions");
    if (!conds) return "";
    for (const auto& c : conds->as_array()) {
      if (api::getString(c.as_object(), "type") == type) return std::string(api::getString(c.as_object(), field));
    }
    return "";
  }

  static std::int64_t count(const json::object& j, const char* path) {
    const json::value* v = api::findPath(j, path);
    return v && v->is_int64() ? v->get_int64() : 0;
  }

  static bool hasFinalizer(const json::object& pod) {
    const json::value* f = api::findPath(pod, "metadata.finalizers");
    return f && f->is_array() && !f->as_array().empty();
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "batch/jobs"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<JobController> controller;
  bool ended = false;
};

TEST_F(JobControllerTest, RunsCompletionsWithinParallelismAndCompletes) {
  startController();
  json::object created = createJob(job("pi", R"("completions":3,"parallelism":2,)"));
  server.runFor(5s, [this] { return runningPods().size() == 2; });
  auto running = runningPods();
  ASSERT_EQ(running.size(), 2u);
  for (const auto& p : running) {
    EXPECT_EQ(api::getString(p.at("metadata").as_object(), "generateName"), "pi-");
    EXPECT_TRUE(hasFinalizer(p));
    auto ref = controllerRef(p);
    ASSERT_TRUE(ref.has_value());
    EXPECT_EQ(ref->kind, "Job");
    EXPECT_EQ(ref->uid, api::getString(created.at("metadata").as_object(), "uid"));
  }
  server.runFor(5s, [this] { return count(getJob("pi"), "status.active") == 2; });
  EXPECT_FALSE(api::getString(getJob("pi").at("status").as_object(), "startTime").empty());
  // Three successes, one at a time: never more than two pods run.
  for (int done = 1; done <= 3; ++done) {
    auto now = runningPods();
    ASSERT_FALSE(now.empty());
    EXPECT_LE(now.size(), 2u);
    finishPod(now[0], "Succeeded");
    server.runFor(5s, [&] { return count(getJob("pi"), "status.succeeded") == done; });
    ASSERT_EQ(count(getJob("pi"), "status.succeeded"), done);
  }
  server.runFor(5s, [this] { return condition(getJob("pi"), "Complete") == "True"; });
  json::object finished = getJob("pi");
  EXPECT_EQ(condition(finished, "SuccessCriteriaMet"), "True");
  EXPECT_EQ(condition(finished, "Complete", "reason"), "CompletionsReached");
  EXPECT_EQ(condition(finished, "Complete", "message"), "Reached expected number of succeeded pods");
  EXPECT_FALSE(api::getString(finished.at("status").as_object(), "completionTime").empty());
  EXPECT_EQ(count(finished, "status.active"), 0);
  EXPECT_EQ(finished.at("status").at("uncountedTerminatedPods"), json::object());
  server.runFor(5s, [this] {
    for (auto& p : pods()) if (hasFinalizer(p)) return false;
    return true;
  });
  for (auto& p : pods()) EXPECT_FALSE(hasFinalizer(p)) << api::metaName(p);
  EXPECT_EQ(pods().size(), 3u);
}

TEST_F(JobControllerTest, FailsAfterBackoffLimit) {
  startController();
  createJob(job("bad", R"("backoffLimit":1,)"));
  for (int failures = 1; failures <= 2; ++failures) {
    server.runFor(5s, [this] { return runningPods().size() == 1; });
    auto running = runningPods();
    ASSERT_EQ(running.size(), 1u) << "failure " << failures;
    finishPod(running[0], "Failed");
    server.runFor(5s, [&] { return count(getJob("bad"), "status.failed") == failures; });
  }
  server.runFor(5s, [this] { return condition(getJob("bad"), "Failed") == "True"; });
  json::object failed = getJob("bad");
  EXPECT_EQ(condition(failed, "Failed", "reason"), "BackoffLimitExceeded");
  EXPECT_EQ(condition(failed, "Failed", "message"), "Job has reached the specified backoff limit");
  EXPECT_EQ(condition(failed, "FailureTarget", "reason"), "BackoffLimitExceeded");
  EXPECT_EQ(count(failed, "status.failed"), 2);
  EXPECT_FALSE(failed.at("status").as_object().contains("completionTime"));
  server.runFor(1s);
  EXPECT_TRUE(runningPods().empty());  // no third pod
}

TEST_F(JobControllerTest, PodFailurePolicyIgnoresOrFailsTheJob) {
  startController();
  createJob(job("policy", R"("backoffLimit":0,"podReplacementPolicy":"Failed","podFailurePolicy":{"rules":[
      {"action":"Ignore","onPodConditions":[{"type":"DisruptionTarget","status":"True"}]},
      {"action":"FailJob","onExitCodes":{"operator":"In","values":[42]}}]},)"));
  server.runFor(5s, [this] { return runningPods().size() == 1; });
  ASSERT_EQ(runningPods().size(), 1u);
  std::string first(api::metaName(runningPods()[0]));
  // Disrupted: not counted against backoffLimit 0, replaced.
  finishPod(runningPods()[0], "Failed", R"({"conditions":[{"type":"DisruptionTarget","status":"True"}]})");
  server.runFor(5s, [&] { auto r = runningPods(); return r.size() == 1 && api::metaName(r[0]) != first; });
  ASSERT_EQ(runningPods().size(), 1u);
  EXPECT_EQ(condition(getJob("policy"), "Failed"), "");
  EXPECT_EQ(count(getJob("policy"), "status.failed"), 0);
  // Exit code 42: the Job fails at once.
  finishPod(runningPods()[0], "Failed",
            R"({"containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":42}}}]})");
  server.runFor(5s, [this] { return condition(getJob("policy"), "Failed") == "True"; });
  json::object failed = getJob("policy");
  EXPECT_EQ(condition(failed, "Failed", "reason"), "PodFailurePolicy");
  EXPECT_NE(condition(failed, "Failed", "message").find("failed with exit code 42 matching FailJob rule at index 1"),
            std::string::npos);
  EXPECT_EQ(count(failed, "status.failed"), 1);
}

TEST_F(JobControllerTest, ActiveDeadlineDeletesPodsAndFails) {
  startController();
  createJob(job("slow", R"("activeDeadlineSeconds":1,"parallelism":2,"completions":4,)"));
  server.runFor(5s, [this] { return runningPods().size() == 2; });
  ASSERT_EQ(runningPods().size(), 2u);
  server.runFor(8s, [this] { return condition(getJob("slow"), "Failed") == "True"; });
  json::object failed = getJob("slow");
  EXPECT_EQ(condition(failed, "Failed", "reason"), "DeadlineExceeded");
  EXPECT_EQ(condition(failed, "Failed", "message"), "Job was active longer than specified deadline");
  EXPECT_TRUE(pods().empty());  // deleted, finalizers released
  EXPECT_EQ(count(failed, "status.failed"), 2);
}

TEST_F(JobControllerTest, IndexedPodsCarryTheirIndexAndReportCompletedIndexes) {
  startController();
  createJob(job("idx", R"("completions":3,"parallelism":3,"completionMode":"Indexed",)"));
  server.runFor(5s, [this] { return runningPods().size() == 3; });
  auto running = runningPods();
  ASSERT_EQ(running.size(), 3u);
  std::set<std::int64_t> seen;
  json::object second;
  for (const auto& p : running) {
    auto ix = completionIndexOf(p);
    ASSERT_TRUE(ix.has_value());
    seen.insert(*ix);
    if (*ix == 1) second = p;
    std::string s = std::to_string(*ix);
    EXPECT_EQ(p.at("metadata").at("labels").at(kJobCompletionIndexKey), json::value(s));
    EXPECT_EQ(p.at("metadata").at("generateName"), json::value("idx-" + s + "-"));
    EXPECT_EQ(p.at("spec").at("hostname"), json::value("idx-" + s));
    const auto& env = p.at("spec").at("containers").at(0).at("env").at(0).as_object();
    EXPECT_EQ(env.at("name"), "JOB_COMPLETION_INDEX");
    EXPECT_EQ(env.at("valueFrom").at("fieldRef").at("fieldPath"),
              "metadata.annotations['batch.kubernetes.io/job-completion-index']");
  }
  EXPECT_EQ(seen, (std::set<std::int64_t>{0, 1, 2}));
  finishPod(second, "Succeeded");
  server.runFor(5s, [this] { return api::findPath(getJob("idx"), "status.completedIndexes") != nullptr; });
  EXPECT_EQ(getJob("idx").at("status").at("completedIndexes"), "1");
  EXPECT_EQ(count(getJob("idx"), "status.succeeded"), 1);
  // A failed index is retried under the same index.
  for (const auto& p : runningPods()) {
    if (completionIndexOf(p) == 2) finishPod(p, "Failed");
  }
  server.runFor(5s, [this] {
    auto r = runningPods();
    return r.size() == 2 && count(getJob("idx"), "status.failed") == 1;
  });
  std::set<std::int64_t> nowRunning;
  for (const auto& p : runningPods()) nowRunning.insert(completionIndexOf(p).value_or(-1));
  EXPECT_EQ(nowRunning, (std::set<std::int64_t>{0, 2}));
  for (const auto& p : runningPods()) finishPod(p, "Succeeded");
  server.runFor(5s, [this] { return condition(getJob("idx"), "Complete") == "True"; });
  EXPECT_EQ(getJob("idx").at("status").at("completedIndexes"), "0-2");
  EXPECT_EQ(count(getJob("idx"), "status.succeeded"), 3);
}

// The running pod of `index`, if one runs.
std::optional<json::object> podOfIndex(const std::vector<json::object>& running, std::int64_t index) {
  for (const auto& p : running) {
    if (completionIndexOf(p) == index) return p;
  }
  return std::nullopt;
}

std::string annotation(const json::object& pod, const std::string& key) {
  const json::value* v = api::findPath(pod, "metadata.annotations");
  if (!v || !v->as_object().contains(key)) return "";
  return std::string(v->as_object().at(key).as_string());
}

TEST_F(JobControllerTest, BackoffLimitPerIndexFailsAnIndexAndThenTheJob) {
  startController();
  createJob(job("per", R"("completions":3,"parallelism":3,"completionMode":"Indexed","backoffLimit":100,
      "backoffLimitPerIndex":1,)"));
  server.runFor(5s, [this] { return runningPods().size() == 3; });
  ASSERT_EQ(runningPods().size(), 3u);
  EXPECT_EQ(annotation(*podOfIndex(runningPods(), 1), kJobIndexFailureCountKey), "0");
  EXPECT_EQ(api::getString(getJob("per").at("status").as_object(), "failedIndexes"), "");
  // Index 1 fails once: retried, its new pod told of the failure.
  finishPod(*podOfIndex(runningPods(), 1), "Failed");
  server.runFor(5s, [this] {
    auto again = podOfIndex(runningPods(), 1);
    return again && annotation(*again, kJobIndexFailureCountKey) == "1";
  });
  auto again = podOfIndex(runningPods(), 1);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(annotation(*again, kJobIndexFailureCountKey), "1");
  // Twice: past backoffLimitPerIndex 1, the index is given up on.
  finishPod(*again, "Failed");
  server.runFor(5s, [this] { return api::getString(getJob("per").at("status").as_object(), "failedIndexes") == "1"; });
  EXPECT_EQ(api::getString(getJob("per").at("status").as_object(), "failedIndexes"), "1");
  server.runFor(500ms);
  EXPECT_FALSE(podOfIndex(runningPods(), 1).has_value());
  EXPECT_EQ(condition(getJob("per"), "Failed"), "");  // other indexes still run
  for (const auto& p : runningPods()) finishPod(p, "Succeeded");
  server.runFor(5s, [this] { return condition(getJob("per"), "Failed") == "True"; });
  json::object failed = getJob("per");
  EXPECT_EQ(condition(failed, "Failed", "reason"), "FailedIndexes");
  EXPECT_EQ(condition(failed, "Failed", "message"), "Job has failed indexes");
  EXPECT_EQ(condition(failed, "FailureTarget", "reason"), "FailedIndexes");
  EXPECT_EQ(failed.at("status").at("completedIndexes"), "0,2");
  EXPECT_EQ(failed.at("status").at("failedIndexes"), "1");
  EXPECT_EQ(count(failed, "status.failed"), 2);
}

TEST_F(JobControllerTest, MaxFailedIndexesExceededFailsTheJobAtOnce) {
  startController();
  createJob(job("max", R"("completions":4,"parallelism":4,"completionMode":"Indexed","backoffLimit":100,
      "backoffLimitPerIndex":0,"maxFailedIndexes":1,)"));
  server.runFor(5s, [this] { return runningPods().size() == 4; });
  ASSERT_EQ(runningPods().size(), 4u);
  finishPod(*podOfIndex(runningPods(), 0), "Failed");
  server.runFor(5s, [this] { return api::getString(getJob("max").at("status").as_object(), "failedIndexes") == "0"; });
  EXPECT_EQ(condition(getJob("max"), "Failed"), "");  // one failed index is allowed
  finishPod(*podOfIndex(runningPods(), 3), "Failed");
  server.runFor(8s, [this] { return condition(getJob("max"), "Failed") == "True"; });
  json::object failed = getJob("max");
  EXPECT_EQ(condition(failed, "Failed", "reason"), "MaxFailedIndexesExceeded");
  EXPECT_EQ(condition(failed, "Failed", "message"), "Job has exceeded the specified maximal number of failed indexes");
  EXPECT_EQ(failed.at("status").at("failedIndexes"), "0,3");
  EXPECT_TRUE(runningPods().empty());  // the others were terminated
}

TEST_F(JobControllerTest, FailIndexRuleFailsTheIndexAtOnce) {
  startController();
  createJob(job("fi", R"("completions":2,"parallelism":2,"completionMode":"Indexed","backoffLimit":100,
      "backoffLimitPerIndex":5,"podFailurePolicy":{"rules":[{"action":"FailIndex","onExitCodes":{"operator":"In","values":[7]}}]},)"));
  server.runFor(5s, [this] { return runningPods().size() == 2; });
  ASSERT_EQ(runningPods().size(), 2u);
  finishPod(*podOfIndex(runningPods(), 0), "Failed",
            R"({"containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":7}}}]})");
  server.runFor(5s, [this] { return api::getString(getJob("fi").at("status").as_object(), "failedIndexes") == "0"; });
  EXPECT_EQ(api::getString(getJob("fi").at("status").as_object(), "failedIndexes"), "0");
}

TEST_F(JobControllerTest, SuccessPolicyCompletesEarlyAndStopsTheRest) {
  startController();
  createJob(job("leader", R"("completions":3,"parallelism":3,"completionMode":"Indexed",
      "successPolicy":{"rules":[{"succeededIndexes":"0"}]},)"));
  server.runFor(5s, [this] { return runningPods().size() == 3; });
  ASSERT_EQ(runningPods().size(), 3u);
  finishPod(*podOfIndex(runningPods(), 1), "Succeeded");  // not the one the rule wants
  server.runFor(5s, [this] { return count(getJob("leader"), "status.succeeded") == 1; });
  EXPECT_EQ(condition(getJob("leader"), "SuccessCriteriaMet"), "");
  finishPod(*podOfIndex(runningPods(), 0), "Succeeded");
  server.runFor(8s, [this] { return condition(getJob("leader"), "Complete") == "True"; });
  json::object done = getJob("leader");
  EXPECT_EQ(condition(done, "SuccessCriteriaMet", "reason"), "SuccessPolicy");
  EXPECT_EQ(condition(done, "SuccessCriteriaMet", "message"), "Matched rules at index 0");
  EXPECT_EQ(condition(done, "Complete", "reason"), "SuccessPolicy");
  EXPECT_EQ(condition(done, "Complete", "message"), "Matched rules at index 0");
  EXPECT_EQ(done.at("status").at("completedIndexes"), "0-1");
  EXPECT_TRUE(runningPods().empty());  // index 2 was terminated
  EXPECT_TRUE(done.at("status").as_object().contains("completionTime"));
}

TEST(MatchSuccessPolicy, IndexesAndCounts) {
  auto withRules = [](const std::string& rules) {
    return json::parse(R"({"spec":{"successPolicy":{"rules":)" + rules + "}}}").as_object();
  };
  EXPECT_FALSE(matchSuccessPolicy(withRules(R"([{"succeededIndexes":"0-2"}])"), {0, 1}, 5));
  EXPECT_EQ(matchSuccessPolicy(withRules(R"([{"succeededIndexes":"0-2"}])"), {0, 1, 2}, 5), "Matched rules at index 0");
  EXPECT_EQ(matchSuccessPolicy(withRules(R"([{"succeededIndexes":"9"},{"succeededIndexes":"0-3","succeededCount":2}])"),
                               {1, 3}, 5),
            "Matched rules at index 1");
  EXPECT_EQ(matchSuccessPolicy(withRules(R"([{"succeededCount":2}])"), {4, 0}, 5), "Matched rules at index 0");
  EXPECT_FALSE(matchSuccessPolicy(withRules(R"([{"succeededCount":3}])"), {4, 0}, 5));
}

TEST_F(JobControllerTest, SuspendDeletesActivePodsAndResumeRestarts) {
  startController();
  createJob(job("sus", R"("suspend":true,"parallelism":2,"completions":2,)"));
  server.runFor(5s, [this] { return condition(getJob("sus"), "Suspended") == "True"; });
  EXPECT_EQ(condition(getJob("sus"), "Suspended", "reason"), "JobSuspended");
  EXPECT_TRUE(pods().empty());
  auto resumed = server.await(restClient->patch(jobPath("sus"), "application/merge-patch+json",
                                                R"({"spec":{"suspend":false}})"));
  ASSERT_TRUE(resumed.ok());
  server.runFor(5s, [this] { return runningPods().size() == 2 && condition(getJob("sus"), "Suspended") == "False"; });
  EXPECT_EQ(runningPods().size(), 2u);
  EXPECT_EQ(condition(getJob("sus"), "Suspended", "reason"), "JobResumed");
  EXPECT_EQ(condition(getJob("sus"), "Suspended", "message"), "Job resumed");
  auto suspended = server.await(restClient->patch(jobPath("sus"), "application/merge-patch+json",
                                                  R"({"spec":{"suspend":true}})"));
  ASSERT_TRUE(suspended.ok());
  server.runFor(5s, [this] { return pods().empty() && condition(getJob("sus"), "Suspended") == "True"; });
  EXPECT_TRUE(pods().empty());
  EXPECT_EQ(condition(getJob("sus"), "Suspended"), "True");
}

TEST_F(JobControllerTest, NullCompletionsCompletesAfterOneSuccessOnceOthersEnd) {
  startController();
  json::object j = job("wq", R"("parallelism":2,)");
  createJob(j);
  server.runFor(5s, [this] { return runningPods().size() == 2; });
  auto running = runningPods();
  ASSERT_EQ(running.size(), 2u);
  finishPod(running[0], "Succeeded");
  server.runFor(2s, [this] { return count(getJob("wq"), "status.succeeded") == 1; });
  EXPECT_EQ(runningPods().size(), 1u);  // nothing new starts, the other keeps running
  EXPECT_EQ(condition(getJob("wq"), "Complete"), "");
  finishPod(running[1], "Succeeded");
  server.runFor(5s, [this] { return condition(getJob("wq"), "Complete") == "True"; });
  EXPECT_EQ(count(getJob("wq"), "status.succeeded"), 2);
}

TEST_F(JobControllerTest, HundredPodsRunAndAreCountedExactlyOnce) {
  startController();
  createJob(job("wide", R"("completions":100,"parallelism":100,)"));
  server.runFor(20s, [this] { return runningPods().size() == 100; });
  ASSERT_EQ(runningPods().size(), 100u);
  for (const auto& p : runningPods()) finishPod(p, "Succeeded");
  server.runFor(20s, [this] { return condition(getJob("wide"), "Complete") == "True"; });
  json::object finished = getJob("wide");
  EXPECT_EQ(condition(finished, "Complete"), "True");
  EXPECT_EQ(count(finished, "status.succeeded"), 100);
  EXPECT_EQ(count(finished, "status.failed"), 0);
  EXPECT_EQ(pods().size(), 100u);
}

TEST_F(JobControllerTest, ReleasesTheFinalizerOfPodsWhoseJobIsGone) {
  startController();
  createJob(job("gone"));
  server.runFor(5s, [this] { return runningPods().size() == 1; });
  ASSERT_EQ(runningPods().size(), 1u);
  // No garbage collector here: the pod outlives its Job, as when the
  // collector has not reached it yet.
  const json::object background{{"propagationPolicy", "Background"}};
  ASSERT_TRUE(server.await(restClient->remove(jobPath("gone"), background)).ok());
  server.runFor(5s, [this] { return !pods().empty() && !hasFinalizer(pods()[0]); });
  ASSERT_EQ(pods().size(), 1u);
  EXPECT_FALSE(hasFinalizer(pods()[0]));
}

}  // namespace
}  // namespace kcpp::controllers
