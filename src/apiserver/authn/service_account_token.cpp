#include "apiserver/authn/service_account_token.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

#include "apiserver/authn/bootstrap_token.h"
#include "apiserver/authn/token_file.h"
#include "pki/atomic_file.h"
#include "pki/certificate.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

constexpr std::int64_t kLeewaySeconds = 60;  // go-jose's DefaultLeeway

std::string base64UrlEncode(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64UrlDecode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

// Upstream's keyIDFromPublicKey: base64url(sha256(PKIX DER of the public key)).
std::string keyIdOf(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  KCPP_CHECK(len > 0, "i2d_PUBKEY failed");
  std::string bytes(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return base64UrlEncode(sha256(bytes));
}

std::string randomUuid() {
  unsigned char b[16];
  KCPP_CHECK(RAND_bytes(b, sizeof b) == 1, "RAND_bytes failed");
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

std::int64_t intClaim(const json::object& o, std::string_view key, bool& ok) {
  auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) {
    // Outside int64 the conversion is undefined behaviour (found by fuzz/jwt_fuzzer).
    double d = v->as_double();
    if (d >= -9.2e18 && d <= 9.2e18) return static_cast<std::int64_t>(d);
  }
  ok = false;
  return 0;
}

std::string stringAt(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ServiceAccountTokenSigner::ServiceAccountTokenSigner(pki::EvpPkeyPtr key, std::string issuer)
    : key_(std::move(key)), issuer_(std::move(issuer)), keyId_(keyIdOf(key_.get())) {}

Result<std::shared_ptr<ServiceAccountTokenSigner>> ServiceAccountTokenSigner::loadOrCreate(
    const std::string& keyPath, std::string issuer) {
  auto pem = pki::readFile(keyPath);
  if (!pem) {
    if (pem.error().reason != Reason::NotFound) return std::move(pem).error();
    auto key = pki::generateKey();
    if (!key) return std::move(key).error();
    auto dir = std::filesystem::path(keyPath).parent_path();
    if (!dir.empty()) {
      if (auto ok = pki::ensureDirectory(dir, 0700); !ok) return std::move(ok).error();
    }
    if (auto ok = pki::writeFileAtomic(keyPath, pki::privateKeyToPem(key->get()),
                                       pki::kPrivateFileMode);
        !ok) {
      return std::move(ok).error();
    }
    return std::shared_ptr<ServiceAccountTokenSigner>(
        new ServiceAccountTokenSigner(std::move(*key), std::move(issuer)));
  }
  auto key = pki::privateKeyFromPem(*pem);
  if (!key) {
    return makeError(Reason::InternalError,
                     "service account key " + keyPath + ": " + key.error().message);
  }
  if (EVP_PKEY_get_base_id(key->get()) != EVP_PKEY_EC) {
    return makeError(Reason::InternalError,
                     "service account key " + keyPath + " is not an ECDSA P-256 key");
  }
  return std::shared_ptr<ServiceAccountTokenSigner>(
      new ServiceAccountTokenSigner(std::move(*key), std::move(issuer)));
}

std::shared_ptr<ServiceAccountTokenSigner> ServiceAccountTokenSigner::generate(std::string issuer) {
  auto key = pki::generateKey();
  KCPP_CHECK(static_cast<bool>(key), "generating a P-256 key");
  return std::shared_ptr<ServiceAccountTokenSigner>(
      new ServiceAccountTokenSigner(std::move(*key), std::move(issuer)));
}

Result<std::string> ServiceAccountTokenSigner::sign(const ServiceAccountClaims& c) const {
  json::array aud;
  for (const auto& a : c.audiences) aud.emplace_back(a);
  json::object sa{{"name", c.name}, {"uid", c.uid}};
  json::object k8s{{"namespace", c.ns}, {"serviceaccount", std::move(sa)}};
  if (c.bound) {
    json::object ref{{"name", c.bound->name}, {"uid", c.bound->uid}};
    k8s[c.bound->kind == "Pod" ? "pod" : "secret"] = std::move(ref);
  }
  json::object payload{{"aud", std::move(aud)},
                       {"exp", c.expiresAt},
                       {"iat", c.issuedAt},
                       {"iss", issuer_},
                       {"jti", randomUuid()},
                       {"kubernetes.io", std::move(k8s)},
                       {"nbf", c.issuedAt},
                       {"sub", "system:serviceaccount:" + c.ns + ":" + c.name}};
  return signPayload(payload);
}

Result<std::string> ServiceAccountTokenSigner::signLegacy(const LegacyTokenClaims& c) const {
  json::object payload{
      {"iss", kLegacyServiceAccountIssuer},
      {"kubernetes.io/serviceaccount/namespace", c.ns},
      {"kubernetes.io/serviceaccount/secret.name", c.secretName},
      {"kubernetes.io/serviceaccount/service-account.name", c.serviceAccountName},
      {"kubernetes.io/serviceaccount/service-account.uid", c.serviceAccountUid},
      {"sub", "system:serviceaccount:" + c.ns + ":" + c.serviceAccountName}};
  return signPayload(payload);
}

Result<std::string> ServiceAccountTokenSigner::signPayload(const json::object& payload) const {
  json::object header{{"alg", "ES256"}, {"kid", keyId_}};
  std::string signingInput = base64UrlEncode(json::serialize(header)) + "." +
                             base64UrlEncode(json::serialize(payload));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t derLen = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &derLen,
                     reinterpret_cast<const unsigned char*>(signingInput.data()),
                     signingInput.size()) != 1) {
    return pki::openSslError("signing a service account token");
  }
  std::string der(derLen, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &derLen,
                     reinterpret_cast<const unsigned char*>(signingInput.data()),
                     signingInput.size()) != 1) {
    return pki::openSslError("signing a service account token");
  }
  // JWS wants r || s, each 32 bytes, not the DER ECDSA-Sig-Value.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(derLen));
  if (!sig) return pki::openSslError("decoding an ECDSA signature");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return signingInput + "." + base64UrlEncode(raw);
}

