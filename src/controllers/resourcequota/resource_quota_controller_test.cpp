#include "controllers/resourcequota/resource_quota_controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>

#include "apiserver/registry/pods/pod_strategy.h"
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using controllers::ResourceQuotaController;
using controllers::ResourceQuotaControllerOptions;

json::object pod(const std::string& name, std::string_view resources = "") {
  json::object obj = parse(R"({"apiVersion":"v1","kind":"Pod",
      "spec":{"containers":[{"name":"c","image":"busybox"}]}})");
  api::ensureObject(obj, "metadata")["name"] = name;
  if (!resources.empty()) {
    obj["spec"].as_object()["containers"].as_array()[0].as_object()["resources"] = json::parse(resources);
  }
  return obj;
}

// The controller runs on io while the test drives it: io runs only until the
// awaited step (or condition) is done, never "until out of work".
class ResourceQuotaControllerTest : public RegistryTest {
 protected:
  void SetUp() override {
    quotas = &add("", "resourcequotas");
    pods = &add("", "pods", std::make_unique<PodStrategy>());
    configMaps = &add("", "configmaps");
    deployments = &add("apps", "deployments");
    events = &add("", "events");
  }

  void TearDown() override {
    if (!controller) return;
    stop = true;
    io.restart();
    while (!finished.load()) io.run_one_for(std::chrono::milliseconds(50));
  }

  void start(ResourceQuotaControllerOptions options = fastOptions()) {
    controller = std::make_unique<ResourceQuotaController>(
        *quotas, std::vector<Registry*>{quotas, pods, configMaps, deployments, events}, options);
    asio::co_spawn(io, controller->run(stop), [this](std::exception_ptr) { finished = true; });
  }

  static ResourceQuotaControllerOptions fastOptions() {
    ResourceQuotaControllerOptions options;
    options.stopCheck = std::chrono::milliseconds(50);
    return options;
  }

  template <class T>
  T drive(asio::awaitable<T> work) {
    std::optional<T> out;
    auto step = [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(work)); };
    auto done = asio::co_spawn(io, step(), asio::use_future);
    io.restart();
    while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      io.run_one_for(std::chrono::milliseconds(20));
    }
    done.get();
    return std::move(*out);
  }

  // Runs io until the quota's status reads `expected` (or 5 s pass).
  std::string waitForStatus(const std::string& name, const std::string& expected) {
    std::string status;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      auto q = drive(quotas->get(ns, name));
      if (q) {
        json::object obj = api::parseJson(*q->json)->as_object();
        const json::value* s = obj.if_contains("status");
        status = s ? json::serialize(*s) : "";
      }
      if (status == expected) return status;
      io.restart();
      io.run_for(std::chrono::milliseconds(20));
    }
    return status;
  }

  void createQuota(const std::string& name, std::string_view spec) {
    json::object q = parse(R"({"apiVersion":"v1","kind":"ResourceQuota"})");
    api::ensureObject(q, "metadata")["name"] = name;
    q["spec"] = json::parse(spec);
    ASSERT_TRUE(drive(quotas->create(ns, q, noOptions)).ok());
  }

  void createPod(json::object p) { ASSERT_TRUE(drive(pods->create(ns, std::move(p), noOptions)).ok()); }

  void removePod(const std::string& name) {
    DeleteOptions options;
    ASSERT_TRUE(drive(pods->remove(ns, name, options)).ok());
  }

  Registry* quotas = nullptr;
  Registry* pods = nullptr;
  Registry* configMaps = nullptr;
  Registry* deployments = nullptr;
  Registry* events = nullptr;
  std::atomic<bool> stop{false};
  std::atomic<bool> finished{false};
  std::unique_ptr<ResourceQuotaController> controller;
};

TEST_F(ResourceQuotaControllerTest, NewQuotaGetsHardAndUsedFromTheNamespace) {
  createPod(pod("a", R"({"requests":{"cpu":"250m","memory":"1Gi"}})"));
  createPod(pod("b", R"({"requests":{"cpu":"1"}})"));
  const std::string other = "other";
  ASSERT_TRUE(drive(pods->create(other, pod("c"), noOptions)).ok());
  start();
  createQuota("q", R"({"hard":{"pods":"10","requests.cpu":"4","requests.memory":"2Gi",
                               "count/deployments.apps":"1","configmaps":"3"}})");
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"configmaps":"3","count/deployments.apps":"1","pods":"10",)"
                               R"("requests.cpu":"4","requests.memory":"2Gi"},"used":{"configmaps":"0",)"
                               R"("count/deployments.apps":"0","pods":"2","requests.cpu":"1250m",)"
                               R"("requests.memory":"1Gi"}})"),
            R"({"hard":{"configmaps":"3","count/deployments.apps":"1","pods":"10",)"
            R"("requests.cpu":"4","requests.memory":"2Gi"},"used":{"configmaps":"0",)"
            R"("count/deployments.apps":"0","pods":"2","requests.cpu":"1250m",)"
            R"("requests.memory":"1Gi"}})");
}

