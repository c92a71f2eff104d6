#include "apiserver/authn/token_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "apiserver/authn/service_account_token.h"

namespace kcpp::apiserver {

namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

// Knows the token "good" (and "short", valid until `shortUntil`); counts calls.
class CountingAuthenticator : public TokenAuthenticator {
 public:
  std::optional<TokenAuthentication> authenticateBearer(std::string_view token,
                                                        const Audiences& audiences) const override {
    ++calls;
    lastAudiences = audiences;
    if (token == "good") return TokenAuthentication{UserInfo{"alice", "1", {}}, std::nullopt};
    if (token == "short") return TokenAuthentication{UserInfo{"bob", "2", {}}, shortUntil};
    return std::nullopt;
  }
  mutable std::atomic<int> calls{0};
  mutable Audiences lastAudiences;
  TimePoint shortUntil;
};

struct FakeClock {
  TimePoint now = TimePoint(std::chrono::seconds(1'800'000'000));
  TokenCacheOptions::Clock fn() {
    return [this] { return now; };
  }
};

struct Fixture {
  explicit Fixture(TokenCacheOptions options = {}) {
    auto owned = std::make_unique<CountingAuthenticator>();
    inner = owned.get();
    options.clock = clock.fn();
    cache = std::make_unique<CachedTokenAuthenticator>(std::move(owned), options);
  }
  FakeClock clock;
  CountingAuthenticator* inner = nullptr;
  std::unique_ptr<CachedTokenAuthenticator> cache;
};

}  // namespace

TEST(TokenCache, SuccessIsCachedForTheSuccessTTL) {
  Fixture f;
  ASSERT_TRUE(f.cache->authenticateBearer("good", {}));
  auto again = f.cache->authenticateBearer("good", {});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->user.name, "alice");
  EXPECT_EQ(f.inner->calls, 1);
  f.clock.now += 9s;
  EXPECT_TRUE(f.cache->authenticateBearer("good", {}));
  EXPECT_EQ(f.inner->calls, 1);
  f.clock.now += 1s;  // 10 s after the lookup: expired, asked again
  EXPECT_TRUE(f.cache->authenticateBearer("good", {}));
  EXPECT_EQ(f.inner->calls, 2);
}

TEST(TokenCache, FailuresAreNotCachedByDefaultAsKubeApiserver) {
  Fixture f;
  EXPECT_FALSE(f.cache->authenticateBearer("bad", {}));
  EXPECT_FALSE(f.cache->authenticateBearer("bad", {}));
  EXPECT_EQ(f.inner->calls, 2);
  EXPECT_EQ(f.cache->size(), 0u);
}

TEST(TokenCache, FailuresCachedForTheFailureTTL) {
  TokenCacheOptions options;
  options.failureTTL = 10s;
  Fixture f(options);
  EXPECT_FALSE(f.cache->authenticateBearer("bad", {}));
  f.clock.now += 9s;
  EXPECT_FALSE(f.cache->authenticateBearer("bad", {}));
  EXPECT_EQ(f.inner->calls, 1);
  f.clock.now += 1s;
  EXPECT_FALSE(f.cache->authenticateBearer("bad", {}));
  EXPECT_EQ(f.inner->calls, 2);
}

TEST(TokenCache, ZeroTTLKeepsNothing) {
  TokenCacheOptions options;
  options.successTTL = 0s;
  Fixture f(options);
  EXPECT_TRUE(f.cache->authenticateBearer("good", {}));
  EXPECT_TRUE(f.cache->authenticateBearer("good", {}));
  EXPECT_EQ(f.inner->calls, 2);
}

TEST(TokenCache, AnswerNeverOutlivesTheTokensValidity) {
  Fixture f;
  f.inner->shortUntil = f.clock.now + 3s;
  ASSERT_TRUE(f.cache->authenticateBearer("short", {}));
  f.clock.now += 2s;
  EXPECT_TRUE(f.cache->authenticateBearer("short", {}));
  EXPECT_EQ(f.inner->calls, 1);
  // Past validUntil the cached answer is gone; the inner authenticator decides.
  f.clock.now += 1s;
  EXPECT_TRUE(f.cache->authenticateBearer("short", {}));
  EXPECT_EQ(f.inner->calls, 2);
}

TEST(TokenCache, AudiencesAreSeparateEntries) {
  Fixture f;
  ASSERT_TRUE(f.cache->authenticateBearer("good", {}));
  ASSERT_TRUE(f.cache->authenticateBearer("good", {"vault"}));
  EXPECT_EQ(f.inner->lastAudiences, (Audiences{"vault"}));
  ASSERT_TRUE(f.cache->authenticateBearer("good", {"vault", "x"}));
  EXPECT_EQ(f.inner->calls, 3);
  ASSERT_TRUE(f.cache->authenticateBearer("good", {"vault"}));
  EXPECT_EQ(f.inner->calls, 3);
  // Length prefixes: ("good", ["ab"]) is not ("good", ["a", "b"]).
  f.cache->authenticateBearer("good", {"ab"});
  f.cache->authenticateBearer("good", {"a", "b"});
  EXPECT_EQ(f.inner->calls, 5);
}

TEST(TokenCache, EachStripeIsBounded) {
  TokenCacheOptions options;
  options.entriesPerStripe = 2;
  options.failureTTL = 10s;
  Fixture f(options);
  for (int i = 0; i < 1000; ++i) f.cache->authenticateBearer("t" + std::to_string(i), {});
  EXPECT_LE(f.cache->size(), 64u);
  EXPECT_GE(f.cache->size(), 32u);
}

TEST(TokenCache, LeastRecentlyUsedIsEvictedFirst) {
  TokenCacheOptions options;
  options.entriesPerStripe = 1;
  Fixture f(options);
  ASSERT_TRUE(f.cache->authenticateBearer("good", {}));
  // Enough other keys that some land in "good"'s stripe and push it out.
  for (int i = 0; i < 400; ++i) f.cache->authenticateBearer("good", {std::to_string(i)});
  int before = f.inner->calls;
  ASSERT_TRUE(f.cache->authenticateBearer("good", {}));
  EXPECT_EQ(f.inner->calls, before + 1);
}

// Concurrent lookups of one token share one call to the inner authenticator.
TEST(TokenCache, ConcurrentIdenticalLookupsShareOneCall) {
  class SlowAuthenticator : public TokenAuthenticator {
   public:
    std::optional<TokenAuthentication> authenticateBearer(std::string_view,
                                                          const Audiences&) const override {
      ++calls;
      std::unique_lock lock(mutex);
      released.wait(lock, [this] { return open; });
      return TokenAuthentication{UserInfo{"alice", "1", {}}, std::nullopt};
    }
    void release() {
      {
        std::lock_guard lock(mutex);
        open = true;
      }
      released.notify_all();
    }
    mutable std::atomic<int> calls{0};
    mutable std::mutex mutex;
    mutable std::condition_variable released;
    bool open = false;
  };
  auto owned = std::make_unique<SlowAuthenticator>();
  SlowAuthenticator* slow = owned.get();
  CachedTokenAuthenticator cache(std::move(owned));
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (cache.authenticateBearer("tok", {})) ++accepted;
    });
  }
  while (slow->calls == 0) std::this_thread::yield();
  std::this_thread::sleep_for(50ms);  // let the others reach the shared lookup
  slow->release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted, 8);
  EXPECT_EQ(slow->calls, 1);
}

