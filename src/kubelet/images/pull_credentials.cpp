#include "kubelet/images/pull_credentials.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>

#include "api/defaults/image_reference.h"
#include "pki/base64.h"

namespace kcpp::kubelet::images {
namespace {

namespace json = boost::json;

constexpr char kDockerConfigJsonType[] = "kubernetes.io/dockerconfigjson";
constexpr char kDockerConfigJsonKey[] = ".dockerconfigjson";
constexpr char kDockercfgType[] = "kubernetes.io/dockercfg";
constexpr char kDockercfgKey[] = ".dockercfg";
constexpr char kDefaultRegistryHost[] = "index.docker.io";

Error badRequest(std::string message) { return makeError(Reason::BadRequest, std::move(message)); }

struct SchemelessUrl {
  std::string host;  // with port
  std::string path;
};

// Go's url.Parse("https://" + s) for the parts the keyring reads: host (after
// any userinfo) and path; nullopt where url.Parse fails (bad host characters).
std::optional<SchemelessUrl> parseSchemeless(std::string_view s) {
  std::size_t end = s.find_first_of("/?#");
  std::string_view authority = s.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  for (char c : authority) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '%' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
        c == '`' || c == '{' || c == '|' || c == '}') {
      return std::nullopt;
    }
  }
  std::size_t pathEnd = rest.find_first_of("?#");
  return SchemelessUrl{std::string(authority), std::string(rest.substr(0, pathEnd))};
}

// net.SplitHostPort, falling back to (host, "") as the keyring does.
void splitHostPort(const std::string& hostport, std::string& host, std::string& port) {
  host = hostport;
  port.clear();
  if (!hostport.empty() && hostport.front() == '[') {
    std::size_t close = hostport.find(']');
    if (close != std::string::npos && close + 1 < hostport.size() && hostport[close + 1] == ':') {
      host = hostport.substr(1, close - 1);
      port = hostport.substr(close + 2);
    }
    return;
  }
  std::size_t colon = hostport.find(':');
  if (colon == std::string::npos || hostport.find(':', colon + 1) != std::string::npos) return;
  host = hostport.substr(0, colon);
  port = hostport.substr(colon + 1);
}

std::vector<std::string> splitLabels(const std::string& host) {
  std::vector<std::string> labels;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = host.find('.', start);
    labels.push_back(host.substr(start, dot - start));
    if (dot == std::string::npos) return labels;
    start = dot + 1;
  }
}

// One '[...]' class at the start of `p` against `c`; returns the pattern length
// consumed (0 if malformed) and sets `matched`.
std::size_t matchClass(std::string_view p, char c, bool& matched) {
  std::size_t i = 1;
  bool negate = i < p.size() && p[i] == '^';
  if (negate) ++i;
  bool hit = false;
  bool first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    char lo = p[i];
    if (lo == '\\') { if (++i >= p.size()) return 0; lo = p[i]; }
    ++i;
    char hi = lo;
    if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
      hi = p[i + 1];
      i += 2;
      if (hi == '\\') { if (i >= p.size()) return 0; hi = p[i++]; }
    }
    if (lo <= c && c <= hi) hit = true;
  }
  if (i >= p.size()) return 0;  // no closing ']'
  matched = hit != negate;
  return i + 1;
}

// One element of a glob: '*', '?', a '[...]' class (its text) or a literal.
struct GlobToken {
  enum Kind { Star, Any, Class, Literal } kind;
  std::string_view text;  // Class: "[...]"; Literal: the character
};

// nullopt for a malformed pattern.
std::optional<std::vector<GlobToken>> tokenize(std::string_view p) {
  std::vector<GlobToken> tokens;
  for (std::size_t i = 0; i < p.size();) {
    switch (p[i]) {
      case '*':
        if (tokens.empty() || tokens.back().kind != GlobToken::Star) tokens.push_back({GlobToken::Star, {}});
        ++i;
        break;
      case '?':
        tokens.push_back({GlobToken::Any, {}});
        ++i;
        break;
      case '[': {
        bool unused = false;
        std::size_t used = matchClass(p.substr(i), 'a', unused);
        if (used == 0) return std::nullopt;
        tokens.push_back({GlobToken::Class, p.substr(i, used)});
        i += used;
        break;
      }
      case '\\':
        if (i + 1 >= p.size()) return std::nullopt;
        tokens.push_back({GlobToken::Literal, p.substr(i + 1, 1)});
        i += 2;
        break;
      default:
        tokens.push_back({GlobToken::Literal, p.substr(i, 1)});
        ++i;
    }
  }
  return tokens;
}

