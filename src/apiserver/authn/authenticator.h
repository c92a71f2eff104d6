#pragma once
// Authenticator: turns a request's credentials into a user, as upstream's
// authenticator chain. Each method (x509 client certificates today; bearer tokens
// and service accounts in the security issue) is one Authenticator; the server
// asks them in order through UnionAuthenticator.

#include <chrono>
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

// Audiences a token is checked for (upstream's authenticator.Audiences); empty
// means the API server's own audiences, as every API request asks.
using Audiences = std::vector<std::string>;

// What a bearer token stood for: the user, and the instant after which the token
// itself is no longer valid (a JWT's exp plus leeway, a bootstrap token's
// expiration), which bounds how long the answer may be cached.
struct TokenAuthentication {
  UserInfo user;
  std::optional<std::chrono::system_clock::time_point> validUntil;
};

// A bearer-token method (upstream's authenticator.Token): token file,
// service-account JWTs, bootstrap tokens, the join token. As an Authenticator it
// answers for the token of an "Authorization: Bearer" header.
class TokenAuthenticator : public Authenticator {
 public:
  std::optional<UserInfo> authenticate(const Credentials& credentials) const final;
  virtual std::optional<TokenAuthentication> authenticateBearer(std::string_view token,
                                                                const Audiences& audiences) const = 0;
};
using TokenAuthenticatorPtr = std::unique_ptr<TokenAuthenticator>;

// Asks each token method in turn (upstream's token union); the first that knows
// the token answers.
class TokenUnion : public TokenAuthenticator {
 public:
  explicit TokenUnion(std::vector<TokenAuthenticatorPtr> authenticators);
  std::optional<TokenAuthentication> authenticateBearer(std::string_view token,
                                                        const Audiences& audiences) const override;

 private:
  std::vector<TokenAuthenticatorPtr> authenticators_;
};

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
