#include "apiserver/admission/serviceaccount/service_account.h"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "apiserver/admission/namespacelifecycle/namespace_lifecycle.h"
#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using admission::Chain;
using admission::ServiceAccountAdmission;
using admission::ServiceAccountAdmissionOptions;

constexpr const char* kMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

json::object pod(const std::string& name, std::string_view spec = R"({"containers":[{"name":"c","image":"x"}]})") {
  json::object obj = parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{}})");
  obj["metadata"].as_object()["name"] = name;
  obj["spec"] = json::parse(spec);
  return obj;
}

json::object account(const std::string& name, std::string_view rest = "{}") {
  json::object obj = parse(rest);
  obj["apiVersion"] = "v1";
  obj["kind"] = "ServiceAccount";
  api::ensureObject(obj, "metadata")["name"] = name;
  return obj;
}

class ServiceAccountAdmissionTest : public RegistryTest {
 protected:
  void SetUp() override {
    accounts = &add("", "serviceaccounts");
    pods = &add("", "pods");
    asUser.requester.user = &user;
    build(options());
  }

  static ServiceAccountAdmissionOptions options() {
    ServiceAccountAdmissionOptions o;
    o.volumeSuffix = [] { return std::string("abcde"); };
    o.defaultAccountAttempts = 1;
    return o;
  }

  void build(ServiceAccountAdmissionOptions o) {
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<ServiceAccountAdmission>(*accounts, std::move(o)));
    chain = std::make_unique<Chain>(std::move(plugins));
    pods->setAdmission(*chain);
  }

  Result<json::object> createPod(json::object body) {
    return await(pods->create(ns, std::move(body), asUser));
  }

  Registry* accounts = nullptr;
  Registry* pods = nullptr;
  std::unique_ptr<Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
};

