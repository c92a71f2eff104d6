#include "apiserver/authn/authenticator.h"

#include <algorithm>

#include "apiserver/authn/token_file.h"

namespace kcpp::apiserver {

bool UserInfo::inGroup(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

std::optional<UserInfo> X509Authenticator::authenticate(const Credentials& credentials) const {
  if (!credentials.verifiedClientCert || credentials.verifiedClientCert->name.empty()) {
    return std::nullopt;
  }
  return credentials.verifiedClientCert;
}

UnionAuthenticator::UnionAuthenticator(std::vector<AuthenticatorPtr> authenticators)
    : authenticators_(std::move(authenticators)) {}

std::optional<UserInfo> UnionAuthenticator::authenticate(const Credentials& credentials) const {
  for (const auto& a : authenticators_) {
    if (auto user = a->authenticate(credentials)) {
      if (!user->inGroup("system:authenticated")) user->groups.push_back("system:authenticated");
      return user;
    }
  }
  return std::nullopt;
}

std::optional<UserInfo> AnonymousFallback::authenticate(const Credentials& credentials) const {
  if (auto user = inner_->authenticate(credentials)) return user;
  if (credentials.clientCertRejected || !bearerToken(credentials.authorizationHeader).empty()) {
    return std::nullopt;
  }
  return UserInfo{std::string(kAnonymousUser), "", {std::string(kUnauthenticatedGroup)}};
}

}  // namespace kcpp::apiserver