// With the real service-account authenticator: a token expiring inside the TTL
// is refused once past its exp (plus the JWT leeway), cache or not.
TEST(TokenCache, ServiceAccountTokenExpiringInsideTheTTLIsRefusedAfterward) {
  auto signer = ServiceAccountTokenSigner::generate(kDefaultServiceAccountIssuer);
  auto sa = std::make_unique<ServiceAccountTokenAuthenticator>(
      signer, std::vector<std::string>{kDefaultServiceAccountIssuer},
      [](const std::string&, const std::string&) -> std::optional<std::string> {
        return "uid-1";
      });
  // Expired 58 s ago: within the 60 s leeway for 2 s more.
  std::int64_t now = unixNow();
  ServiceAccountClaims claims{"default", "bot", "uid-1", {kDefaultServiceAccountIssuer},
                              now - 3600, now - 58, std::nullopt};
  auto token = signer->sign(claims);
  ASSERT_TRUE(token);
  auto direct = sa->authenticateAt(*token, {}, now);
  ASSERT_TRUE(direct);
  ASSERT_TRUE(direct->validUntil);
  EXPECT_EQ(*direct->validUntil, TimePoint(std::chrono::seconds(now + 2)));

  FakeClock clock;
  clock.now = TimePoint(std::chrono::seconds(now));
  TokenCacheOptions options;
  options.clock = clock.fn();
  CachedTokenAuthenticator cache(std::move(sa), options);
  ASSERT_TRUE(cache.authenticateBearer(*token, {}));
  clock.now += 1s;
  EXPECT_TRUE(cache.authenticateBearer(*token, {}));
  // The cache entry lapses at validUntil; with the real clock that the inner
  // authenticator uses the token is then refused when the wall clock passes it.
  clock.now += 1s;
  EXPECT_EQ(cache.size(), 1u);  // not yet swept...
  std::this_thread::sleep_for(std::chrono::seconds(now + 3 - unixNow()));
  EXPECT_FALSE(cache.authenticateBearer(*token, {}));
  EXPECT_EQ(cache.size(), 0u);  // ...refused, and nothing cached for it
}

TEST(TokenCache, ServiceAccountAudiences) {
  auto signer = ServiceAccountTokenSigner::generate(kDefaultServiceAccountIssuer);
  ServiceAccountTokenAuthenticator sa(
      signer, std::vector<std::string>{kDefaultServiceAccountIssuer},
      [](const std::string&, const std::string&) -> std::optional<std::string> {
        return "uid-1";
      });
  std::int64_t now = unixNow();
  ServiceAccountClaims claims{"default", "bot", "uid-1", {"vault"}, now, now + 600, std::nullopt};
  auto token = signer->sign(claims);
  ASSERT_TRUE(token);
  EXPECT_FALSE(sa.authenticateAt(*token, {}, now));  // not for the API server
  EXPECT_TRUE(sa.authenticateAt(*token, {"vault"}, now));
  EXPECT_FALSE(sa.authenticateAt(*token, {"other"}, now));
}

}  // namespace kcpp::apiserver
