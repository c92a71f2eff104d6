#pragma once
// Service-account tokens: signed JWTs (ES256, a P-256 key kept in the data dir) with
// upstream's claims, issued by the TokenRequest API and checked by
// ServiceAccountTokenAuthenticator (signature, expiry, audience, and that the
// ServiceAccount still exists with the same uid). The same key signs legacy
// tokens (issuer "kubernetes/serviceaccount", no expiry), which the tokens
// controller puts in Secrets of type kubernetes.io/service-account-token; they
// are valid while that Secret holds them.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "apiserver/authn/authenticator.h"
#include "pki/openssl_ptr.h"
#include "util/error.h"

namespace kcpp::apiserver {

inline constexpr const char* kDefaultServiceAccountIssuer =
    "https://kubernetes.default.svc.cluster.local";

// The object a token is bound to (TokenRequest spec.boundObjectRef).
struct BoundObject {
  std::string kind;  // "Pod" or "Secret"
  std::string name;
  std::string uid;
};

// Upstream's LegacyIssuer (pkg/serviceaccount/legacy.go).
inline constexpr const char* kLegacyServiceAccountIssuer = "kubernetes/serviceaccount";

// What a legacy token names: the ServiceAccount and the Secret holding the token.
struct LegacyTokenClaims {
  std::string ns;
  std::string serviceAccountName;
  std::string serviceAccountUid;
  std::string secretName;
};

struct ServiceAccountClaims {
  std::string ns;
  std::string name;
  std::string uid;
  std::vector<std::string> audiences;
  std::int64_t issuedAt = 0;   // seconds since the epoch; also nbf
  std::int64_t expiresAt = 0;
  std::optional<BoundObject> bound;
};

class ServiceAccountTokenSigner {
 public:
  // Loads the ES256 key at `keyPath`, creating it (mode 0600) when missing.
  static Result<std::shared_ptr<ServiceAccountTokenSigner>> loadOrCreate(const std::string& keyPath,
                                                                         std::string issuer);
  // A fresh in-memory key (tests).
  static std::shared_ptr<ServiceAccountTokenSigner> generate(std::string issuer);

  const std::string& issuer() const { return issuer_; }
  const std::string& keyId() const { return keyId_; }
  // The compact JWS of these claims.
  Result<std::string> sign(const ServiceAccountClaims& claims) const;
  // A legacy token: upstream's legacy claim set, no exp, iat or aud.
  Result<std::string> signLegacy(const LegacyTokenClaims& claims) const;
  // The payload of a token this key signed (signature and header checked), or nullopt.
  std::optional<std::string> verifiedPayload(std::string_view token) const;

 private:
  ServiceAccountTokenSigner(pki::EvpPkeyPtr key, std::string issuer);
  Result<std::string> signPayload(const boost::json::object& payload) const;
  pki::EvpPkeyPtr key_;
  std::string issuer_;
  std::string keyId_;
};
using ServiceAccountTokenSignerPtr = std::shared_ptr<ServiceAccountTokenSigner>;

// The uid of ServiceAccount <ns>/<name> if it exists and is not being deleted.
using ServiceAccountUidLookup =
    std::function<std::optional<std::string>(const std::string& ns, const std::string& name)>;

// The uid of the object a token is bound to ("Pod" or "Secret" <ns>/<name>) if it
// exists and is not being deleted.
using BoundObjectUidLookup = std::function<std::optional<std::string>(
    const std::string& kind, const std::string& ns, const std::string& name)>;

// The Secret <ns>/<name> as the secrets cache holds it, if it exists.
using NamespacedSecretLookup = std::function<std::optional<boost::json::object>(const std::string& ns,
                                                                      const std::string& name)>;

// A token is valid for the audiences asked (empty: the API audiences) when its
// aud claim names one of them; legacy tokens, which have no aud, only for the API
// audiences, as upstream's jwt authenticator.
class ServiceAccountTokenAuthenticator : public TokenAuthenticator {
 public:
  ServiceAccountTokenAuthenticator(ServiceAccountTokenSignerPtr signer,
                                   std::vector<std::string> apiAudiences,
                                   ServiceAccountUidLookup lookup);
  // Tokens bound to a pod or secret are valid only while it exists with the same uid.
  void setBoundObjectLookup(BoundObjectUidLookup lookup) { boundLookup_ = std::move(lookup); }
  // Legacy tokens are accepted only with it (upstream's --service-account-lookup):
  // valid while the Secret they name exists, is not being deleted and holds them.
  void setLegacySecretLookup(NamespacedSecretLookup lookup) { secretLookup_ = std::move(lookup); }
  std::optional<TokenAuthentication> authenticateBearer(std::string_view token,
                                                        const Audiences& audiences) const override;
  // As authenticateBearer at `now`, in seconds since the epoch.
  std::optional<TokenAuthentication> authenticateAt(std::string_view token,
                                                    const Audiences& audiences,
                                                    std::int64_t now) const;

 private:
  ServiceAccountTokenSignerPtr signer_;
  std::vector<std::string> apiAudiences_;
  ServiceAccountUidLookup lookup_;
  BoundObjectUidLookup boundLookup_;
  NamespacedSecretLookup secretLookup_;

  std::optional<UserInfo> authenticateLegacy(std::string_view token,
                                             const boost::json::object& claims) const;
  bool audienceAccepted(const std::vector<std::string>& tokenAudiences,
                        const Audiences& asked) const;
};

std::int64_t unixNow();

}  // namespace kcpp::apiserver
