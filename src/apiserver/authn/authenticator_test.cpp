#include "apiserver/authn/authenticator.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver {

TEST(Authn, X509IdentityGetsAuthenticatedGroup) {
  std::vector<AuthenticatorPtr> list;
  list.push_back(std::make_unique<X509Authenticator>());
  UnionAuthenticator authn(std::move(list));
  Credentials creds;
  creds.verifiedClientCert = UserInfo{"system:admin", "", {"system:masters"}};
  auto user = authn.authenticate(creds);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "system:admin");
  EXPECT_TRUE(user->inGroup("system:masters"));
  EXPECT_TRUE(user->inGroup("system:authenticated"));
}

TEST(Authn, NoCredentialsNoUser) {
  std::vector<AuthenticatorPtr> list;
  list.push_back(std::make_unique<X509Authenticator>());
  UnionAuthenticator authn(std::move(list));
  EXPECT_FALSE(authn.authenticate(Credentials{}));
}

}  // namespace kcpp::apiserver
