// The TTL-after-finished controller against a real in-process API server,
// with a fake clock.
#include "controllers/ttlafterfinished/ttl_after_finished_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

const Clock::TimePoint kFinish = *api::parseTime("2026-01-01T10:00:00Z");

json::object finishedJob(const std::string& name, std::optional<int> ttl, const char* condition = "Complete") {
  json::object job = json::parse(R"({"apiVersion":"batch/v1","kind":"Job","spec":{
      "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}})").as_object();
  job["metadata"] = json::object{{"name", name}};
  if (ttl) job["spec"].as_object()["ttlSecondsAfterFinished"] = *ttl;
  if (condition) {
    job["status"] = json::object{{"conditions", json::array{json::object{
        {"type", condition}, {"status", "True"}, {"lastTransitionTime", api::formatTime(kFinish)}}}}};
  }
  return job;
}

TEST(JobExpiresAt, NeedsATtlAndAFinish) {
  EXPECT_EQ(jobExpiresAt(finishedJob("a", 30)), kFinish + 30s);
  EXPECT_EQ(jobExpiresAt(finishedJob("a", 0, "Failed")), kFinish);
  EXPECT_FALSE(jobExpiresAt(finishedJob("a", std::nullopt)).has_value());
  EXPECT_FALSE(jobExpiresAt(finishedJob("a", 30, nullptr)).has_value());
  EXPECT_FALSE(jobExpiresAt(finishedJob("a", 30, "Suspended")).has_value());
}

class TtlControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    TtlAfterFinishedOptions options;
    options.clock = clock;
    controller = std::make_unique<TtlAfterFinishedController>(*restClient, *informers, io.get_executor(), options);
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

  client::ResourcePath jobPath(const std::string& name = "") {
    return client::ResourcePath{"batch", "v1", "jobs", "default", name, "", ""};
  }

  // Created, then its status written as the Job controller would.
  void create(const json::object& job) {
    auto created = server.await(restClient->create(jobPath(), job));
    ASSERT_TRUE(created.ok()) << created.error().message;
    json::object withStatus = *created;
    if (job.contains("status")) withStatus["status"] = job.at("status");
    client::ResourcePath status = jobPath(std::string(api::metaName(job)));
    status.subresource = "status";
    ASSERT_TRUE(server.await(restClient->update(status, withStatus)).ok());
  }

  // Gone, or being deleted (foreground: the garbage collector finishes it).
  bool deleted(const std::string& name) {
    auto j = server.await(restClient->get(jobPath(name)));
    return !j || api::findPath(*j, "metadata.deletionTimestamp") != nullptr;
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "batch/jobs"}};
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(kFinish + 10s);
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<TtlAfterFinishedController> controller;
  bool ended = false;
};

TEST_F(TtlControllerTest, DeletesExpiredJobsInTheForeground) {
  create(finishedJob("old", 5));
  server.runFor(3s, [this] { return deleted("old"); });
  auto j = server.await(restClient->get(jobPath("old")));
  ASSERT_TRUE(j.ok());  // held by the foregroundDeletion finalizer (no garbage collector here)
  EXPECT_TRUE(api::findPath(*j, "metadata.deletionTimestamp"));
  EXPECT_EQ(j->at("metadata").at("finalizers"), json::array{"foregroundDeletion"});
}

TEST_F(TtlControllerTest, KeepsJobsUntilTheirTtlAndThoseWithoutOne) {
  create(finishedJob("young", 60));
  create(finishedJob("forever", std::nullopt));
  create(finishedJob("running", 0, nullptr));
  server.runFor(500ms);
  EXPECT_FALSE(deleted("young"));
  EXPECT_FALSE(deleted("forever"));
  EXPECT_FALSE(deleted("running"));
  // Time passes; the next look at the Job (here: an update) finds it expired.
  clock->step(60s);
  auto touched = server.await(restClient->patch(jobPath("young"), "application/merge-patch+json",
                                                R"({"metadata":{"labels":{"touched":"yes"}}})"));
  ASSERT_TRUE(touched.ok());
  server.runFor(3s, [this] { return deleted("young"); });
  EXPECT_TRUE(deleted("young"));
  EXPECT_FALSE(deleted("forever"));
}

}  // namespace
}  // namespace kcpp::controllers
