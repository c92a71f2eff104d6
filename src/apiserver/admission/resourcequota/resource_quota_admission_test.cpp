#include "apiserver/admission/resourcequota/resource_quota_admission.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <atomic>
#include <functional>
#include <utility>
#include <thread>

#include "apiserver/admission/resourcequota/quota_check.h"
#include "apiserver/registry/pods/pod_strategy.h"
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using admission::Chain;
using admission::ResourceQuotaAdmission;

json::object pod(const std::string& name, std::string_view resources = "") {
  json::object obj = parse(R"({"apiVersion":"v1","kind":"Pod",
      "spec":{"containers":[{"name":"c","image":"busybox"}]}})");
  api::ensureObject(obj, "metadata")["name"] = name;
  if (!resources.empty()) {
    obj["spec"].as_object()["containers"].as_array()[0].as_object()["resources"] = json::parse(resources);
  }
  return obj;
}

// A quota whose status the controller has already filled in.
json::object quotaObject(const std::string& name, std::string_view hard, std::string_view used) {
  json::object q = parse(R"({"apiVersion":"v1","kind":"ResourceQuota","spec":{}})");
  api::ensureObject(q, "metadata")["name"] = name;
  q["spec"].as_object()["hard"] = json::parse(hard);
  if (!used.empty()) q["status"] = json::object{{"hard", json::parse(hard)}, {"used", json::parse(used)}};
  return q;
}

class ResourceQuotaAdmissionTest : public RegistryTest {
 protected:
  void SetUp() override {
    quotas = &add("", "resourcequotas");
    pods = &add("", "pods", std::make_unique<PodStrategy>());
    configMaps = &add("", "configmaps");
    services = &add("", "services");
    chain = makeChain();
    for (Registry* r : {pods, configMaps, services}) r->setAdmission(*chain);
    asUser.requester.user = &user;
  }

  std::unique_ptr<Chain> makeChain() {
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<ResourceQuotaAdmission>(*quotas));
    return std::make_unique<Chain>(std::move(plugins));
  }

  // Quotas are created by the server here: the status write needs no user.
  void addQuota(const std::string& name, std::string_view hard, std::string_view used) {
    json::object q = quotaObject(name, hard, used);
    json::value status = q.contains("status") ? q["status"] : json::value(nullptr);
    json::object created = create(*quotas, ns, q);
    if (status.is_null()) return;
    created["status"] = status;
    ASSERT_TRUE(update(*quotas, ns, name, created, Subresource::Status).ok());
  }

  std::string used(const std::string& name) {
    auto q = get(*quotas, ns, name);
    EXPECT_TRUE(q.ok());
    return q ? json::serialize(at(*q, "status.used")) : "";
  }

  // What another server's admission does: pods 1 -> 2, with the current version.
  asio::awaitable<void> chargeOnePod() {
    const std::string name = "q";
    auto current = co_await quotas->get(ns, name);
    EXPECT_TRUE(current.ok());
    if (!current) co_return;
    json::object q = api::parseJson(*current->json)->as_object();
    q["status"].as_object()["used"] = json::parse(R"({"pods":"2"})");
    auto written = co_await quotas->update(ns, name, std::move(q), Subresource::Status, noOptions);
    EXPECT_TRUE(written.ok());
  }

  Registry* quotas = nullptr;
  Registry* pods = nullptr;
  Registry* configMaps = nullptr;
  Registry* services = nullptr;
  std::unique_ptr<Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
};

TEST_F(ResourceQuotaAdmissionTest, ChargesUntilTheLimitThenForbidsWithUpstreamsMessage) {
  addQuota("q", R"({"pods":"2"})", R"({"pods":"0"})");
  EXPECT_TRUE(await(pods->create(ns, pod("p1"), asUser)).ok());
  EXPECT_EQ(used("q"), R"({"pods":"1"})");
  EXPECT_TRUE(await(pods->create(ns, pod("p2"), asUser)).ok());
  EXPECT_EQ(used("q"), R"({"pods":"2"})");
  auto third = await(pods->create(ns, pod("p3"), asUser));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code(), 403);
  EXPECT_EQ(third.error().message,
            "pods \"p3\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");
  EXPECT_EQ(used("q"), R"({"pods":"2"})");
  EXPECT_EQ(count(*pods, ns), 2u);
}

