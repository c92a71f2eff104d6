#include "apiserver/authn/bootstrap_token.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "apiserver/authn/join_token.h"
#include "pki/base64.h"

namespace kcpp::apiserver {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

Credentials bearer(const std::string& header) {
  Credentials c;
  c.authorizationHeader = header;
  return c;
}

json::object tokenSecret(const std::map<std::string, std::string>& data,
                         std::string type = "bootstrap.kubernetes.io/token") {
  json::object encoded;
  for (const auto& [k, v] : data) encoded[k] = pki::base64Encode(v);
  return {{"metadata", json::object{{"name", "bootstrap-token-abcdef"},
                                    {"namespace", "kube-system"}}},
          {"type", type},
          {"data", std::move(encoded)}};
}

std::map<std::string, std::string> validData() {
  return {{"token-id", "abcdef"},
          {"token-secret", "0123456789abcdef"},
          {"usage-bootstrap-authentication", "true"}};
}

class BootstrapTokenTest : public ::testing::Test {
 protected:
  std::optional<UserInfo> auth(const std::string& token) {
    BootstrapTokenAuthenticator a(
        [this](const std::string& name) -> std::optional<json::object> {
          lookedUp = name;
          if (!secret) return std::nullopt;
          return *secret;
        },
        [this] { return now; });
    return a.authenticate(bearer("Bearer " + token));
  }
  std::optional<json::object> secret = tokenSecret(validData());
  std::chrono::system_clock::time_point now = std::chrono::system_clock::from_time_t(1700000000);
  std::string lookedUp;
};

TEST_F(BootstrapTokenTest, ValidTokenIsBootstrapUser) {
  auto user = auth("abcdef.0123456789abcdef");
  ASSERT_TRUE(user);
  EXPECT_EQ(lookedUp, "bootstrap-token-abcdef");
  EXPECT_EQ(user->name, "system:bootstrap:abcdef");
  EXPECT_EQ(user->groups, std::vector<std::string>{"system:bootstrappers"});
}

TEST_F(BootstrapTokenTest, ExtraGroupsSortedAndValidated) {
  auto data = validData();
  data["auth-extra-groups"] = "system:bootstrappers:kubeadm:default-node-token,system:bootstrappers:a";
  secret = tokenSecret(data);
  auto user = auth("abcdef.0123456789abcdef");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->groups, (std::vector<std::string>{"system:bootstrappers",
                                                    "system:bootstrappers:a",
                                                    "system:bootstrappers:kubeadm:default-node-token"}));
  data["auth-extra-groups"] = "system:masters";
  secret = tokenSecret(data);
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
  data["auth-extra-groups"] = "system:bootstrappers:bad-";
  secret = tokenSecret(data);
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
}

TEST_F(BootstrapTokenTest, RejectsWrongSecretShapeTypeUsageAndMissing) {
  EXPECT_FALSE(auth("abcdef.0123456789abcdee"));  // wrong secret
  EXPECT_FALSE(auth("ABCDEF.0123456789abcdef"));  // not the token shape
  EXPECT_FALSE(auth("abcdef.0123456789abcde"));
  auto data = validData();
  data["usage-bootstrap-authentication"] = "false";
  secret = tokenSecret(data);
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
  secret = tokenSecret(validData(), "Opaque");
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
  data = validData();
  data["token-id"] = "zzzzzz";
  secret = tokenSecret(data);
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
  secret.reset();
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
}

TEST_F(BootstrapTokenTest, ExpiredOrDeletingIsRejected) {
  auto data = validData();
  data["expiration"] = "2023-11-14T22:13:19Z";  // 1 s before `now` (22:13:20Z)
  secret = tokenSecret(data);
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
  data["expiration"] = "2023-11-14T22:13:21+01:00";
  secret = tokenSecret(data);
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
  data["expiration"] = "2023-11-14T22:13:25Z";
  secret = tokenSecret(data);
  EXPECT_TRUE(auth("abcdef.0123456789abcdef"));
  data["expiration"] = "not a time";
  secret = tokenSecret(data);
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
  secret = tokenSecret(validData());
  (*secret)["metadata"].as_object()["deletionTimestamp"] = "2023-11-14T00:00:00Z";
  EXPECT_FALSE(auth("abcdef.0123456789abcdef"));
}

