#pragma once
// Authenticator: turns a request's credentials into a user, as upstream's
// authenticator chain. Each method (x509 client certificates today; bearer tokens
// and service accounts in the security issue) is one Authenticator; the server
// asks them in order through UnionAuthenticator.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kcpp::apiserver {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  bool inGroup(std::string_view group) const;
};

// What an authenticator may look at.
struct Credentials {
  // The identity in a client certificate the TLS layer verified against the
  // cluster CA (CN = user, O = groups); unset when none was presented.
  std::optional<UserInfo> verifiedClientCert;
  // A client certificate was sent but did not verify (or named no user):
  // such a request is 401, never anonymous, as upstream's x509 authenticator
  // answers it with an error.
  bool clientCertRejected = false;
  std::string_view authorizationHeader;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The user, or nullopt when these credentials are not this method's.
  virtual std::optional<UserInfo> authenticate(const Credentials& credentials) const = 0;
};
using AuthenticatorPtr = std::unique_ptr<Authenticator>;

class X509Authenticator : public Authenticator {
 public:
  std::optional<UserInfo> authenticate(const Credentials& credentials) const override;
};

// Asks each authenticator in turn; a user found gets the group
// "system:authenticated" as upstream adds it.
class UnionAuthenticator : public Authenticator {
 public:
  explicit UnionAuthenticator(std::vector<AuthenticatorPtr> authenticators);
  std::optional<UserInfo> authenticate(const Credentials& credentials) const override;

 private:
  std::vector<AuthenticatorPtr> authenticators_;
};

inline constexpr std::string_view kAnonymousUser = "system:anonymous";
inline constexpr std::string_view kUnauthenticatedGroup = "system:unauthenticated";

// Upstream's --anonymous-auth: a request that presents no credentials at all is
// the user system:anonymous in the group system:unauthenticated (and not
// system:authenticated); what it may do is up to the authorizers. A request that
// presents credentials which no authenticator accepts (a bearer token nobody
// recognises, a client certificate that does not verify) stays unauthenticated
// (401), as upstream's bearer-token and x509 authenticators answer it with an error.
class AnonymousFallback : public Authenticator {
 public:
  explicit AnonymousFallback(AuthenticatorPtr inner) : inner_(std::move(inner)) {}
  std::optional<UserInfo> authenticate(const Credentials& credentials) const override;

 private:
  AuthenticatorPtr inner_;
};

}  // namespace kcpp::apiserver
