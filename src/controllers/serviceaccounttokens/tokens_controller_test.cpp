#include "controllers/serviceaccounttokens/tokens_controller.h"

#include "apiserver/authn/service_account_token.h"
#include "controllers/pernamespace/loop_test_fixture.h"
#include "pki/base64.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using controllers::LegacyTokenRequest;
using controllers::TokensController;

constexpr const char* kCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

class TokensControllerTest : public PerNamespaceLoopTest {
 protected:
  void SetUp() override {
    PerNamespaceLoopTest::SetUp();
    secrets = &add("", "secrets");
    accounts = &add("", "serviceaccounts");
    controller = std::make_unique<TokensController>(
        *secrets, *accounts,
        [this](const LegacyTokenRequest& r) {
          LegacyTokenClaims claims{r.ns, r.serviceAccountName, r.serviceAccountUid, r.secretName};
          return signer->signLegacy(claims);
        },
        kCa, controllers::TokensControllerOptions{std::chrono::milliseconds(50)});
  }
  void TearDown() override {
    if (!looping) return;
    stop = true;
    io.restart();
    io.run_for(std::chrono::milliseconds(500));
  }
  void startLoop() {
    looping = true;
    asio::co_spawn(io, controller->run(stop), asio::detached);
  }
  std::string createAccount(const std::string& name) {
    json::object account = parse(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{}})");
    api::ensureObject(account, "metadata")["name"] = name;
    auto created = during(accounts->create(ns, std::move(account), noOptions));
    EXPECT_TRUE(created.ok());
    EXPECT_TRUE(eventually([&] { return cached(*accounts, ns, name).has_value(); }));
    return created ? str(*created, "metadata.uid") : "";
  }
  void createTokenSecret(const std::string& name, const std::string& account,
                         const std::string& uidAnnotation = "",
                         const std::string& type = "kubernetes.io/service-account-token") {
    json::object secret = parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{}})");
    json::object& meta = api::ensureObject(secret, "metadata");
    meta["name"] = name;
    json::object& annotations = api::ensureObject(meta, "annotations");
    annotations["kubernetes.io/service-account.name"] = account;
    if (!uidAnnotation.empty()) annotations["kubernetes.io/service-account.uid"] = uidAnnotation;
    secret["type"] = type;
    auto created = during(secrets->create(ns, std::move(secret), noOptions));
    ASSERT_TRUE(created.ok()) << created.error().message;
  }
  // As createTokenSecret, then waits until the cache (which syncs read) has it.
  void createCachedTokenSecret(const std::string& name, const std::string& account,
                               const std::string& uidAnnotation = "",
                               const std::string& type = "kubernetes.io/service-account-token") {
    createTokenSecret(name, account, uidAnnotation, type);
    ASSERT_TRUE(eventually([&] { return cached(*secrets, ns, name).has_value(); }));
  }
  Result<void> sync(const std::string& name) { return during(controller->syncSecret(ns + "/" + name)); }
  std::string data(const std::string& name, const std::string& key) {
    auto secret = cached(*secrets, ns, name);
    if (!secret) return "";
    const json::object* values = api::findObject(*secret, "data");  // keys hold dots
    if (!values) return "";
    auto decoded = pki::base64Decode(api::getString(*values, key));
    return decoded ? *decoded : "";
  }
  bool waitForCache(const std::string& name, const std::function<bool(const std::optional<json::object>&)>& ok) {
    return eventually([&] { return ok(cached(*secrets, ns, name)); });
  }

  ServiceAccountTokenSignerPtr signer = ServiceAccountTokenSigner::generate(kDefaultServiceAccountIssuer);
  Registry* secrets = nullptr;
  Registry* accounts = nullptr;
  std::unique_ptr<TokensController> controller;
};

