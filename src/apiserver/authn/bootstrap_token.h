#pragma once
// Bootstrap tokens (upstream plugin/pkg/auth/authenticator/token/bootstrap): a
// bearer token "<id>.<secret>" ([a-z0-9]{6}.[a-z0-9]{16}) is accepted while the
// Secret kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token
// holds the same token-id and token-secret, allows
// usage-bootstrap-authentication, has not expired and is not being deleted. The
// user is system:bootstrap:<id>, in system:bootstrappers plus the Secret's
// auth-extra-groups (each must be system:bootstrappers:<...>; a bad one rejects
// the token), sorted and without duplicates as upstream lists them.

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "apiserver/authn/authenticator.h"

namespace kcpp::apiserver {

inline constexpr std::string_view kBootstrapTokenSecretType = "bootstrap.kubernetes.io/token";
inline constexpr std::string_view kBootstrappersGroup = "system:bootstrappers";

// Audience-agnostic: it answers only for the API server's own audiences.
class BootstrapTokenAuthenticator : public TokenAuthenticator {
 public:
  // The Secret kube-system/<name> as stored (data base64-encoded), or nullopt.
  using SecretLookup = std::function<std::optional<boost::json::object>(const std::string& name)>;
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  explicit BootstrapTokenAuthenticator(SecretLookup lookup, Clock clock = nullptr);
  std::optional<TokenAuthentication> authenticateBearer(std::string_view token,
                                                        const Audiences& audiences) const override;

 private:
  SecretLookup lookup_;
  Clock clock_;
};

// "abcdef.0123456789abcdef" splits into id and secret; nullopt when not that shape.
std::optional<std::pair<std::string, std::string>> parseBootstrapToken(std::string_view token);

// A data field of the Secret, base64-decoded; empty when absent or not base64.
std::string secretDataField(const boost::json::object& secret, std::string_view key);

// Upstream's subtle.ConstantTimeCompare: equal length and bytes, in time that
// depends only on the length.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace kcpp::apiserver