TEST_F(ResourceQuotaAdmissionTest, QuotaWithoutStatusIsNotEnforcedYet) {
  addQuota("q", R"({"pods":"1"})", "");
  EXPECT_TRUE(await(pods->create(ns, pod("p1"), asUser)).ok());
  EXPECT_TRUE(await(pods->create(ns, pod("p2"), asUser)).ok());
}

TEST_F(ResourceQuotaAdmissionTest, MissingUsageIsStatusUnknown) {
  addQuota("q", R"({"pods":"2","configmaps":"3"})", R"({"configmaps":"0"})");
  auto created = await(pods->create(ns, pod("p1"), asUser));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().message,
            "pods \"p1\" is forbidden: status unknown for quota: q, resources: pods");
  EXPECT_TRUE(await(configMaps->create(ns, configMap("c"), asUser)).ok());
  EXPECT_EQ(used("q"), R"({"configmaps":"1"})");
}

TEST_F(ResourceQuotaAdmissionTest, ComputeQuotaNeedsRequestsOnEveryContainer) {
  addQuota("compute", R"({"requests.cpu":"1","requests.memory":"1Gi"})",
           R"({"requests.cpu":"0","requests.memory":"0"})");
  auto bare = await(pods->create(ns, pod("bare"), asUser));
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().message,
            "pods \"bare\" is forbidden: failed quota: compute: must specify "
            "requests.cpu for: c; requests.memory for: c");
  EXPECT_TRUE(await(pods->create(ns, pod("ok", R"({"requests":{"cpu":"600m","memory":"512Mi"}})"),
                                 asUser))
                  .ok());
  EXPECT_EQ(used("compute"), R"({"requests.cpu":"600m","requests.memory":"512Mi"})");
  auto big = await(pods->create(ns, pod("big", R"({"requests":{"cpu":"500m","memory":"256Mi"}})"),
                                asUser));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().message,
            "pods \"big\" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, "
            "used: requests.cpu=600m, limited: requests.cpu=1");
}

TEST_F(ResourceQuotaAdmissionTest, DryRunChecksButDoesNotCharge) {
  addQuota("q", R"({"pods":"1"})", R"({"pods":"0"})");
  WriteOptions dryRun = asUser;
  dryRun.dryRun = true;
  EXPECT_TRUE(await(pods->create(ns, pod("p1"), dryRun)).ok());
  EXPECT_EQ(used("q"), R"({"pods":"0"})");
  EXPECT_TRUE(await(pods->create(ns, pod("p1"), asUser)).ok());
  auto second = await(pods->create(ns, pod("p2"), dryRun));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), 403);
}

TEST_F(ResourceQuotaAdmissionTest, ServerWritesAndOtherNamespacesAreNotCharged) {
  addQuota("q", R"({"pods":"1"})", R"({"pods":"0"})");
  EXPECT_TRUE(await(pods->create(ns, pod("p1"), noOptions)).ok());
  EXPECT_EQ(used("q"), R"({"pods":"0"})");
  const std::string other = "other";
  EXPECT_TRUE(await(pods->create(other, pod("p1"), asUser)).ok());
  EXPECT_EQ(used("q"), R"({"pods":"0"})");
}