TEST_F(ServiceAccountAdmissionTest, DefaultAccountAndTokenVolumeAreAdded) {
  create(*accounts, ns, account("default"));
  auto created = createPod(pod("p", R"({"containers":[{"name":"c","image":"x"}],
                                        "initContainers":[{"name":"i","image":"x"}]})"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  const json::object& spec = created->at("spec").as_object();
  EXPECT_EQ(spec.at("serviceAccountName"), "default");
  // The projected volume exactly as upstream's TokenVolumeSource.
  EXPECT_EQ(spec.at("volumes"), json::parse(R"([{"name":"kube-api-access-abcde","projected":{
      "sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
                 {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
                 {"downwardAPI":{"items":[{"path":"namespace",
                     "fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],
      "defaultMode":420}}])"));
  json::value mounts = json::parse(R"([{"name":"kube-api-access-abcde","readOnly":true,
      "mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}])");
  EXPECT_EQ(spec.at("containers").at(0).at("volumeMounts"), mounts);
  EXPECT_EQ(spec.at("initContainers").at(0).at("volumeMounts"), mounts);
  EXPECT_FALSE(spec.contains("imagePullSecrets"));
}

TEST_F(ServiceAccountAdmissionTest, MissingAccountIsForbidden) {
  auto created = createPod(pod("p", R"({"serviceAccountName":"robot",
                                        "containers":[{"name":"c","image":"x"}]})"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 403);
  EXPECT_EQ(created.error().message,
            "pods \"p\" is forbidden: error looking up service account default/robot: "
            "serviceaccount \"robot\" not found");
  auto noDefault = createPod(pod("q"));
  ASSERT_FALSE(noDefault.ok());
  EXPECT_EQ(noDefault.error().message,
            "pods \"q\" is forbidden: error looking up service account default/default: "
            "serviceaccount \"default\" not found");
  EXPECT_EQ(count(*pods, ns), 0u);
}

// The default account is looked up again for a while: the controller creates
// it just after the namespace, and a pod may come first.
TEST_F(ServiceAccountAdmissionTest, DefaultAccountIsWaitedFor) {
  ServiceAccountAdmissionOptions o = options();
  o.defaultAccountAttempts = 10;
  o.retryInterval = std::chrono::milliseconds(20);
  build(std::move(o));
  bool accountCreated = false;
  auto later = [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(io, std::chrono::milliseconds(60));
    co_await timer.async_wait(asio::use_awaitable);
    accountCreated = (co_await accounts->create(ns, account("default"), noOptions)).ok();
  };
  auto both = [&]() -> asio::awaitable<Result<json::object>> {
    asio::co_spawn(io, later(), asio::detached);
    co_return co_await pods->create(ns, pod("p"), asUser);
  };
  auto created = await(both());
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(accountCreated);
  EXPECT_EQ(str(*created, "spec.serviceAccountName"), "default");
}

TEST_F(ServiceAccountAdmissionTest, AutomountOffOnPodOrAccount) {
  create(*accounts, ns, account("default"));
  create(*accounts, ns, account("quiet", R"({"automountServiceAccountToken":false})"));
  auto podOff = createPod(pod("a", R"({"automountServiceAccountToken":false,
                                       "containers":[{"name":"c","image":"x"}]})"));
  ASSERT_TRUE(podOff.ok()) << podOff.error().message;
  EXPECT_FALSE(podOff->at("spec").as_object().contains("volumes"));
  EXPECT_FALSE(podOff->at("spec").at("containers").at(0).as_object().contains("volumeMounts"));
  auto accountOff = createPod(pod("b", R"({"serviceAccountName":"quiet",
                                           "containers":[{"name":"c","image":"x"}]})"));
  ASSERT_TRUE(accountOff.ok()) << accountOff.error().message;
  EXPECT_FALSE(accountOff->at("spec").as_object().contains("volumes"));
  // The pod's choice wins over the account's.
  auto podOn = createPod(pod("c", R"({"serviceAccountName":"quiet","automountServiceAccountToken":true,
                                      "containers":[{"name":"c","image":"x"}]})"));
  ASSERT_TRUE(podOn.ok()) << podOn.error().message;
  EXPECT_EQ(podOn->at("spec").at("volumes").at(0).at("name"), "kube-api-access-abcde");
}

TEST_F(ServiceAccountAdmissionTest, ExistingMountsAndVolumesAreKept) {
  create(*accounts, ns, account("default"));
  auto created = createPod(pod("p", R"({
      "volumes":[{"name":"mine","emptyDir":{}}],
      "containers":[{"name":"a","image":"x","volumeMounts":[{"name":"mine",
                      "mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}]},
                    {"name":"b","image":"x","volumeMounts":[{"name":"mine","mountPath":"/data"}]}]})"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  const json::object& spec = created->at("spec").as_object();
  EXPECT_EQ(spec.at("containers").at(0).at("volumeMounts").as_array().size(), 1u);
  ASSERT_EQ(spec.at("containers").at(1).at("volumeMounts").as_array().size(), 2u);
  EXPECT_EQ(spec.at("containers").at(1).at("volumeMounts").at(1).at("mountPath"), kMountPath);
  ASSERT_EQ(spec.at("volumes").as_array().size(), 2u);
  EXPECT_EQ(spec.at("volumes").at(1).at("name"), "kube-api-access-abcde");

  // A kube-api-access-* volume the pod already has is reused, not added again.
  auto reused = createPod(pod("q", R"({
      "volumes":[{"name":"kube-api-access-zzzzz","emptyDir":{}}],
      "containers":[{"name":"a","image":"x"}]})"));
  ASSERT_TRUE(reused.ok()) << reused.error().message;
  EXPECT_EQ(reused->at("spec").at("volumes").as_array().size(), 1u);
  EXPECT_EQ(reused->at("spec").at("containers").at(0).at("volumeMounts").at(0).at("name"),
            "kube-api-access-zzzzz");
}

TEST_F(ServiceAccountAdmissionTest, PullSecretsComeFromTheAccountWhenThePodHasNone) {
  create(*accounts, ns, account("default", R"({"imagePullSecrets":[{"name":"reg1"},{"name":"reg2"}]})"));
  auto created = createPod(pod("p"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->at("spec").at("imagePullSecrets"),
            json::parse(R"([{"name":"reg1"},{"name":"reg2"}])"));
  auto own = createPod(pod("q", R"({"imagePullSecrets":[{"name":"mine"}],
                                    "containers":[{"name":"c","image":"x"}]})"));
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_EQ(own->at("spec").at("imagePullSecrets"), json::parse(R"([{"name":"mine"}])"));
}

TEST_F(ServiceAccountAdmissionTest, MountableSecretsEnforcedOnlyWhenAnnotated) {
  create(*accounts, ns, account("open", R"({"secrets":[{"name":"ok"}]})"));
  create(*accounts, ns, account("strict", R"({"metadata":{"annotations":{
      "kubernetes.io/enforce-mountable-secrets":"true"}},"secrets":[{"name":"ok"}]})"));
  std::string_view usesOther = R"({"serviceAccountName":"SA",
      "volumes":[{"name":"s","secret":{"secretName":"other"}}],
      "containers":[{"name":"c","image":"x"}]})";
  std::string openSpec(usesOther), strictSpec(usesOther);
  openSpec.replace(openSpec.find("SA"), 2, "open");
  strictSpec.replace(strictSpec.find("SA"), 2, "strict");
  EXPECT_TRUE(createPod(pod("a", openSpec)).ok());
  auto rejected = createPod(pod("b", strictSpec));
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().message,
            "pods \"b\" is forbidden: volume with secret.secretName=\"other\" is not allowed "
            "because service account strict does not reference that secret");
  auto env = createPod(pod("c", R"({"serviceAccountName":"strict","containers":[{"name":"c","image":"x",
      "env":[{"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"other","key":"k"}}}]}]})"));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().message,
            "pods \"c\" is forbidden: container c with envVar TOKEN referencing "
            "secret.secretName=\"other\" is not allowed because service account strict does not "
            "reference that secret");
  auto pull = createPod(pod("d", R"({"serviceAccountName":"strict","imagePullSecrets":[{"name":"reg"}],
      "containers":[{"name":"c","image":"x"}]})"));
  ASSERT_FALSE(pull.ok());
  EXPECT_EQ(pull.error().message,
            "pods \"d\" is forbidden: imagePullSecrets[0].name=\"reg\" is not allowed because "
            "service account strict does not reference that imagePullSecret");
  auto listed = createPod(pod("e", R"({"serviceAccountName":"strict",
      "volumes":[{"name":"s","secret":{"secretName":"ok"}}],"containers":[{"name":"c","image":"x"}]})"));
  EXPECT_TRUE(listed.ok()) << listed.error().message;
}

TEST_F(ServiceAccountAdmissionTest, MirrorPodsAreNotChangedAndMayNotUseAccounts) {
  json::object mirror = pod("m");
  mirror["metadata"].as_object()["annotations"] = json::object{{"kubernetes.io/config.mirror", "x"}};
  auto created = createPod(mirror);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_FALSE(created->at("spec").as_object().contains("serviceAccountName"));
  EXPECT_FALSE(created->at("spec").as_object().contains("volumes"));

  json::object named = mirror;
  named["metadata"].as_object()["name"] = "n";
  named["spec"].as_object()["serviceAccountName"] = "default";
  auto rejected = createPod(named);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().message,
            "pods \"n\" is forbidden: a mirror pod may not reference service accounts");

  json::object secret = mirror;
  secret["metadata"].as_object()["name"] = "s";
  secret["spec"].as_object()["volumes"] = json::parse(R"([{"name":"v","secret":{"secretName":"x"}}])");
  auto withSecret = createPod(secret);
  ASSERT_FALSE(withSecret.ok());
  EXPECT_EQ(withSecret.error().message, "pods \"s\" is forbidden: a mirror pod may not reference secrets");
}

TEST_F(ServiceAccountAdmissionTest, UpdatesAndServerWritesAreLeftAlone) {
  EXPECT_TRUE(await(pods->create(ns, pod("p"), noOptions)).ok());  // no default account needed
  std::string labels = R"({"metadata":{"labels":{"a":"b"}}})";
  auto patched = await(pods->patch(ns, "p", PatchType::Merge, labels, Subresource::None, asUser));
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_FALSE(patched->at("spec").as_object().contains("serviceAccountName"));
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing

namespace kcpp::apiserver::registry_testing {
namespace {

// In upstream's order NamespaceLifecycle admits first: a pod for a missing
// namespace is a 404 at once, not a wait for that namespace's default account.
TEST_F(ServiceAccountAdmissionTest, MissingNamespaceIsNotFoundFirst) {
  Registry& namespaces = add("", "namespaces", std::make_unique<NamespaceStrategy>());
  std::vector<admission::PluginPtr> plugins;
  plugins.push_back(std::make_unique<admission::NamespaceLifecycle>(namespaces));
  ServiceAccountAdmissionOptions o = options();
  o.defaultAccountAttempts = 10;
  o.retryInterval = std::chrono::milliseconds(200);
  plugins.push_back(std::make_unique<ServiceAccountAdmission>(*accounts, std::move(o)));
  chain = std::make_unique<Chain>(std::move(plugins));
  pods->setAdmission(*chain);
  const std::string missing = "missing";
  auto t0 = std::chrono::steady_clock::now();
  auto created = await(pods->create(missing, pod("p"), asUser));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 404);
  EXPECT_EQ(created.error().message, "namespaces \"missing\" not found");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
