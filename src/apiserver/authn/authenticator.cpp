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

std::optional<UserInfo> TokenAuthenticator::authenticate(const Credentials& credentials) const {
  std::string_view token = bearerToken(credentials.authorizationHeader);
  if (token.empty()) return std::nullopt;
  auto found = authenticateBearer(token, {});
  if (!found) return std::nullopt;
  return std::move(found->user);
}

TokenUnion::TokenUnion(std::vector<TokenAuthenticatorPtr> authenticators)
    : authenticators_(std::move(authenticators)) {}

std::optional<TokenAuthentication> TokenUnion::authenticateBearer(std::string_view token,
                                                                  const Audiences& audiences) const {
  for (const auto& a : authenticators_) {
    if (auto found = a->authenticateBearer(token, audiences)) return found;
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
