// kube-root-ca.crt in every active namespace, against a real in-process API server.
#include "controllers/rootcacertpublisher/root_ca_cert_publisher.h"

#include "controllers/pernamespace/per_namespace_test_fixture.h"

namespace kcpp::controllers::testing {
namespace {

constexpr const char* kCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

class RootCaCertPublisherTest : public PerNamespaceControllerTest {
 protected:
  void startController() {
    start(std::make_unique<RootCaCertPublisher>(*restClient, *informers, io.get_executor(), kCa));
  }
  std::optional<json::object> rootCa(const std::string& ns) { return get("configmaps", ns, "kube-root-ca.crt"); }
  bool isPublished(const std::string& ns) {
    auto cm = rootCa(ns);
    return cm && cm->contains("data") && cm->at("data") == json::object{{"ca.crt", kCa}};
  }
};

TEST_F(RootCaCertPublisherTest, PublishesTheCaAsUpstream) {
  createNamespace("team");
  startController();
  server.runFor(5s, [&] { return isPublished("team"); });
  auto cm = rootCa("team");
  ASSERT_TRUE(cm);
  EXPECT_EQ(cm->at("data"), (json::object{{"ca.crt", kCa}}));
  EXPECT_EQ(cm->at("metadata").at("annotations"), (json::object{{"kubernetes.io/description", kRootCaDescription}}));
}

TEST_F(RootCaCertPublisherTest, RestoresChangedDataLeavingTheRestAndRecreatesDeleted) {
  createNamespace("team");
  json::object tampered = json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"kube-root-ca.crt","labels":{"keep":"me"}},
      "data":{"ca.crt":"forged","extra":"x"}})").as_object();
  ASSERT_TRUE(server.await(restClient->create(path("configmaps", "team", ""), tampered)).ok());
  startController();
  server.runFor(5s, [&] { return isPublished("team"); });
  auto cm = rootCa("team");
  ASSERT_TRUE(cm && isPublished("team"));
  EXPECT_EQ(cm->at("metadata").at("annotations").at("kubernetes.io/description"), kRootCaDescription);
  EXPECT_EQ(cm->at("metadata").at("labels").at("keep"), "me");  // the rest is left alone
  // Current: no further write.
  std::string rv = str(*cm, "metadata.resourceVersion");
  server.runFor(300ms);
  EXPECT_EQ(str(*rootCa("team"), "metadata.resourceVersion"), rv);

  std::string uid = str(*cm, "metadata.uid");
  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(path("configmaps", "team", "kube-root-ca.crt"), noOptions)).ok());
  server.runFor(5s, [&] { auto c = rootCa("team"); return c && str(*c, "metadata.uid") != uid; });
  auto again = rootCa("team");
  ASSERT_TRUE(again);
  EXPECT_NE(str(*again, "metadata.uid"), uid);
}

TEST_F(RootCaCertPublisherTest, TerminatingNamespacesGetNone) {
  createNamespace("going");
  terminateNamespace("going");
  startController();
  createNamespace("marker");
  server.runFor(5s, [&] { return isPublished("marker"); });
  ASSERT_TRUE(isPublished("marker"));
  EXPECT_FALSE(rootCa("going").has_value());
}

}  // namespace
}  // namespace kcpp::controllers::testing
