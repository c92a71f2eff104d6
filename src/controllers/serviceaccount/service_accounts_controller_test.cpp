// The default ServiceAccount in every active namespace, against a real in-process API server.
#include "controllers/serviceaccount/service_accounts_controller.h"

#include "controllers/pernamespace/per_namespace_test_fixture.h"

namespace kcpp::controllers::testing {
namespace {

class ServiceAccountsControllerTest : public PerNamespaceControllerTest {
 protected:
  void startController() {
    start(std::make_unique<ServiceAccountsController>(*restClient, *informers, io.get_executor()));
  }
  std::string defaultUid(const std::string& ns) {
    auto account = get("serviceaccounts", ns, "default");
    return account ? str(*account, "metadata.uid") : "";
  }
};

TEST_F(ServiceAccountsControllerTest, CreatesForEveryNamespaceAndRecreatesDeleted) {
  createNamespace("before");  // exists when the controller starts
  startController();
  server.runFor(5s, [&] { return !defaultUid("before").empty(); });
  auto account = get("serviceaccounts", "before", "default");
  ASSERT_TRUE(account);
  EXPECT_EQ(str(*account, "kind"), "ServiceAccount");
  EXPECT_FALSE(account->contains("automountServiceAccountToken"));
  EXPECT_FALSE(account->contains("secrets"));

  createNamespace("after");
  auto t0 = std::chrono::steady_clock::now();
  server.runFor(5s, [&] { return !defaultUid("after").empty(); });
  ASSERT_FALSE(defaultUid("after").empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);

  std::string uid = defaultUid("after");
  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(path("serviceaccounts", "after", "default"), noOptions)).ok());
  server.runFor(5s, [&] { return !defaultUid("after").empty() && defaultUid("after") != uid; });
  EXPECT_NE(defaultUid("after"), uid);
  EXPECT_FALSE(defaultUid("after").empty());
}

TEST_F(ServiceAccountsControllerTest, TerminatingNamespacesGetNone) {
  createNamespace("going");
  terminateNamespace("going");
  startController();
  createNamespace("marker");  // synced after "going": once it has its account, "going" was seen
  server.runFor(5s, [&] { return !defaultUid("marker").empty(); });
  ASSERT_FALSE(defaultUid("marker").empty());
  EXPECT_TRUE(defaultUid("going").empty());
}

}  // namespace
}  // namespace kcpp::controllers::testing
