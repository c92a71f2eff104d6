// The ResourceQuota status controller against a real in-process API server.
#include "controllers/resourcequota/resource_quota_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

json::object pod(const std::string& name, std::string_view resources = "") {
  json::object obj = json::parse(R"({"apiVersion":"v1","kind":"Pod",
      "spec":{"containers":[{"name":"c","image":"busybox"}]}})").as_object();
  obj["metadata"] = json::object{{"name", name}};
  if (!resources.empty()) {
    obj["spec"].as_object()["containers"].as_array()[0].as_object()["resources"] = json::parse(resources);
  }
  return obj;
}

class ResourceQuotaControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
  }

  void TearDown() override {
    if (!controller) return;
    controller->stop();
    informers->stop();
    server.runFor(2s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  void start(ResourceQuotaControllerOptions options = {}) {
    controller = std::make_unique<ResourceQuotaController>(*restClient, *informers, io.get_executor(), options);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }

  static client::ResourcePath path(const std::string& resource, const std::string& ns = "default",
                                   const std::string& name = "", const std::string& group = "",
                                   const std::string& version = "v1") {
    return {group, version, resource, ns, name, "", ""};
  }

  std::string status(const std::string& name, const std::string& ns = "default") {
    auto q = server.await(restClient->get(path("resourcequotas", ns, name)));
    if (!q) return "";
    const json::value* s = q->if_contains("status");
    return s ? json::serialize(*s) : "";
  }

  // Runs io until the quota's status reads `expected` (or 5 s pass); returns what it reads.
  std::string waitForStatus(const std::string& name, const std::string& expected,
                            const std::string& ns = "default") {
    std::string seen;
    server.runFor(5s, [&] {
      seen = status(name, ns);
      return seen == expected;
    });
    return seen;
  }

  void createQuota(const std::string& name, std::string_view spec, const std::string& ns = "default") {
    json::object q = json::parse(R"({"apiVersion":"v1","kind":"ResourceQuota"})").as_object();
    q["metadata"] = json::object{{"name", name}};
    q["spec"] = json::parse(spec);
    ASSERT_TRUE(server.await(restClient->create(path("resourcequotas", ns), q)).ok());
  }

  void create(const std::string& resource, json::object obj, const std::string& ns = "default") {
    ASSERT_TRUE(server.await(restClient->create(path(resource, ns), obj)).ok());
  }

  void remove(const std::string& resource, const std::string& name) {
    json::object options{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"gracePeriodSeconds", 0}};
    ASSERT_TRUE(server.await(restClient->remove(path(resource, "default", name), options)).ok());
  }

  static json::object configMap(const std::string& name) {
    return json::object{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", json::object{{"name", name}}}};
  }

  asio::io_context io;
  client::testing::TestApiServer server{
      io, {"/namespaces", "/resourcequotas", "/pods", "/services", "/configmaps", "apps/deployments"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<ResourceQuotaController> controller;
  bool ended = false;
};

TEST_F(ResourceQuotaControllerTest, NewQuotaGetsHardAndUsedFromTheNamespace) {
  create("pods", pod("a", R"({"requests":{"cpu":"250m","memory":"1Gi"}})"));
  create("pods", pod("b", R"({"requests":{"cpu":"1"}})"));
  create("pods", pod("c"), "other");
  start();
  createQuota("q", R"({"hard":{"pods":"10","requests.cpu":"4","requests.memory":"2Gi",
                               "count/deployments.apps":"1","configmaps":"3"}})");
  const std::string expected =
      R"({"hard":{"configmaps":"3","count/deployments.apps":"1","pods":"10",)"
      R"("requests.cpu":"4","requests.memory":"2Gi"},"used":{"configmaps":"0",)"
      R"("count/deployments.apps":"0","pods":"2","requests.cpu":"1250m",)"
      R"("requests.memory":"1Gi"}})";
  EXPECT_EQ(waitForStatus("q", expected), expected);
}

TEST_F(ResourceQuotaControllerTest, DeletionsAndFinishedPodsReplenish) {
  create("pods", pod("a"));
  create("pods", pod("b"));
  create("pods", pod("c"));
  start();
  createQuota("q", R"({"hard":{"pods":"5"}})");
  ASSERT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"3"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"3"}})");
  remove("pods", "a");
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"2"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"2"}})");
  // A terminated pod gives its usage back while it still exists.
  auto b = server.await(restClient->get(path("pods", "default", "b")));
  ASSERT_TRUE(b.ok());
  json::object finished = *b;
  finished["status"] = json::object{{"phase", "Succeeded"}};
  client::ResourcePath podStatus = path("pods", "default", "b");
  podStatus.subresource = "status";
  ASSERT_TRUE(server.await(restClient->update(podStatus, finished)).ok());
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"1"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"1"}})");
}