TEST_F(ResourceQuotaControllerTest, DeletionsAndFinishedPodsReplenish) {
  createPod(pod("a"));
  createPod(pod("b"));
  createPod(pod("c"));
  start();
  createQuota("q", R"({"hard":{"pods":"5"}})");
  ASSERT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"3"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"3"}})");
  removePod("a");
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"2"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"2"}})");
  auto b = drive(pods->get(ns, "b"));
  ASSERT_TRUE(b.ok());
  json::object finishedPod = api::parseJson(*b->json)->as_object();
  finishedPod["status"].as_object()["phase"] = "Succeeded";
  const std::string name = "b";
  ASSERT_TRUE(drive(pods->update(ns, name, finishedPod, Subresource::Status, noOptions)).ok());
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"1"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"1"}})");
}

TEST_F(ResourceQuotaControllerTest, SpecChangesAreReflected) {
  createPod(pod("a"));
  start();
  createQuota("q", R"({"hard":{"pods":"5"}})");
  ASSERT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"1"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"1"}})");
  auto current = drive(quotas->get(ns, "q"));
  ASSERT_TRUE(current.ok());
  json::object changed = api::parseJson(*current->json)->as_object();
  changed["spec"] = json::parse(R"({"hard":{"pods":"7","count/configmaps":"2"}})");
  const std::string name = "q";
  ASSERT_TRUE(drive(quotas->update(ns, name, changed, Subresource::None, noOptions)).ok());
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"count/configmaps":"2","pods":"7"},"used":{"count/configmaps":"0","pods":"1"}})"),
            R"({"hard":{"count/configmaps":"2","pods":"7"},"used":{"count/configmaps":"0","pods":"1"}})");
}

TEST_F(ResourceQuotaControllerTest, FullResyncCorrectsDrift) {
  ResourceQuotaControllerOptions options = fastOptions();
  options.fullResync = std::chrono::milliseconds(200);
  start(options);
  createQuota("q", R"({"hard":{"configmaps":"5"}})");
  ASSERT_EQ(waitForStatus("q", R"({"hard":{"configmaps":"5"},"used":{"configmaps":"0"}})"),
            R"({"hard":{"configmaps":"5"},"used":{"configmaps":"0"}})");
  // Created without admission: no charge, no replenishment; only the resync sees it.
  ASSERT_TRUE(drive(configMaps->create(ns, configMap("c"), noOptions)).ok());
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"configmaps":"5"},"used":{"configmaps":"1"}})"),
            R"({"hard":{"configmaps":"5"},"used":{"configmaps":"1"}})");
}

TEST_F(ResourceQuotaControllerTest, ScopedQuotaCountsOnlyPodsInScope) {
  createPod(pod("besteffort"));
  createPod(pod("burstable", R"({"requests":{"memory":"1Gi"}})"));
  start();
  createQuota("be", R"({"hard":{"pods":"5"},"scopes":["BestEffort"]})");
  createQuota("nbe", R"({"hard":{"pods":"5","requests.memory":"4Gi"},"scopes":["NotBestEffort"]})");
  EXPECT_EQ(waitForStatus("be", R"({"hard":{"pods":"5"},"used":{"pods":"1"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"1"}})");
  EXPECT_EQ(waitForStatus("nbe", R"({"hard":{"pods":"5","requests.memory":"4Gi"},"used":{"pods":"1","requests.memory":"1Gi"}})"),
            R"({"hard":{"pods":"5","requests.memory":"4Gi"},"used":{"pods":"1","requests.memory":"1Gi"}})");
}

TEST_F(ResourceQuotaControllerTest, SyncAloneComputesStatusAndIgnoresMissingQuotas) {
  createQuota("q", R"({"hard":{"pods":"5"}})");
  ResourceQuotaController direct(*quotas, {quotas, pods});
  ASSERT_TRUE(drive(direct.sync("default/q")).ok());
  EXPECT_EQ(waitForStatus("q", R"({"hard":{"pods":"5"},"used":{"pods":"0"}})"),
            R"({"hard":{"pods":"5"},"used":{"pods":"0"}})");
  EXPECT_TRUE(drive(direct.sync("default/missing")).ok());
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