bool tokenMatches(const GlobToken& t, char c) {
  if (t.kind == GlobToken::Any) return true;
  if (t.kind == GlobToken::Literal) return t.text[0] == c;
  bool matched = false;
  matchClass(t.text, c, matched);
  return matched;
}

// Go's path/filepath.Match on one host label ('*', '?', '[...]', '\\'); a
// malformed pattern matches nothing. Iterative, with one backtracking point
// per star: O(pattern x label) even for "*a*a*a*b" (a secret's key is user
// input and must not stall the kubelet).
bool globMatch(std::string_view pattern, std::string_view s) {
  auto tokens = tokenize(pattern);
  if (!tokens) return false;
  const auto& t = *tokens;
  std::size_t p = 0, i = 0, starP = std::string_view::npos, starI = 0;
  while (i < s.size()) {
    if (p < t.size() && t[p].kind == GlobToken::Star) {
      starP = p++;
      starI = i;
    } else if (p < t.size() && tokenMatches(t[p], s[i])) {
      ++p;
      ++i;
    } else if (starP != std::string_view::npos) {
      p = starP + 1;  // let the last star take one more character
      i = ++starI;
    } else {
      return false;
    }
  }
  while (p < t.size() && t[p].kind == GlobToken::Star) ++p;
  return p == t.size();
}

// upstream's isDefaultRegistryMatch.
bool isDefaultRegistryMatch(std::string_view image) {
  std::size_t slash = image.find('/');
  std::string_view first = image.substr(0, slash);
  if (first.empty()) return false;
  if (slash == std::string_view::npos) return true;
  if (first == "docker.io" || first == kDefaultRegistryHost) return true;
  return first.find_first_of(".:") == std::string_view::npos;
}

// The registry key upstream's Add derives from an entry's name; nullopt if unusable.
std::optional<std::string> registryKey(std::string_view location) {
  std::string_view value = location;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (value.starts_with(scheme)) value.remove_prefix(scheme.size());
  }
  auto url = parseSchemeless(value);
  if (!url) return std::nullopt;
  std::string path = url->path;
  // Docker treats "/v1/" and "/v2/" as the registry itself.
  if (path.starts_with("/v2/") || path.starts_with("/v1/")) path = path.substr(3);
  if (!path.empty() && path != "/") return url->host + path;
  return url->host;
}

// Go's encoding/json matches struct fields case-insensitively.
const json::value* fieldOf(const json::object& o, std::string_view name) {
  if (auto* v = o.if_contains(name)) return v;
  for (const auto& kv : o) {
    std::string_view k = kv.key();
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return &kv.value();
    }
  }
  return nullptr;
}

Result<std::string> stringField(const json::object& entry, std::string_view name, std::string_view registry) {
  const json::value* v = fieldOf(entry, name);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) {
    return badRequest("docker config entry " + std::string(registry) + ": \"" + std::string(name) + "\" is not a string");
  }
  return std::string(v->get_string());
}

// A DockerConfigEntry as upstream unmarshals it.
Result<RegistryCredentials> parseEntry(std::string_view registry, const json::value& value) {
  if (!value.is_object()) return badRequest("docker config entry " + std::string(registry) + " is not an object");
  const json::object& entry = value.get_object();
  RegistryCredentials c;
  auto user = stringField(entry, "username", registry);
  auto pass = stringField(entry, "password", registry);
  auto auth = stringField(entry, "auth", registry);
  auto email = stringField(entry, "email", registry);
  for (auto* r : {&user, &pass, &auth, &email}) {
    if (!*r) return std::move(*r).error();
  }
  c.username = *user;
  c.password = *pass;
  c.auth = *auth;
  if (c.auth.empty()) return c;
  auto decoded = pki::base64Decode(c.auth);
  std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) {
    return badRequest("docker config entry " + std::string(registry) +
                      ": unable to parse auth field, must be formatted as base64(username:password)");
  }
  c.username = decoded->substr(0, colon);
  c.password = decoded->substr(colon + 1);
  return c;
}

Result<json::object> parseConfig(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return badRequest(std::string(what) + " is not valid JSON: " + ec.message());
  if (!v.is_object()) return badRequest(std::string(what) + " is not a JSON object");
  return std::move(v.get_object());
}

