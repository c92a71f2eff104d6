#include "controllers/rootcacertpublisher/root_ca_cert_publisher.h"

#include "controllers/pernamespace/loop_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using controllers::RootCaCertPublisher;

constexpr const char* kCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
constexpr const char* kDescription =
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.";

class RootCaCertPublisherTest : public PerNamespaceLoopTest {
 protected:
  void SetUp() override {
    PerNamespaceLoopTest::SetUp();
    configMaps = &add("", "configmaps");
    publisher = std::make_unique<RootCaCertPublisher>(*namespaces, *configMaps, kCa);
  }
  std::optional<json::object> rootCa(const std::string& inNs) {
    return cached(*configMaps, inNs, "kube-root-ca.crt");
  }
  bool isPublished(const std::string& inNs) {
    auto cm = rootCa(inNs);
    return cm && cm->at("data") == json::value(json::object{{"ca.crt", kCa}});
  }

  Registry* configMaps = nullptr;
  std::unique_ptr<RootCaCertPublisher> publisher;
};

TEST_F(RootCaCertPublisherTest, SyncPublishesTheCaAsUpstream) {
  createNamespace("team");
  const std::string team = "team";
  ASSERT_TRUE(await(publisher->syncNamespace(team)).ok());
  auto cm = get(*configMaps, team, "kube-root-ca.crt");
  ASSERT_TRUE(cm.ok()) << cm.error().message;
  EXPECT_EQ(cm->at("data"), (json::object{{"ca.crt", kCa}}));
  EXPECT_EQ(cm->at("metadata").at("annotations"),
            (json::object{{"kubernetes.io/description", kDescription}}));
}

TEST_F(RootCaCertPublisherTest, SyncRestoresChangedDataAndDescription) {
  createNamespace("team");
  const std::string team = "team";
  json::object tampered = parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"kube-root-ca.crt","labels":{"keep":"me"}},
      "data":{"ca.crt":"forged","extra":"x"}})");
  create(*configMaps, team, tampered);
  // The publisher reads from the cache, as from an informer; its event would
  // bring the loop back to this namespace.
  ASSERT_TRUE(eventually([&] { return rootCa(team).has_value(); }));
  ASSERT_TRUE(await(publisher->syncNamespace(team)).ok());
  auto cm = get(*configMaps, team, "kube-root-ca.crt");
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->at("data"), (json::object{{"ca.crt", kCa}}));
  EXPECT_EQ(cm->at("metadata").at("annotations").at("kubernetes.io/description"), kDescription);
  EXPECT_EQ(cm->at("metadata").at("labels").at("keep"), "me");  // the rest is left alone
  // Current: no write.
  std::string rv = str(*cm, "metadata.resourceVersion");
  ASSERT_TRUE(eventually([&] { return str(*rootCa(team), "metadata.resourceVersion") == rv; }));
  ASSERT_TRUE(await(publisher->syncNamespace(team)).ok());
  EXPECT_EQ(str(*get(*configMaps, team, "kube-root-ca.crt"), "metadata.resourceVersion"), rv);
}

TEST_F(RootCaCertPublisherTest, TerminatingNamespacesGetNone) {
  createNamespace("going");
  terminateNamespace("going");
  const std::string going = "going";
  ASSERT_TRUE(await(publisher->syncNamespace(going)).ok());
  EXPECT_EQ(count(*configMaps, going), 0u);
}

TEST_F(RootCaCertPublisherTest, LoopPublishesAndRestores) {
  createNamespace("before");
  looping = true;
  publisher->start(io.get_executor(), stop);
  ASSERT_TRUE(eventually([&] { return isPublished("before"); }));
  createNamespace("after");
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return isPublished("after"); }));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));

  // Changed: restored.
  const std::string after = "after", name = "kube-root-ca.crt";
  std::string edit = R"({"data":{"ca.crt":"forged"}})";
  auto patched = during(configMaps->patch(after, name, PatchType::Merge, edit, Subresource::None,
                                          noOptions));
  ASSERT_TRUE(patched.ok());
  std::string forgedVersion = str(*patched, "metadata.resourceVersion");
  ASSERT_TRUE(eventually([&] {
    auto cm = rootCa("after");
    return cm && str(*cm, "metadata.resourceVersion") != forgedVersion && isPublished("after");
  }));
  // Deleted: created again.
  std::string uid = str(*rootCa("after"), "metadata.uid");
  DeleteOptions options;
  ASSERT_TRUE(during(configMaps->remove(after, name, options)).ok());
  ASSERT_TRUE(eventually([&] {
    auto cm = rootCa("after");
    return cm && str(*cm, "metadata.uid") != uid && isPublished("after");
  }));
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
