#pragma once
// The server's join token, as k3s's: `K10<sha256 of the server CA file, hex>::server:<password>`,
// kept in <data-dir>/server/token (and the same in node-token, mode 0600). The
// first start makes a random password (16 random bytes, hex); later starts reuse
// the file; `--token` chooses the password (either bare or in the full K10 form,
// whose CA hash must then match this cluster's CA).
//
// The token authenticates to the API as a bearer token (the full K10 string or the
// bare password): the user "node" in the group system:bootstrappers, the identity
// a joining agent uses to get its node credentials. See docs/authentication.md.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "apiserver/authn/authenticator.h"
#include "util/error.h"

namespace kcpp::apiserver {

struct JoinToken {
  std::string caHash;    // hex sha256 of the CA file; empty for a bare password
  std::string user;      // "server" in K10 tokens
  std::string password;
};

// Splits "K10<hash>::<user>:<password>"; anything else is a bare password.
JoinToken parseJoinToken(std::string_view token);

// The full K10 form for `password` and the CA file's bytes.
std::string formatJoinToken(std::string_view caFileBytes, std::string_view password);

// Reads or creates <dataDir>/server/token and node-token. `requested` (--token) wins
// over the stored token; a K10 token for another CA is an error.
Result<std::string> loadOrCreateJoinToken(const std::filesystem::path& dataDir,
                                          std::string_view caFileBytes,
                                          const std::string& requested);

inline constexpr std::string_view kJoinTokenUser = "node";

// Audience-agnostic: it answers only for the API server's own audiences.
class JoinTokenAuthenticator : public TokenAuthenticator {
 public:
  explicit JoinTokenAuthenticator(std::string fullToken);
  std::optional<TokenAuthentication> authenticateBearer(std::string_view token,
                                                        const Audiences& audiences) const override;

 private:
  std::string fullToken_;
  std::string password_;
};

}  // namespace kcpp::apiserver
