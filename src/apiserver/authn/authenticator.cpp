#include "apiserver/authn/authenticator.h"

#include <algorithm>

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

}  // namespace kcpp::apiserver