TEST_F(ResourceQuotaControllerTest, FailedPodReleasesItsComputeUsage) {
  create("pods", pod("a", R"({"requests":{"cpu":"500m"}})"));
  create("pods", pod("b", R"({"requests":{"cpu":"250m"}})"));
  start();
  createQuota("q", R"({"hard":{"requests.cpu":"2"}})");
  ASSERT_EQ(waitForStatus("q", R"({"hard":{"requests.cpu":"2"},"used":{"requests.cpu":"750m"}})"),
            R"({"hard":{"requests.cpu":"2"},"used":{"requests.cpu":"750m"}})");
  auto a = server.await(restClient->get(path("pods", "default", "a")));
  ASSERT_TRUE(a.ok());
  json::object failed = *a;
  failed["status"] = json::object{{"phase", "Failed"}};
  client::ResourcePath podStatus = path("pods", "default", "a");
  podStatus.subresource = "status";
  ASSERT_TRUE(server.await(restClient->update(podStatus, failed)).ok());
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"requests.cpu":"2"},"used":{"requests.cpu":"250m"}})"),
            R"({"hard":{"requests.cpu":"2"},"used":{"requests.cpu":"250m"}})");
}

TEST_F(ResourceQuotaControllerTest, SpecChangesAreReflected) {
  create("pods", pod("a"));
  start();
  createQuota("q", R"({"hard":{"pods":"5"}})");
  ASSERT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"1"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"1"}})");
  auto current = server.await(restClient->get(path("resourcequotas", "default", "q")));
  ASSERT_TRUE(current.ok());
  json::object changed = *current;
  changed["spec"] = json::parse(R"({"hard":{"pods":"7","count/configmaps":"2"}})");
  ASSERT_TRUE(server.await(restClient->update(path("resourcequotas", "default", "q"), changed)).ok());
  const std::string expected =
      R"({"hard":{"count/configmaps":"2","pods":"7"},"used":{"count/configmaps":"0","pods":"1"}})";
  EXPECT_EQ(waitForStatus("q", expected), expected);
}

TEST_F(ResourceQuotaControllerTest, ConfigMapDeletionReplenishesAndResyncCorrectsDrift) {
  ResourceQuotaControllerOptions options;
  options.resyncPeriod = 300ms;
  start(options);
  createQuota("q", R"({"hard":{"configmaps":"5"}})");
  ASSERT_EQ(waitForStatus("q", R"({"hard":{"configmaps":"5"},"used":{"configmaps":"0"}})"),
            R"({"hard":{"configmaps":"5"},"used":{"configmaps":"0"}})");
  // No admission here: a creation is not charged and is no replenishment; only
  // the periodic resync counts it.
  create("configmaps", configMap("c"));
  create("configmaps", configMap("d"));
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"configmaps":"5"},"used":{"configmaps":"2"}})"),
            R"({"hard":{"configmaps":"5"},"used":{"configmaps":"2"}})");
  remove("configmaps", "c");
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"configmaps":"5"},"used":{"configmaps":"1"}})"),
            R"({"hard":{"configmaps":"5"},"used":{"configmaps":"1"}})");
}

TEST_F(ResourceQuotaControllerTest, DeletionReplenishesWithoutWaitingForTheResync) {
  create("configmaps", configMap("c"));
  start();  // resync every 5 minutes: only replenishment can update it in time
  createQuota("q", R"({"hard":{"configmaps":"5"}})");
  ASSERT_EQ(waitForStatus("q", R"({"hard":{"configmaps":"5"},"used":{"configmaps":"1"}})"),
            R"({"hard":{"configmaps":"5"},"used":{"configmaps":"1"}})");
  remove("configmaps", "c");
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"configmaps":"5"},"used":{"configmaps":"0"}})"),
            R"({"hard":{"configmaps":"5"},"used":{"configmaps":"0"}})");
}

TEST_F(ResourceQuotaControllerTest, ScopedQuotaCountsOnlyPodsInScope) {
  create("pods", pod("besteffort"));
  create("pods", pod("burstable", R"({"requests":{"memory":"1Gi"}})"));
  start();
  createQuota("be", R"({"hard":{"pods":"5"},"scopes":["BestEffort"]})");
  createQuota("nbe", R"({"hard":{"pods":"5","requests.memory":"4Gi"},"scopes":["NotBestEffort"]})");
  EXPECT_EQ(waitForStatus("be", R"({"hard":{"pods":"5"},"used":{"pods":"1"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"1"}})");
  const std::string nbe = R"({"hard":{"pods":"5","requests.memory":"4Gi"},"used":{"pods":"1","requests.memory":"1Gi"}})";
  EXPECT_EQ(waitForStatus("nbe", nbe), nbe);
}

TEST_F(ResourceQuotaControllerTest, UnchangedStatusIsNotWrittenAgain) {
  ResourceQuotaControllerOptions options;
  options.resyncPeriod = 100ms;
  start(options);
  createQuota("q", R"({"hard":{"pods":"5"}})");
  ASSERT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"0"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"0"}})");
  auto before = server.await(restClient->get(path("resourcequotas", "default", "q")));
  ASSERT_TRUE(before.ok());
  server.runFor(600ms);  // several resyncs
  auto after = server.await(restClient->get(path("resourcequotas", "default", "q")));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(api::getString((*after)["metadata"].as_object(), "resourceVersion"),
            api::getString((*before)["metadata"].as_object(), "resourceVersion"));
}

}  // namespace
}  // namespace kcpp::controllers
