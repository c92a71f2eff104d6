// Bearer-token authentication cost per request: a service-account JWT verified
// every time (ES256 signature, claims, ServiceAccount lookup) against the same
// token answered by CachedTokenAuthenticator (HMAC key, stripe lock, map hit).
// Google Benchmark; run with --benchmark_repetitions=5.

#include <benchmark/benchmark.h>

#include "apiserver/authn/service_account_token.h"
#include "apiserver/authn/token_cache.h"

namespace {

using namespace kcpp::apiserver;

struct Fixture {
  Fixture() {
    signer = ServiceAccountTokenSigner::generate(kDefaultServiceAccountIssuer);
    std::int64_t now = unixNow();
    ServiceAccountClaims claims{"kube-system", "replicaset-controller", "uid-1",
                                {kDefaultServiceAccountIssuer}, now, now + 3600, std::nullopt};
    token = *signer->sign(claims);
  }
  std::unique_ptr<ServiceAccountTokenAuthenticator> authenticator() const {
    return std::make_unique<ServiceAccountTokenAuthenticator>(
        signer, std::vector<std::string>{kDefaultServiceAccountIssuer},
        [](const std::string&, const std::string&) -> std::optional<std::string> {
          return "uid-1";
        });
  }
  ServiceAccountTokenSignerPtr signer;
  std::string token;
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void BM_ServiceAccountTokenUncached(benchmark::State& state) {
  auto authn = fixture().authenticator();
  for (auto _ : state) benchmark::DoNotOptimize(authn->authenticateBearer(fixture().token, {}));
}
BENCHMARK(BM_ServiceAccountTokenUncached)->Threads(1)->Threads(2)->UseRealTime();

void BM_ServiceAccountTokenCached(benchmark::State& state) {
  static CachedTokenAuthenticator cached(fixture().authenticator());
  for (auto _ : state) benchmark::DoNotOptimize(cached.authenticateBearer(fixture().token, {}));
}
BENCHMARK(BM_ServiceAccountTokenCached)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
