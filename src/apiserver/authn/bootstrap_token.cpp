#include "apiserver/authn/bootstrap_token.h"

#include <algorithm>
#include <set>

#include "api/meta/object.h"
#include "apiserver/authn/token_file.h"
#include "pki/base64.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool allLowerAlnum(std::string_view s) { return std::all_of(s.begin(), s.end(), isLowerAlnum); }

// Upstream's ValidateBootstrapGroupName: \Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\z
bool isBootstrapGroupName(std::string_view group) {
  constexpr std::string_view prefix = "system:bootstrappers:";
  if (!group.starts_with(prefix)) return false;
  std::string_view rest = group.substr(prefix.size());
  if (rest.empty() || rest.size() > 256 || !isLowerAlnum(rest.back())) return false;
  return std::all_of(rest.begin(), rest.end(),
                     [](char c) { return isLowerAlnum(c) || c == ':' || c == '-'; });
}

// The Secret's expiration: nullopt when it has none; an expiration that does not
// parse counts as already expired (upstream's HasExpired).
std::optional<std::chrono::system_clock::time_point> expirationOf(const json::object& secret) {
  std::string expiration = secretDataField(secret, "expiration");
  if (expiration.empty()) return std::nullopt;
  auto when = api::parseTime(expiration);
  if (!when) return std::chrono::system_clock::time_point::min();
  return *when;
}

std::optional<std::vector<std::string>> groupsOf(const json::object& secret) {
  std::set<std::string> groups{std::string(kBootstrappersGroup)};
  std::string extra = secretDataField(secret, "auth-extra-groups");
  if (!extra.empty()) {
    std::size_t start = 0;
    while (true) {
      std::size_t comma = extra.find(',', start);
      std::string group = extra.substr(start, comma == std::string::npos ? comma : comma - start);
      if (!isBootstrapGroupName(group)) return std::nullopt;
      groups.insert(std::move(group));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return std::vector<std::string>(groups.begin(), groups.end());
}

bool beingDeleted(const json::object& secret) {
  const json::object* meta = api::findObject(secret, "metadata");
  return meta && meta->contains("deletionTimestamp") && !meta->at("deletionTimestamp").is_null();
}

}  // namespace

std::optional<std::pair<std::string, std::string>> parseBootstrapToken(std::string_view token) {
  if (token.size() != 23 || token[6] != '.') return std::nullopt;
  std::string_view id = token.substr(0, 6);
  std::string_view secret = token.substr(7);
  if (!allLowerAlnum(id) || !allLowerAlnum(secret)) return std::nullopt;
  return std::make_pair(std::string(id), std::string(secret));
}

// A data field of the Secret, decoded; empty when absent or not base64.
std::string secretDataField(const json::object& secret, std::string_view key) {
  const json::value* data = secret.if_contains("data");
  if (!data || !data->is_object()) return {};
  const json::value* v = data->get_object().if_contains(key);
  if (!v || !v->is_string()) return {};
  auto decoded = pki::base64Decode(v->get_string());
  return decoded ? std::move(*decoded) : std::string();
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

BootstrapTokenAuthenticator::BootstrapTokenAuthenticator(SecretLookup lookup, Clock clock)
    : lookup_(std::move(lookup)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

std::optional<TokenAuthentication> BootstrapTokenAuthenticator::authenticateBearer(
    std::string_view token, const Audiences& audiences) const {
  if (!audiences.empty()) return std::nullopt;
  auto parsed = parseBootstrapToken(token);
  if (!parsed) return std::nullopt;
  const auto& [id, secretPart] = *parsed;
  auto secret = lookup_("bootstrap-token-" + id);
  if (!secret || beingDeleted(*secret)) return std::nullopt;
  if (api::getString(*secret, "type") != kBootstrapTokenSecretType) return std::nullopt;
  if (!constantTimeEquals(secretDataField(*secret, "token-secret"), secretPart)) return std::nullopt;
  if (secretDataField(*secret, "token-id") != id) return std::nullopt;
  auto expiration = expirationOf(*secret);
  if (expiration && clock_() > *expiration) return std::nullopt;
  if (secretDataField(*secret, "usage-bootstrap-authentication") != "true") return std::nullopt;
  auto groups = groupsOf(*secret);
  if (!groups) return std::nullopt;
  return TokenAuthentication{UserInfo{"system:bootstrap:" + id, "", std::move(*groups)},
                             expiration};
}

}  // namespace kcpp::apiserver
