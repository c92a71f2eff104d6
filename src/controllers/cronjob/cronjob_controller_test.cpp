// The CronJob controller against a real in-process API server, with a fake
// clock: the test moves time, then touches the CronJob so it is synced.
#include "controllers/cronjob/cronjob_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "controllers/common/controller_utils.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TimePoint nextMinute(TimePoint t) { return std::chrono::ceil<std::chrono::minutes>(t + 1s); }

class CronJobControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    CronJobControllerOptions options;
    options.clock = clock;
    options.defaultZone = "UTC";
    controller = std::make_unique<CronJobController>(*restClient, *informers, io.get_executor(), options);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
    informers->start(io.get_executor());
  }

  void TearDown() override {
    controller->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended; });
    EXPECT_TRUE(ended);
  }

  json::object cronJob(const std::string& name, const std::string& schedule, const std::string& extraSpec = "") {
    std::string text = R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":")" + name + R"("},
      "spec":{"schedule":")" + schedule + R"(","concurrencyPolicy":"Allow","suspend":false,
        "successfulJobsHistoryLimit":3,"failedJobsHistoryLimit":1,
        "jobTemplate":{"metadata":{"labels":{"app":"report"},"annotations":{"note":"x"}},
          "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}}})";
    json::object cj = json::parse(text).as_object();
    // `extraSpec` ("\"a\":1,") overrides the defaults above.
    if (!extraSpec.empty()) {
      json::object extra = json::parse("{" + extraSpec.substr(0, extraSpec.size() - 1) + "}").as_object();
      for (auto& kv : extra) cj["spec"].as_object()[kv.key()] = kv.value();
    }
    return cj;
  }

  client::ResourcePath path(const char* resource, const std::string& name = "") {
    return client::ResourcePath{"batch", "v1", resource, "default", name, "", ""};
  }

  json::object create(const json::object& cj) {
    auto created = server.await(restClient->create(path("cronjobs"), cj));
    EXPECT_TRUE(created.ok()) << (created ? "" : created.error().message);
    server.runFor(300ms);
    return created ? *created : json::object();
  }

  // Time passes; the CronJob is touched so the controller looks again.
  void advanceTo(TimePoint t, const std::string& name) {
    clock->set(t);
    std::string body = R"({"metadata":{"labels":{"tick":")" + std::to_string(++ticks) + R"("}}})";
    ASSERT_TRUE(server.await(restClient->patch(path("cronjobs", name), "application/merge-patch+json", body)).ok());
  }

  std::vector<json::object> jobs() {
    auto list = server.await(restClient->get(path("jobs")));
    std::vector<json::object> out;
    if (!list) return out;
    for (auto& item : list->at("items").as_array()) out.push_back(item.as_object());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return api::metaName(a) < api::metaName(b); });
    return out;
  }

  std::vector<std::string> jobNames() {
    std::vector<std::string> out;
    for (auto& j : jobs()) out.emplace_back(api::metaName(j));
    return out;
  }

  json::object get(const std::string& name) {
    auto cj = server.await(restClient->get(path("cronjobs", name)));
    return cj ? *cj : json::object();
  }

  // As the Job controller would write it.
  void finishJob(const std::string& name, const char* type, TimePoint at) {
    client::ResourcePath status = path("jobs", name);
    status.subresource = "status";
    auto job = server.await(restClient->get(status));
    ASSERT_TRUE(job.ok());
    std::string when = api::formatTime(at);
    job->at("status").as_object()["startTime"] = when;
    if (std::string_view(type) == "Complete") job->at("status").as_object()["completionTime"] = when;
    job->at("status").as_object()["conditions"] =
        json::array{json::object{{"type", type}, {"status", "True"}, {"lastTransitionTime", when}}};
    ASSERT_TRUE(server.await(restClient->update(status, *job)).ok());
  }

  static std::string jobName(const std::string& cj, TimePoint t) {
    return cj + "-" + std::to_string(std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count());
  }

  static std::size_t activeCount(const json::object& cj) {
    const json::value* a = api::findPath(cj, "status.active");
    return a && a->is_array() ? a->as_array().size() : 0;
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "batch/jobs", "batch/cronjobs"}};
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(std::chrono::system_clock::now());
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<CronJobController> controller;
  bool ended = false;
  int ticks = 0;
};

