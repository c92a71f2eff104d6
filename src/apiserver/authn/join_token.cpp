#include "apiserver/authn/join_token.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "apiserver/authn/bootstrap_token.h"
#include "apiserver/authn/token_file.h"
#include "pki/atomic_file.h"

namespace kcpp::apiserver {

namespace fs = std::filesystem;

namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0xf];
  }
  return out;
}

std::string sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex(digest, sizeof digest);
}

Result<std::string> randomPassword() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return makeError(Reason::InternalError, "no random bytes for the server token");
  }
  return hex(bytes, sizeof bytes);
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

JoinToken parseJoinToken(std::string_view token) {
  JoinToken out;
  auto sep = token.find("::");
  if (!token.starts_with("K10") || sep == std::string_view::npos) {
    out.password = std::string(token);
    return out;
  }
  out.caHash = std::string(token.substr(3, sep - 3));
  std::string_view creds = token.substr(sep + 2);
  auto colon = creds.find(':');
  if (colon == std::string_view::npos) {
    out.password = std::string(creds);
  } else {
    out.user = std::string(creds.substr(0, colon));
    out.password = std::string(creds.substr(colon + 1));
  }
  return out;
}

std::string formatJoinToken(std::string_view caFileBytes, std::string_view password) {
  return "K10" + sha256Hex(caFileBytes) + "::server:" + std::string(password);
}

Result<std::string> loadOrCreateJoinToken(const fs::path& dataDir, std::string_view caFileBytes,
                                          const std::string& requested) {
  fs::path serverDir = dataDir / "server";
  fs::path tokenFile = serverDir / "token";
  std::string password;
  if (!requested.empty()) {
    JoinToken asked = parseJoinToken(requested);
    if (!asked.caHash.empty() && asked.caHash != sha256Hex(caFileBytes)) {
      return makeError(Reason::BadRequest,
                       "--token: the token's CA hash does not match this server's CA");
    }
    password = asked.password;
  } else if (fs::exists(tokenFile)) {
    auto stored = pki::readFile(tokenFile);
    if (!stored) return std::move(stored).error();
    password = parseJoinToken(trimmed(*stored)).password;
  }
  if (password.empty()) {
    auto fresh = randomPassword();
    if (!fresh) return std::move(fresh).error();
    password = *fresh;
  }
  std::string token = formatJoinToken(caFileBytes, password);
  if (auto ok = pki::ensureDirectory(serverDir, 0700); !ok) return std::move(ok).error();
  for (const char* name : {"token", "node-token"}) {
    if (auto ok = pki::writeFileAtomic(serverDir / name, token + "\n", 0600); !ok) {
      return std::move(ok).error();
    }
  }
  return token;
}

JoinTokenAuthenticator::JoinTokenAuthenticator(std::string fullToken)
    : fullToken_(std::move(fullToken)), password_(parseJoinToken(fullToken_).password) {}

std::optional<TokenAuthentication> JoinTokenAuthenticator::authenticateBearer(
    std::string_view token, const Audiences& audiences) const {
  if (token.empty() || password_.empty() || !audiences.empty()) return std::nullopt;
  // Both comparisons always run, so timing does not tell which form was close.
  bool full = constantTimeEquals(token, fullToken_);
  bool bare = constantTimeEquals(token, password_);
  if (!full && !bare) return std::nullopt;
  return TokenAuthentication{UserInfo{std::string(kJoinTokenUser), std::string(kJoinTokenUser),
                                      {std::string(kBootstrappersGroup)}},
                             std::nullopt};
}

}  // namespace kcpp::apiserver
