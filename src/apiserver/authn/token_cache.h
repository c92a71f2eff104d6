#pragma once
// CachedTokenAuthenticator: upstream's token/cache.cachedTokenAuthenticator in
// front of the bearer-token methods, so that a client sending the same token on
// every request (controllers writing as their ServiceAccounts) has its JWT
// signature verified once per TTL, not once per request.
//
// As upstream:
//  - a success is kept successTTL (kube-apiserver: 10 s), a failure failureTTL
//    (kube-apiserver: 0, failures are not cached); a TTL of 0 keeps nothing;
//  - the key is an HMAC-SHA256, under a random per-process key, of the token
//    and the audiences asked, so the cache never holds a token and callers
//    cannot choose colliding keys;
//  - 32 stripes, each with its own lock;
//  - concurrent lookups of one key share a single call to the inner
//    authenticator (upstream's singleflight);
//  - revocation (a deleted ServiceAccount, Secret or bound Pod) is noticed when
//    the entry expires: the TTL's staleness is accepted.
// Beyond upstream: an answer is never kept past the token's own end of validity
// (TokenAuthentication::validUntil, a JWT's exp), so a token expiring inside
// the TTL is refused from then on exactly as without the cache; and each stripe
// holds at most a fixed number of entries (least recently used go first), so a
// client sending endless distinct tokens cannot grow the server's memory.

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "apiserver/authn/authenticator.h"

namespace kcpp::apiserver {

struct TokenCacheOptions {
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // kube-apiserver's defaults (BuiltInAuthenticationOptions).
  std::chrono::nanoseconds successTTL = std::chrono::seconds(10);
  std::chrono::nanoseconds failureTTL = std::chrono::seconds(0);
  // Entries per stripe; 32 stripes × 1024 = upstream's "32k entry cache".
  std::size_t entriesPerStripe = 1024;
  Clock clock;  // system_clock::now when unset (tests inject a fake one)
};

class CachedTokenAuthenticator : public TokenAuthenticator {
 public:
  CachedTokenAuthenticator(TokenAuthenticatorPtr inner, TokenCacheOptions options = {});
  std::optional<TokenAuthentication> authenticateBearer(std::string_view token,
                                                        const Audiences& audiences) const override;
  // Entries held now, over all stripes (tests).
  std::size_t size() const;

 private:
  static constexpr std::size_t kStripes = 32;
  using Answer = std::optional<TokenAuthentication>;
  using Key = std::string;  // 32 bytes of HMAC
  struct Entry {
    Answer answer;
    std::chrono::system_clock::time_point expires;
    std::list<Key>::iterator recency;
  };
  struct Stripe {
    std::mutex mutex;
    std::unordered_map<Key, Entry> entries;
    std::list<Key> recency;  // most recently used first
    std::unordered_map<Key, std::shared_future<Answer>> inFlight;
  };

  Key keyOf(std::string_view token, const Audiences& audiences) const;
  Stripe& stripeOf(const Key& key) const;
  std::optional<Answer> cached(Stripe& stripe, const Key& key,
                               std::chrono::system_clock::time_point now) const;
  void store(Stripe& stripe, const Key& key, const Answer& answer,
             std::chrono::system_clock::time_point now) const;

  TokenAuthenticatorPtr inner_;
  TokenCacheOptions options_;
  std::array<unsigned char, 32> hmacKey_{};
  mutable std::array<Stripe, kStripes> stripes_;
};

}  // namespace kcpp::apiserver