TEST_F(CronJobControllerTest, CreatesAJobAtEachScheduledTime) {
  json::object cj = create(cronJob("report", "*/1 * * * *"));
  EXPECT_TRUE(jobs().empty());  // the first start is still ahead
  TimePoint first = nextMinute(std::chrono::system_clock::now() + 2s);
  advanceTo(first + 5s, "report");
  server.runFor(3s, [this] { return jobs().size() == 1 && activeCount(get("report")) == 1; });
  auto all = jobs();
  ASSERT_EQ(all.size(), 1u);
  json::object job = all[0];
  EXPECT_EQ(api::metaName(job), jobName("report", first));
  EXPECT_EQ(job.at("metadata").at("annotations").at(kCronJobScheduledTimestamp), json::value(api::formatTime(first)));
  EXPECT_EQ(job.at("metadata").at("annotations").at("note"), "x");
  EXPECT_EQ(job.at("metadata").at("labels").at("app"), "report");
  auto ref = controllerRef(job);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->kind, "CronJob");
  EXPECT_EQ(ref->uid, api::getString(cj.at("metadata").as_object(), "uid"));
  json::object status = get("report").at("status").as_object();
  EXPECT_EQ(status.at("lastScheduleTime"), json::value(api::formatTime(first)));
  EXPECT_EQ(status.at("active").at(0).at("name"), json::value(jobName("report", first)));
  EXPECT_EQ(status.at("active").at(0).at("kind"), "Job");
  // A second look at the same minute starts nothing new; the next minute does.
  advanceTo(first + 30s, "report");
  server.runFor(500ms);
  EXPECT_EQ(jobs().size(), 1u);
  advanceTo(first + 61s, "report");
  server.runFor(3s, [this] { return jobs().size() == 2; });
  EXPECT_EQ(jobNames(), (std::vector<std::string>{jobName("report", first), jobName("report", first + 60s)}));
}

TEST_F(CronJobControllerTest, ForbidWaitsForTheRunningJob) {
  create(cronJob("forbid", "*/1 * * * *", R"("concurrencyPolicy":"Forbid",)"));
  TimePoint first = nextMinute(std::chrono::system_clock::now() + 2s);
  advanceTo(first + 1s, "forbid");
  server.runFor(3s, [this] { return jobs().size() == 1; });
  ASSERT_EQ(jobs().size(), 1u);
  advanceTo(first + 61s, "forbid");
  server.runFor(1s);
  EXPECT_EQ(jobs().size(), 1u);  // the first still runs
  finishJob(jobName("forbid", first), "Complete", first + 62s);
  server.runFor(3s, [this] { return activeCount(get("forbid")) == 0; });
  EXPECT_EQ(get("forbid").at("status").at("lastSuccessfulTime"), json::value(api::formatTime(first + 62s)));
  // As upstream, the start that was held back is still due until the next
  // one: it starts, late, as soon as nothing runs.
  server.runFor(3s, [this] { return jobs().size() == 2; });
  EXPECT_EQ(jobNames(), (std::vector<std::string>{jobName("forbid", first), jobName("forbid", first + 60s)}));
}

TEST_F(CronJobControllerTest, ReplaceDeletesTheRunningJob) {
  create(cronJob("replace", "*/1 * * * *", R"("concurrencyPolicy":"Replace",)"));
  TimePoint first = nextMinute(std::chrono::system_clock::now() + 2s);
  advanceTo(first + 1s, "replace");
  server.runFor(3s, [this] { return jobs().size() == 1; });
  advanceTo(first + 61s, "replace");
  server.runFor(3s, [&] { return jobNames() == std::vector<std::string>{jobName("replace", first + 60s)}; });
  EXPECT_EQ(jobNames(), std::vector<std::string>{jobName("replace", first + 60s)});
  auto activeName = [&] {
    const json::value* a = api::findPath(get("replace"), "status.active");
    return a && a->as_array().size() == 1 ? std::string(a->as_array()[0].at("name").as_string()) : "";
  };
  server.runFor(3s, [&] { return activeName() == jobName("replace", first + 60s); });
  EXPECT_EQ(get("replace").at("status").at("active").at(0).at("name"), json::value(jobName("replace", first + 60s)));
}