// The registries map inside one pull secret; nullopt for secrets upstream ignores.
Result<std::optional<json::object>> registriesOf(const json::object& secret) {
  std::string_view type;
  if (auto* t = secret.if_contains("type"); t && t->is_string()) type = t->get_string();
  const char* key = type == kDockerConfigJsonType ? kDockerConfigJsonKey
                    : type == kDockercfgType      ? kDockercfgKey
                                                  : nullptr;
  const json::object* data = nullptr;
  if (auto* d = secret.if_contains("data"); d && d->is_object()) data = &d->get_object();
  const json::value* encoded = key && data ? data->if_contains(key) : nullptr;
  if (!encoded || !encoded->is_string() || encoded->get_string().empty()) return std::optional<json::object>();
  std::string name = "secret";
  if (auto* n = secret.if_contains("metadata"); n && n->is_object()) {
    if (auto* nm = n->get_object().if_contains("name"); nm && nm->is_string()) name += " " + std::string(nm->get_string());
  }
  auto bytes = pki::base64Decode(encoded->get_string());
  if (!bytes) return badRequest(name + ": " + std::string(key) + " is not valid base64");
  auto config = parseConfig(*bytes, name + " " + key);
  if (!config) return std::move(config).error();
  if (type == kDockercfgType) return std::optional<json::object>(std::move(*config));
  const json::value* auths = fieldOf(*config, "auths");
  if (!auths || auths->is_null()) return std::optional<json::object>(json::object());
  if (!auths->is_object()) return badRequest(name + ": \"auths\" is not an object");
  return std::optional<json::object>(auths->get_object());
}

}  // namespace

bool registryMatches(std::string_view glob, std::string_view target) {
  auto g = parseSchemeless(glob);
  auto t = parseSchemeless(target);
  if (!g || !t) return false;
  std::string gHost, gPort, tHost, tPort;
  splitHostPort(g->host, gHost, gPort);
  splitHostPort(t->host, tHost, tPort);
  if (gPort != tPort) return false;
  auto gLabels = splitLabels(gHost);
  auto tLabels = splitLabels(tHost);
  if (gLabels.size() != tLabels.size()) return false;
  if (!t->path.starts_with(g->path)) return false;
  for (std::size_t i = 0; i < gLabels.size(); ++i) {
    if (!globMatch(gLabels[i], tLabels[i])) return false;
  }
  return true;
}

Result<void> DockerKeyring::add(const json::object& registries) {
  for (const auto& kv : registries) {
    auto creds = parseEntry(kv.key(), kv.value());
    if (!creds) return std::move(creds).error();
    auto key = registryKey(kv.key());
    if (!key) continue;  // upstream logs "Entry ... in dockercfg invalid" and goes on
    creds_[*key].push_back(std::move(*creds));
    index_.push_back(*key);
  }
  std::sort(index_.begin(), index_.end(), std::greater<>());
  index_.erase(std::unique(index_.begin(), index_.end()), index_.end());
  return {};
}

std::vector<RegistryCredentials> DockerKeyring::lookup(std::string_view repository) const {
  std::vector<RegistryCredentials> out;
  for (const auto& key : index_) {
    if (!registryMatches(key, repository)) continue;
    const auto& c = creds_.at(key);
    out.insert(out.end(), c.begin(), c.end());
  }
  if (!out.empty() || !isDefaultRegistryMatch(repository)) return out;
  if (auto it = creds_.find(kDefaultRegistryHost); it != creds_.end()) return it->second;
  return out;
}

Result<DockerKeyring> keyringFromPullSecrets(const std::vector<json::object>& secrets) {
  DockerKeyring keyring;
  for (const auto& secret : secrets) {
    auto registries = registriesOf(secret);
    if (!registries) return std::move(registries).error();
    if (!*registries) continue;
    if (auto r = keyring.add(**registries); !r) return std::move(r).error();
  }
  return keyring;
}

Result<std::vector<RegistryCredentials>> pullCredentials(const std::vector<json::object>& secrets,
                                                         std::string_view image) {
  auto ref = api::defaults::parseImageReference(image);
  if (!ref) return badRequest("couldn't parse image name \"" + std::string(image) + "\"");
  auto keyring = keyringFromPullSecrets(secrets);
  if (!keyring) return std::move(keyring).error();
  return keyring->lookup(ref->name);
}

}  // namespace kcpp::kubelet::images