std::optional<std::string> ServiceAccountTokenSigner::verifiedPayload(std::string_view token) const {
  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto headerText = base64UrlDecode(token.substr(0, dot1));
  auto payload = base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto raw = base64UrlDecode(token.substr(dot2 + 1));
  if (!headerText || !payload || !raw || raw->size() != 64) return std::nullopt;
  boost::system::error_code ec;
  json::value header = json::parse(*headerText, ec);
  if (ec || !header.is_object()) return std::nullopt;
  if (stringAt(header.get_object(), "alg") != "ES256") return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw->data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw->data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int derLen = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (derLen <= 0) return std::nullopt;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string_view signingInput = token.substr(0, dot2);
  bool ok = ctx &&
            EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(derLen),
                             reinterpret_cast<const unsigned char*>(signingInput.data()),
                             signingInput.size()) == 1;
  OPENSSL_free(der);
  ERR_clear_error();
  if (!ok) return std::nullopt;
  return payload;
}

ServiceAccountTokenAuthenticator::ServiceAccountTokenAuthenticator(
    ServiceAccountTokenSignerPtr signer, std::vector<std::string> apiAudiences,
    ServiceAccountUidLookup lookup)
    : signer_(std::move(signer)), apiAudiences_(std::move(apiAudiences)), lookup_(std::move(lookup)) {}

std::optional<TokenAuthentication> ServiceAccountTokenAuthenticator::authenticateBearer(
    std::string_view token, const Audiences& audiences) const {
  return authenticateAt(token, audiences, unixNow());
}

bool ServiceAccountTokenAuthenticator::audienceAccepted(
    const std::vector<std::string>& tokenAudiences, const Audiences& asked) const {
  const auto& wanted = asked.empty() ? apiAudiences_ : asked;
  return std::any_of(tokenAudiences.begin(), tokenAudiences.end(), [&](const std::string& a) {
    return std::find(wanted.begin(), wanted.end(), a) != wanted.end();
  });
}