TEST_F(ResourceQuotaAdmissionTest, EveryMatchingQuotaIsCharged) {
  addQuota("a", R"({"count/configmaps":"5"})", R"({"count/configmaps":"1"})");
  addQuota("b", R"({"configmaps":"2","pods":"4"})", R"({"configmaps":"0","pods":"0"})");
  EXPECT_TRUE(await(configMaps->create(ns, configMap("c1"), asUser)).ok());
  EXPECT_EQ(used("a"), R"({"count/configmaps":"2"})");
  EXPECT_EQ(used("b"), R"({"configmaps":"1","pods":"0"})");
  EXPECT_TRUE(await(configMaps->create(ns, configMap("c2"), asUser)).ok());
  auto third = await(configMaps->create(ns, configMap("c3"), asUser));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().message,
            "configmaps \"c3\" is forbidden: exceeded quota: b, requested: configmaps=1, "
            "used: configmaps=2, limited: configmaps=2");
  EXPECT_EQ(used("a"), R"({"count/configmaps":"3"})");
}

TEST_F(ResourceQuotaAdmissionTest, ServiceUpdateIsChargedWhatItAdds) {
  addQuota("q", R"({"services":"2","services.nodeports":"1"})",
           R"({"services":"0","services.nodeports":"0"})");
  json::object svc = parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
      "spec":{"ports":[{"port":80}]}})");
  auto created = await(services->create(ns, svc, asUser));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(used("q"), R"({"services":"1","services.nodeports":"0"})");
  json::object nodePort = *created;
  nodePort["spec"].as_object()["type"] = "NodePort";
  const std::string name = "s";
  auto updated = await(services->update(ns, name, nodePort, Subresource::None, asUser));
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(used("q"), R"({"services":"1","services.nodeports":"1"})");
  json::object twoPorts = *updated;
  twoPorts["spec"].as_object()["ports"].as_array().push_back(json::parse(R"({"port":81,"name":"b"})"));
  twoPorts["spec"].as_object()["ports"].as_array()[0].as_object()["name"] = "a";
  auto rejected = await(services->update(ns, name, twoPorts, Subresource::None, asUser));
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().message,
            "services \"s\" is forbidden: exceeded quota: q, requested: services.nodeports=1, "
            "used: services.nodeports=1, limited: services.nodeports=1");
}