TEST_F(TokensControllerTest, SyncFillsTheRequestedToken) {
  std::string uid = createAccount("bot");
  createCachedTokenSecret("bot-token", "bot");
  ASSERT_TRUE(sync("bot-token").ok());
  ASSERT_TRUE(waitForCache("bot-token", [](auto& s) { return s && s->contains("data"); }));
  auto secret = *cached(*secrets, ns, "bot-token");
  EXPECT_EQ(secret.at("metadata").at("annotations").at("kubernetes.io/service-account.uid").as_string(), uid);
  EXPECT_EQ(data("bot-token", "ca.crt"), kCa);
  EXPECT_EQ(data("bot-token", "namespace"), ns);
  std::string token = data("bot-token", "token");
  auto payload = signer->verifiedPayload(token);
  ASSERT_TRUE(payload) << token;
  auto claims = json::parse(*payload).as_object();
  EXPECT_EQ(claims.at("iss").as_string(), "kubernetes/serviceaccount");
  EXPECT_EQ(claims.at("sub").as_string(), "system:serviceaccount:" + ns + ":bot");
  EXPECT_EQ(claims.at("kubernetes.io/serviceaccount/secret.name").as_string(), "bot-token");
  EXPECT_EQ(claims.at("kubernetes.io/serviceaccount/service-account.uid").as_string(), uid);
  EXPECT_FALSE(claims.contains("exp"));

  // Filled once: a second sync keeps the token.
  ASSERT_TRUE(sync("bot-token").ok());
  io.restart();
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(data("bot-token", "token"), token);
}

TEST_F(TokensControllerTest, SyncRestoresTheCaButKeepsAGivenToken) {
  createAccount("bot");
  createCachedTokenSecret("bot-token", "bot");
  auto current = get(*secrets, ns, "bot-token");
  ASSERT_TRUE(current.ok());
  (*current)["data"] = json::object{{"token", pki::base64Encode("mine")},
                                    {"ca.crt", pki::base64Encode("stale")}};
  ASSERT_TRUE(during(secrets->update(ns, "bot-token", std::move(*current), Subresource::None,
                                     noOptions)).ok());
  ASSERT_TRUE(waitForCache("bot-token", [](auto& s) { return s && s->contains("data"); }));
  ASSERT_TRUE(sync("bot-token").ok());
  ASSERT_TRUE(waitForCache("bot-token", [&](auto&) { return data("bot-token", "ca.crt") == kCa; }));
  EXPECT_EQ(data("bot-token", "token"), "mine");
  EXPECT_EQ(data("bot-token", "namespace"), ns);
}

TEST_F(TokensControllerTest, SyncDeletesTheSecretOfAMissingAccount) {
  createCachedTokenSecret("ghost-token", "ghost");
  ASSERT_TRUE(sync("ghost-token").ok());
  EXPECT_EQ(get(*secrets, ns, "ghost-token").error().reason, Reason::NotFound);
}

TEST_F(TokensControllerTest, SyncDeletesTheSecretOfAnotherAccountUid) {
  createAccount("bot");
  createCachedTokenSecret("old-token", "bot", "uid-of-a-deleted-bot");
  ASSERT_TRUE(sync("old-token").ok());
  EXPECT_EQ(get(*secrets, ns, "old-token").error().reason, Reason::NotFound);
}

TEST_F(TokensControllerTest, SyncLeavesOtherSecretsAlone) {
  createCachedTokenSecret("opaque", "ghost", "", "Opaque");
  ASSERT_TRUE(sync("opaque").ok());
  auto secret = get(*secrets, ns, "opaque");
  ASSERT_TRUE(secret.ok());
  EXPECT_FALSE(secret->contains("data"));
  ASSERT_TRUE(sync("absent").ok());
}

TEST_F(TokensControllerTest, LoopFillsNewSecretsAndDeletesThemWithTheirAccount) {
  startLoop();
  createAccount("bot");
  auto t0 = std::chrono::steady_clock::now();
  createTokenSecret("bot-token", "bot");
  ASSERT_TRUE(waitForCache("bot-token", [&](auto&) { return !data("bot-token", "token").empty(); }));
  // Reacting to the watch event.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));

  const std::string bot = "bot";
  DeleteOptions options;
  ASSERT_TRUE(during(accounts->remove(ns, bot, options)).ok());
  EXPECT_TRUE(waitForCache("bot-token", [](auto& s) { return !s.has_value(); }));

  // Asking for a token of an account that does not exist gets the Secret deleted.
  createTokenSecret("nobody-token", "nobody");  // in the store now; the cache may lag
  const std::string nobody = "nobody-token";
  EXPECT_TRUE(eventually([&] {
    auto found = during(secrets->get(ns, nobody));
    return !found && found.error().reason == Reason::NotFound;
  }));
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