std::optional<TokenAuthentication> ServiceAccountTokenAuthenticator::authenticateAt(
    std::string_view token, const Audiences& audiences, std::int64_t now) const {
  auto payloadText = signer_->verifiedPayload(token);
  if (!payloadText) return std::nullopt;
  boost::system::error_code ec;
  json::value payload = json::parse(*payloadText, ec);
  if (ec || !payload.is_object()) return std::nullopt;
  const json::object& claims = payload.get_object();
  if (stringAt(claims, "iss") == kLegacyServiceAccountIssuer) {
    if (!audienceAccepted(apiAudiences_, audiences)) return std::nullopt;
    auto user = authenticateLegacy(token, claims);
    if (!user) return std::nullopt;
    return TokenAuthentication{std::move(*user), std::nullopt};
  }
  if (stringAt(claims, "iss") != signer_->issuer()) return std::nullopt;
  bool ok = true;
  std::int64_t exp = intClaim(claims, "exp", ok);
  std::int64_t nbf = intClaim(claims, "nbf", ok);
  std::int64_t iat = intClaim(claims, "iat", ok);
  if (!ok || !claims.contains("exp")) return std::nullopt;
  if (now > exp + kLeewaySeconds) return std::nullopt;                      // expired
  if (claims.contains("nbf") && now + kLeewaySeconds < nbf) return std::nullopt;  // not yet valid
  if (claims.contains("iat") && now + kLeewaySeconds < iat) return std::nullopt;  // issued in future
  // aud: a string or an array; one must be an API server audience.
  std::vector<std::string> tokenAudiences;
  if (auto* aud = claims.if_contains("aud")) {
    if (aud->is_string()) tokenAudiences.emplace_back(aud->as_string());
    if (aud->is_array()) {
      for (const auto& a : aud->as_array()) {
        if (a.is_string()) tokenAudiences.emplace_back(a.as_string());
      }
    }
  }
  if (!audienceAccepted(tokenAudiences, audiences)) return std::nullopt;
  auto* k8s = claims.if_contains("kubernetes.io");
  if (!k8s || !k8s->is_object()) return std::nullopt;
  std::string ns = stringAt(k8s->get_object(), "namespace");
  auto* sa = k8s->get_object().if_contains("serviceaccount");
  if (!sa || !sa->is_object() || ns.empty()) return std::nullopt;
  std::string name = stringAt(sa->get_object(), "name");
  std::string uid = stringAt(sa->get_object(), "uid");
  if (name.empty() || stringAt(claims, "sub") != "system:serviceaccount:" + ns + ":" + name) {
    return std::nullopt;
  }
  // The ServiceAccount must still exist, and be the one the token was issued for.
  auto currentUid = lookup_ ? lookup_(ns, name) : std::nullopt;
  if (!currentUid || *currentUid != uid) return std::nullopt;
  // A token bound to a pod or secret dies with it.
  for (const auto& [claim, kind] : {std::pair{"pod", "Pod"}, std::pair{"secret", "Secret"}}) {
    auto* ref = k8s->get_object().if_contains(claim);
    if (!ref) continue;
    if (!ref->is_object() || !boundLookup_) return std::nullopt;
    auto boundUid = boundLookup_(kind, ns, stringAt(ref->get_object(), "name"));
    if (!boundUid || *boundUid != stringAt(ref->get_object(), "uid")) return std::nullopt;
  }
  // Past exp (plus the leeway granted above) the token is refused; an answer
  // cached from now on must not outlive that.
  auto validUntil = std::chrono::system_clock::time_point(std::chrono::seconds(exp + kLeewaySeconds));
  return TokenAuthentication{UserInfo{"system:serviceaccount:" + ns + ":" + name,
                                      uid,
                                      {"system:serviceaccounts", "system:serviceaccounts:" + ns}},
                             validUntil};
}

// Upstream's legacyValidator with lookup on: the claims must be complete and
// agree with `sub`; the Secret they name must exist, not be being deleted, and
// hold this very token; the ServiceAccount must exist with the uid claimed.
std::optional<UserInfo> ServiceAccountTokenAuthenticator::authenticateLegacy(
    std::string_view token, const json::object& claims) const {
  if (!secretLookup_ || !lookup_) return std::nullopt;
  std::string ns = stringAt(claims, "kubernetes.io/serviceaccount/namespace");
  std::string secretName = stringAt(claims, "kubernetes.io/serviceaccount/secret.name");
  std::string name = stringAt(claims, "kubernetes.io/serviceaccount/service-account.name");
  std::string uid = stringAt(claims, "kubernetes.io/serviceaccount/service-account.uid");
  if (ns.empty() || secretName.empty() || name.empty() || uid.empty()) return std::nullopt;
  if (stringAt(claims, "sub") != "system:serviceaccount:" + ns + ":" + name) return std::nullopt;
  // Deleting the Secret (or replacing its token) revokes the token.
  auto secret = secretLookup_(ns, secretName);
  if (!secret) return std::nullopt;
  const json::value* meta = secret->if_contains("metadata");
  if (!meta || !meta->is_object() || meta->get_object().contains("deletionTimestamp")) {
    return std::nullopt;
  }
  if (!constantTimeEquals(secretDataField(*secret, "token"), token)) return std::nullopt;
  auto currentUid = lookup_(ns, name);
  if (!currentUid || *currentUid != uid) return std::nullopt;
  return UserInfo{"system:serviceaccount:" + ns + ":" + name,
                  uid,
                  {"system:serviceaccounts", "system:serviceaccounts:" + ns}};
}

}  // namespace kcpp::apiserver