// Concurrent creates must never together pass the limit: on one server the
// namespace lock orders them; two servers (two plugins over one store) rely on
// the resourceVersion precondition of the quota write.
TEST_F(ResourceQuotaAdmissionTest, ConcurrentCreatesTakeExactlyTheFreeSlots) {
  addQuota("q", R"({"pods":"5"})", R"({"pods":"0"})");
  std::unique_ptr<Chain> otherServer = makeChain();
  Registry& otherPods = add("", "pods", std::make_unique<PodStrategy>());
  otherPods.setAdmission(*otherServer);
  std::atomic<int> succeeded = 0, forbidden = 0, other = 0;
  for (int i = 0; i < 40; ++i) {
    Registry& target = i % 2 ? otherPods : *pods;
    auto attempt = [&](Registry& r, json::object p) -> asio::awaitable<void> {
      auto created = co_await r.create(ns, std::move(p), asUser);
      if (created) ++succeeded;
      else if (created.error().code() == 403) ++forbidden;
      else ++other;
    };
    asio::co_spawn(io, attempt(target, pod("p" + std::to_string(i))), asio::detached);
  }
  // Four threads, as the server runs its io_context: the plugins really race.
  io.restart();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([this] { io.run(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(succeeded, 5);
  EXPECT_EQ(forbidden + other, 35);
  EXPECT_EQ(used("q"), R"({"pods":"5"})");
  EXPECT_EQ(count(*pods, ns), 5u);
}

// Another server charges the quota between this plugin's read and its write:
// the write's resourceVersion precondition fails, and the plugin checks again
// against the new usage instead of overwriting it.
class InterferingAccessor : public admission::QuotaAccessor {
 public:
  InterferingAccessor(Registry& quotas, std::function<asio::awaitable<void>()> interfere)
      : real_(quotas), interfere_(std::move(interfere)) {}
  asio::awaitable<Result<std::vector<json::object>>> list(const std::string& ns) override {
    co_return co_await real_.list(ns);
  }
  asio::awaitable<Result<std::vector<json::object>>> listFresh(const std::string& ns) override {
    co_return co_await real_.listFresh(ns);
  }
  asio::awaitable<Result<void>> updateStatus(json::object quota) override {
    ++writes;
    if (interfere_) co_await std::exchange(interfere_, nullptr)();
    auto written = co_await real_.updateStatus(std::move(quota));
    if (!written && written.error().reason == Reason::Conflict) ++conflicts;
    co_return written;
  }
  int writes = 0;
  int conflicts = 0;

 private:
  admission::RegistryQuotaAccessor real_;
  std::function<asio::awaitable<void>()> interfere_;
};

TEST_F(ResourceQuotaAdmissionTest, ChargeRacingAnotherServerIsCheckedAgain) {
  addQuota("q", R"({"pods":"2"})", R"({"pods":"1"})");
  auto accessor = std::make_unique<InterferingAccessor>(*quotas, [this] { return chargeOnePod(); });
  InterferingAccessor& spy = *accessor;
  std::vector<admission::PluginPtr> plugins;
  plugins.push_back(std::make_unique<ResourceQuotaAdmission>(std::move(accessor)));
  Chain racing(std::move(plugins));
  pods->setAdmission(racing);
  auto created = await(pods->create(ns, pod("p"), asUser));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().message,
            "pods \"p\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");
  EXPECT_EQ(spy.writes, 1);
  EXPECT_EQ(spy.conflicts, 1);
  EXPECT_EQ(used("q"), R"({"pods":"2"})");
}

TEST_F(ResourceQuotaAdmissionTest, ChargeRetriedAfterAConflictThatLeavesRoom) {
  addQuota("q", R"({"pods":"3"})", R"({"pods":"1"})");
  auto accessor = std::make_unique<InterferingAccessor>(*quotas, [this] { return chargeOnePod(); });
  InterferingAccessor& spy = *accessor;
  std::vector<admission::PluginPtr> plugins;
  plugins.push_back(std::make_unique<ResourceQuotaAdmission>(std::move(accessor)));
  Chain racing(std::move(plugins));
  pods->setAdmission(racing);
  EXPECT_TRUE(await(pods->create(ns, pod("p"), asUser)).ok());
  EXPECT_EQ(spy.writes, 2);
  EXPECT_EQ(spy.conflicts, 1);
  EXPECT_EQ(used("q"), R"({"pods":"3"})");
}

TEST(QuotaCheck, UpdatesThatAddNothingAreFree) {
  quota::EvaluatorRegistry evaluators;
  const quota::Evaluator& services = evaluators.get("", "services");
  std::vector<quota::ResourceQuota> quotas = {quota::parseResourceQuota(
      quotaObject("q", R"({"services":"1"})", R"({"services":"1"})"))};
  json::object svc = parse(R"({"metadata":{"resourceVersion":"5"},"spec":{"ports":[{"port":80}]}})");
  admission::QuotaRequest update{quota::Operation::Update, &svc, &svc};
  auto check = admission::checkRequest(quotas, update, services, quota::Clock::now());
  EXPECT_EQ(check.forbidden, "");
  EXPECT_EQ(quota::prettyPrint(check.quotas[0].used), "services=1");
  admission::QuotaRequest create{quota::Operation::Create, &svc, nullptr};
  EXPECT_EQ(admission::checkRequest(quotas, create, services, quota::Clock::now()).forbidden,
            "exceeded quota: q, requested: services=1, used: services=1, limited: services=1");
  admission::QuotaRequest noOld{quota::Operation::Update, &svc, nullptr};
  EXPECT_EQ(admission::checkRequest(quotas, noOld, services, quota::Clock::now()).forbidden,
            "unable to get previous usage since prior version of object was not found");
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
