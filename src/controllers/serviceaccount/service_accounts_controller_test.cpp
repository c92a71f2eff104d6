#include "controllers/serviceaccount/service_accounts_controller.h"

#include "controllers/pernamespace/loop_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using controllers::ServiceAccountsController;

class ServiceAccountsControllerTest : public PerNamespaceLoopTest {
 protected:
  void SetUp() override {
    PerNamespaceLoopTest::SetUp();
    accounts = &add("", "serviceaccounts");
    controller = std::make_unique<ServiceAccountsController>(*namespaces, *accounts);
  }
  void startLoop() {
    looping = true;
    controller->start(io.get_executor(), stop);
  }
  std::string defaultUid(const std::string& inNs) {
    auto account = cached(*accounts, inNs, "default");
    return account ? str(*account, "metadata.uid") : "";
  }

  Registry* accounts = nullptr;
  std::unique_ptr<ServiceAccountsController> controller;
};

TEST_F(ServiceAccountsControllerTest, SyncCreatesTheDefaultAccountOnce) {
  createNamespace("team");
  const std::string team = "team";
  ASSERT_TRUE(await(controller->syncNamespace(team)).ok());
  auto account = get(*accounts, team, "default");
  ASSERT_TRUE(account.ok()) << account.error().message;
  EXPECT_EQ(str(*account, "kind"), "ServiceAccount");
  EXPECT_FALSE(account->contains("automountServiceAccountToken"));
  EXPECT_FALSE(account->contains("secrets"));
  std::string uid = str(*account, "metadata.uid");
  ASSERT_TRUE(await(controller->syncNamespace(team)).ok());
  EXPECT_EQ(str(*get(*accounts, team, "default"), "metadata.uid"), uid);
}

TEST_F(ServiceAccountsControllerTest, MissingAndTerminatingNamespacesGetNone) {
  const std::string absent = "absent", going = "going";
  ASSERT_TRUE(await(controller->syncNamespace(absent)).ok());
  EXPECT_EQ(count(*accounts, absent), 0u);
  createNamespace(going);
  terminateNamespace(going);
  ASSERT_TRUE(await(controller->syncNamespace(going)).ok());
  EXPECT_EQ(count(*accounts, going), 0u);
}

TEST_F(ServiceAccountsControllerTest, LoopCreatesForEveryNamespaceAndRecreatesDeleted) {
  createNamespace("before");  // exists when the loop starts
  startLoop();
  ASSERT_TRUE(eventually([&] { return !defaultUid("before").empty(); }));
  createNamespace("after");
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return !defaultUid("after").empty(); }));
  // Reacting to the watch event, not a periodic resync.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));

  std::string uid = defaultUid("after");
  const std::string after = "after", name = "default";
  DeleteOptions options;
  ASSERT_TRUE(during(accounts->remove(after, name, options)).ok());
  ASSERT_TRUE(eventually([&] { return !defaultUid("after").empty() && defaultUid("after") != uid; }));

  // A namespace being deleted does not get its account back.
  terminateNamespace("before");
  const std::string before = "before";
  ASSERT_TRUE(during(accounts->remove(before, name, options)).ok());
  io.run_for(std::chrono::milliseconds(300));
  EXPECT_EQ(defaultUid("before"), "");
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
