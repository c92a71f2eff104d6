// Service-account JWTs (apiserver/authn/service_account_token.h). The first byte
// picks the mode:
//   even: the rest is a bearer token as a client sends it (split, base64url,
//         header JSON, ES256 signature check);
//   odd:  the rest is a payload (claims JSON) that the harness signs with the
//         server's key, so the claims checks after the signature (iss, exp/nbf/iat,
//         aud, kubernetes.io, the ServiceAccount lookup) are fuzzed too.
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "apiserver/authn/service_account_token.h"
#include "pki/atomic_file.h"
#include "pki/certificate.h"
#include "fuzz_support.h"

namespace {

using namespace kcpp;

std::string b64url(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

struct Fixture {
  apiserver::ServiceAccountTokenSignerPtr signer;
  pki::EvpPkeyPtr key;  // the same key, to sign arbitrary payloads
  std::unique_ptr<apiserver::ServiceAccountTokenAuthenticator> authn;
  std::string header;
};

const Fixture& fixture() {
  static const Fixture* f = [] {
    auto* fx = new Fixture;
    char dirTemplate[] = "/tmp/kcpp-jwt-fuzz-XXXXXX";
    if (!mkdtemp(dirTemplate)) std::abort();
    std::string keyPath = std::string(dirTemplate) + "/sa.key";
    auto signer = apiserver::ServiceAccountTokenSigner::loadOrCreate(keyPath, apiserver::kDefaultServiceAccountIssuer);
    if (!signer) std::abort();
    fx->signer = *signer;
    auto pem = pki::readFile(keyPath);
    if (!pem) std::abort();
    auto key = pki::privateKeyFromPem(*pem);
    if (!key) std::abort();
    fx->key = std::move(*key);
    std::filesystem::remove_all(dirTemplate);
    fx->authn = std::make_unique<apiserver::ServiceAccountTokenAuthenticator>(
        fx->signer, std::vector<std::string>{"https://kubernetes.default.svc.cluster.local", "api"},
        [](const std::string& ns, const std::string& name) -> std::optional<std::string> {
          if (ns == "default" && name == "default") return std::string("uid-1");
          return std::nullopt;
        });
    fx->header = b64url(R"({"alg":"ES256","kid":")" + fx->signer->keyId() + R"("})");
    return fx;
  }();
  return *f;
}

// The compact JWS of `payload` under the fixture's key, as the signer writes it.
std::string signPayload(const Fixture& fx, std::string_view payload) {
  std::string signingInput = fx.header + "." + b64url(payload);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t derLen = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(signingInput.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, fx.key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &derLen, in, signingInput.size()) != 1) {
    std::abort();
  }
  std::string der(derLen, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &derLen, in, signingInput.size()) != 1) {
    std::abort();
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(derLen));
  if (!sig) std::abort();
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return signingInput + "." + b64url(raw);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& fx = fixture();
  auto rest = fuzz::asText(data + 1, size - 1);
  constexpr std::int64_t kNow = 1700000000;
  if (data[0] % 2 == 0) {
    const apiserver::Audiences serverAudiences;  // empty: the API server's own
    (void)fx.authn->authenticateAt(rest, serverAudiences, kNow);
    std::string header = "Bearer " + std::string(rest);
    (void)fx.authn->authenticate({.verifiedClientCert = std::nullopt, .authorizationHeader = header});
  } else {
    auto token = signPayload(fx, rest);
    if (!fx.signer->verifiedPayload(token)) {
      std::fprintf(stderr, "a token signed with the server's key does not verify\n");
      std::abort();
    }
    const apiserver::Audiences serverAudiences;
    (void)fx.authn->authenticateAt(token, serverAudiences, kNow);
  }
  return 0;
}