TEST(ConstantTimeEquals, ComparesLengthAndBytes) {
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(constantTimeEquals("", ""));
}

TEST(Anonymous, NoCredentialsIsAnonymousButBadCredentialsAreNot) {
  std::vector<AuthenticatorPtr> list;
  list.push_back(std::make_unique<X509Authenticator>());
  AnonymousFallback authn(std::make_unique<UnionAuthenticator>(std::move(list)));
  auto anon = authn.authenticate(Credentials{});
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->name, "system:anonymous");
  EXPECT_EQ(anon->groups, std::vector<std::string>{"system:unauthenticated"});
  EXPECT_FALSE(authn.authenticate(bearer("Bearer nobody-knows-this")));
  Credentials badCert;
  badCert.clientCertRejected = true;
  EXPECT_FALSE(authn.authenticate(badCert));
  // Not a bearer credential (upstream's bearer authenticator passes on it).
  EXPECT_TRUE(authn.authenticate(bearer("Basic dTpw")));
  Credentials cert;
  cert.verifiedClientCert = UserInfo{"u", "", {}};
  EXPECT_EQ(authn.authenticate(cert)->name, "u");
}

TEST(JoinToken, ParsesK10AndBareForms) {
  JoinToken t = parseJoinToken("K10abc123::server:s3cret");
  EXPECT_EQ(t.caHash, "abc123");
  EXPECT_EQ(t.user, "server");
  EXPECT_EQ(t.password, "s3cret");
  JoinToken bare = parseJoinToken("just-a-password");
  EXPECT_EQ(bare.caHash, "");
  EXPECT_EQ(bare.password, "just-a-password");
}

class JoinTokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("kcpp-join-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string read(const char* name) {
    std::ifstream in(dir / "server" / name);
    std::string s;
    std::getline(in, s);
    return s;
  }
  std::filesystem::path dir;
  const std::string ca = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
};

TEST_F(JoinTokenFileTest, CreatedOnceThenReused) {
  auto first = loadOrCreateJoinToken(dir, ca, "");
  ASSERT_TRUE(first.ok());
  JoinToken t = parseJoinToken(*first);
  EXPECT_EQ(t.caHash.size(), 64u);
  EXPECT_EQ(t.user, "server");
  EXPECT_EQ(t.password.size(), 32u);
  EXPECT_EQ(read("token"), *first);
  EXPECT_EQ(read("node-token"), *first);
  EXPECT_EQ(std::filesystem::status(dir / "server" / "token").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto again = loadOrCreateJoinToken(dir, ca, "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
}

TEST_F(JoinTokenFileTest, FlagChoosesPasswordAndForeignCaIsRefused) {
  auto chosen = loadOrCreateJoinToken(dir, ca, "mine");
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, formatJoinToken(ca, "mine"));
  EXPECT_TRUE(loadOrCreateJoinToken(dir, ca, *chosen).ok());
  auto foreign = loadOrCreateJoinToken(dir, ca, formatJoinToken("other ca", "mine"));
  EXPECT_FALSE(foreign.ok());
}

TEST(JoinToken, AuthenticatesFullAndBareFormsAsNode) {
  std::string full = formatJoinToken("ca", "pw0123");
  JoinTokenAuthenticator a(full);
  for (const std::string& t : {full, std::string("pw0123")}) {
    auto user = a.authenticate(bearer("Bearer " + t));
    ASSERT_TRUE(user) << t;
    EXPECT_EQ(user->name, "node");
    EXPECT_EQ(user->groups, std::vector<std::string>{"system:bootstrappers"});
  }
  EXPECT_FALSE(a.authenticate(bearer("Bearer pw0124")));
  EXPECT_FALSE(a.authenticate(bearer("Bearer " + formatJoinToken("other", "pw0123"))));
  EXPECT_FALSE(a.authenticate(Credentials{}));
}

}  // namespace
}  // namespace kcpp::apiserver