TEST_F(CronJobControllerTest, KeepsOnlyTheHistoryLimits) {
  create(cronJob("hist", "*/1 * * * *", R"("successfulJobsHistoryLimit":1,"failedJobsHistoryLimit":0,)"));
  TimePoint t = nextMinute(std::chrono::system_clock::now() + 2s);
  std::vector<std::string> made;
  for (int i = 0; i < 3; ++i, t += 60s) {
    advanceTo(t + 1s, "hist");
    server.runFor(3s, [&] {
      auto names = jobNames();
      return std::find(names.begin(), names.end(), jobName("hist", t)) != names.end();
    });
    made.push_back(jobName("hist", t));
    finishJob(made.back(), i == 1 ? "Failed" : "Complete", t + 2s);
  }
  advanceTo(t - 30s, "hist");
  // The failed one goes (limit 0), and the older success (limit 1).
  server.runFor(3s, [&] { return jobNames() == std::vector<std::string>{made[2]}; });
  EXPECT_EQ(jobNames(), std::vector<std::string>{made[2]});
}

TEST_F(CronJobControllerTest, SkipsStartsPastTheStartingDeadline) {
  create(cronJob("late", "*/5 * * * *", R"("startingDeadlineSeconds":10,)"));
  TimePoint now = std::chrono::system_clock::now();
  TimePoint slot = std::chrono::ceil<std::chrono::minutes>(now + 1s);
  while (std::chrono::duration_cast<std::chrono::minutes>(slot.time_since_epoch()).count() % 5 != 0) slot += 60s;
  advanceTo(slot + 30s, "late");  // 30 s late, 10 s allowed
  server.runFor(1s);
  EXPECT_TRUE(jobs().empty());
  advanceTo(slot + 300s + 5s, "late");  // the next one, in time
  server.runFor(3s, [this] { return jobs().size() == 1; });
  EXPECT_EQ(jobNames(), std::vector<std::string>{jobName("late", slot + 300s)});
}

TEST_F(CronJobControllerTest, ReadsTheScheduleInItsTimeZone) {
  create(cronJob("tokyo", "0 9 * * *", R"("timeZone":"Asia/Tokyo",)"));
  // 09:00 in Tokyo (UTC+9) is midnight UTC.
  TimePoint midnight = std::chrono::ceil<std::chrono::days>(std::chrono::system_clock::now() + 1s);
  advanceTo(midnight + 30s, "tokyo");
  server.runFor(3s, [this] { return jobs().size() == 1; });
  auto all = jobs();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(api::metaName(all[0]), jobName("tokyo", midnight));
  std::string local = api::formatTime(midnight + 9h);
  local.pop_back();
  EXPECT_EQ(all[0].at("metadata").at("annotations").at(kCronJobScheduledTimestamp), json::value(local + "+09:00"));
}

TEST_F(CronJobControllerTest, SuspendedAndUnknownZonesStartNothing) {
  create(cronJob("off", "*/1 * * * *", R"("suspend":true,)"));
  create(cronJob("mars", "*/1 * * * *", R"("timeZone":"Mars/Olympus",)"));
  TimePoint first = nextMinute(std::chrono::system_clock::now() + 2s);
  advanceTo(first + 5s, "off");
  advanceTo(first + 5s, "mars");
  server.runFor(1s);
  EXPECT_TRUE(jobs().empty()) << jobNames()[0] << json::serialize(get("off")) << json::serialize(get("mars"));
}

}  // namespace
}  // namespace kcpp::controllers
