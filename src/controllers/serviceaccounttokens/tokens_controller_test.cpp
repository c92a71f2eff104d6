// The tokens controller against a real in-process API server.
#include "controllers/serviceaccounttokens/tokens_controller.h"

#include <boost/asio/detached.hpp>
#include <gtest/gtest.h>

#include "api/meta/object.h"
#include "apiserver/authn/service_account_token.h"
#include "client/rest/test_api_server.h"
#include "pki/base64.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

class TokensControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    controller = std::make_unique<TokensController>(
        *restClient, *informers, io.get_executor(),
        [this](const LegacyTokenRequest& r) {
          apiserver::LegacyTokenClaims claims{r.ns, r.serviceAccountName, r.serviceAccountUid, r.secretName};
          return signer->signLegacy(claims);
        },
        kCa);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }
  void TearDown() override {
    controller->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  client::ResourcePath path(const std::string& resource, const std::string& name = "") {
    return client::ResourcePath{"", "v1", resource, "default", name, "", ""};
  }
  std::string createAccount(const std::string& name) {
    json::object account{{"apiVersion", "v1"}, {"kind", "ServiceAccount"},
                         {"metadata", json::object{{"name", name}}}};
    auto created = server.await(restClient->create(path("serviceaccounts"), account));
    EXPECT_TRUE(created.ok());
    return created ? std::string(api::getString(created->at("metadata").as_object(), "uid")) : std::string();
  }
  void createSecret(const std::string& name, const std::string& account, const std::string& uidAnnotation = "",
                    const std::string& type = kServiceAccountTokenType, json::object data = {}) {
    json::object annotations{{kServiceAccountNameAnnotation, account}};
    if (!uidAnnotation.empty()) annotations[kServiceAccountUidAnnotation] = uidAnnotation;
    json::object secret{{"apiVersion", "v1"}, {"kind", "Secret"}, {"type", type},
                        {"metadata", json::object{{"name", name}, {"annotations", annotations}}}};
    if (!data.empty()) secret["data"] = std::move(data);
    auto created = server.await(restClient->create(path("secrets"), secret));
    ASSERT_TRUE(created.ok()) << created.error().message;
  }
  std::optional<json::object> secret(const std::string& name) {
    auto found = server.await(restClient->get(path("secrets", name)));
    if (!found) return std::nullopt;
    return std::move(*found);
  }
  std::string data(const std::string& name, const std::string& key) {
    auto s = secret(name);
    const json::object* values = s ? api::findObject(*s, "data") : nullptr;
    if (!values) return "";
    auto decoded = pki::base64Decode(api::getString(*values, key));
    return decoded ? *decoded : "";
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/serviceaccounts", "/secrets"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<TokensController> controller;
  bool ended = false;
  apiserver::ServiceAccountTokenSignerPtr signer =
      apiserver::ServiceAccountTokenSigner::generate(apiserver::kDefaultServiceAccountIssuer);
};

TEST_F(TokensControllerTest, FillsTheRequestedTokenOnce) {
  std::string uid = createAccount("bot");
  createSecret("bot-token", "bot");
  server.runFor(5s, [&] { return !data("bot-token", "token").empty(); });
  auto filled = secret("bot-token");
  ASSERT_TRUE(filled);
  EXPECT_EQ(filled->at("metadata").at("annotations").at(kServiceAccountUidAnnotation).as_string(), uid);
  EXPECT_EQ(data("bot-token", "ca.crt"), kCa);
  EXPECT_EQ(data("bot-token", "namespace"), "default");
  std::string token = data("bot-token", "token");
  auto payload = signer->verifiedPayload(token);
  ASSERT_TRUE(payload) << token;
  auto claims = json::parse(*payload).as_object();
  EXPECT_EQ(claims.at("iss").as_string(), "kubernetes/serviceaccount");
  EXPECT_EQ(claims.at("sub").as_string(), "system:serviceaccount:default:bot");
  EXPECT_EQ(claims.at("kubernetes.io/serviceaccount/secret.name").as_string(), "bot-token");
  EXPECT_EQ(claims.at("kubernetes.io/serviceaccount/service-account.uid").as_string(), uid);
  EXPECT_FALSE(claims.contains("exp"));
  // Filled once: no further write.
  std::string rv(api::getString(filled->at("metadata").as_object(), "resourceVersion"));
  server.runFor(300ms);
  EXPECT_EQ(api::getString(secret("bot-token")->at("metadata").as_object(), "resourceVersion"), rv);
}

TEST_F(TokensControllerTest, RestoresTheCaButKeepsAGivenToken) {
  createAccount("bot");
  createSecret("bot-token", "bot", "", kServiceAccountTokenType,
               json::object{{"token", pki::base64Encode("mine")}, {"ca.crt", pki::base64Encode("stale")}});
  server.runFor(5s, [&] { return data("bot-token", "ca.crt") == kCa; });
  EXPECT_EQ(data("bot-token", "ca.crt"), kCa);
  EXPECT_EQ(data("bot-token", "token"), "mine");
  EXPECT_EQ(data("bot-token", "namespace"), "default");
}

TEST_F(TokensControllerTest, DeletesSecretsOfMissingOrOtherAccountsAndLeavesOthersAlone) {
  createAccount("bot");
  createSecret("ghost-token", "ghost");
  createSecret("old-token", "bot", "uid-of-a-deleted-bot");
  createSecret("opaque", "ghost", "", "Opaque");
  server.runFor(5s, [&] { return !secret("ghost-token") && !secret("old-token"); });
  EXPECT_FALSE(secret("ghost-token"));
  EXPECT_FALSE(secret("old-token"));
  auto opaque = secret("opaque");
  ASSERT_TRUE(opaque);
  EXPECT_FALSE(opaque->contains("data"));
}

TEST_F(TokensControllerTest, DeletesTheTokensOfADeletedAccount) {
  createAccount("bot");
  createSecret("bot-token", "bot");
  server.runFor(5s, [&] { return !data("bot-token", "token").empty(); });
  ASSERT_FALSE(data("bot-token", "token").empty());
  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(path("serviceaccounts", "bot"), noOptions)).ok());
  server.runFor(5s, [&] { return !secret("bot-token"); });
  EXPECT_FALSE(secret("bot-token"));
}

}  // namespace
}  // namespace kcpp::controllers
