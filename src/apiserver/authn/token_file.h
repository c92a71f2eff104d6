#pragma once
// Static bearer tokens (--token-auth-file), as upstream's tokenfile authenticator:
// a CSV file of token,user,uid[,"group1,group2"] rows.

#include <map>
#include <string>
#include <string_view>

#include "apiserver/authn/authenticator.h"
#include "util/error.h"

namespace kcpp::apiserver {

// The token of an "Authorization: Bearer <token>" header (scheme case-insensitive),
// or empty when the header is not a bearer credential.
std::string_view bearerToken(std::string_view authorizationHeader);

// Parses the CSV text of a token file. `path` only names the file in errors.
// Rows with fewer than 3 columns are an error; rows with an empty token are skipped;
// a duplicate token replaces the earlier row (upstream warns and keeps the last).
Result<std::map<std::string, UserInfo>> parseTokenFile(std::string_view csv,
                                                       const std::string& path);

// Audience-agnostic, as upstream wraps it: it answers only for the API server's
// own audiences (an empty audience list).
class TokenFileAuthenticator : public TokenAuthenticator {
 public:
  explicit TokenFileAuthenticator(std::map<std::string, UserInfo> tokens);
  static Result<std::unique_ptr<TokenFileAuthenticator>> load(const std::string& path);
  std::optional<TokenAuthentication> authenticateBearer(std::string_view token,
                                                        const Audiences& audiences) const override;

 private:
  std::map<std::string, UserInfo> tokens_;
};

}  // namespace kcpp::apiserver
