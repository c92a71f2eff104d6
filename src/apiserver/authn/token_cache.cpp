#include "apiserver/authn/token_cache.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "util/error.h"

namespace kcpp::apiserver {

namespace {

// Length prefixes keep ("ab", ["c"]) and ("a", ["bc"]) apart, as upstream's keyFunc.
void appendLengthPrefixed(std::string& out, std::string_view s) {
  auto n = static_cast<std::uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(s);
}

}  // namespace

CachedTokenAuthenticator::CachedTokenAuthenticator(TokenAuthenticatorPtr inner,
                                                   TokenCacheOptions options)
    : inner_(std::move(inner)), options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
  options_.entriesPerStripe = std::max<std::size_t>(options_.entriesPerStripe, 1);
  KCPP_CHECK(RAND_bytes(hmacKey_.data(), static_cast<int>(hmacKey_.size())) == 1,
             "random bytes for the token cache key");
}

CachedTokenAuthenticator::Key CachedTokenAuthenticator::keyOf(std::string_view token,
                                                              const Audiences& audiences) const {
  std::string message;
  message.reserve(token.size() + 8 + audiences.size() * 48);
  appendLengthPrefixed(message, token);
  appendLengthPrefixed(message, std::to_string(audiences.size()));
  for (const auto& a : audiences) appendLengthPrefixed(message, a);
  Key key(32, '\0');
  unsigned int length = 0;
  HMAC(EVP_sha256(), hmacKey_.data(), static_cast<int>(hmacKey_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       reinterpret_cast<unsigned char*>(key.data()), &length);
  KCPP_CHECK(length == key.size(), "HMAC-SHA256 gives 32 bytes");
  return key;
}

CachedTokenAuthenticator::Stripe& CachedTokenAuthenticator::stripeOf(const Key& key) const {
  // The key is a keyed hash already: its first byte is as good a stripe index as any.
  return stripes_[static_cast<unsigned char>(key[0]) % kStripes];
}

std::optional<CachedTokenAuthenticator::Answer> CachedTokenAuthenticator::cached(
    Stripe& stripe, const Key& key, std::chrono::system_clock::time_point now) const {
  auto it = stripe.entries.find(key);
  if (it == stripe.entries.end()) return std::nullopt;
  if (now >= it->second.expires) {
    stripe.recency.erase(it->second.recency);
    stripe.entries.erase(it);
    return std::nullopt;
  }
  stripe.recency.splice(stripe.recency.begin(), stripe.recency, it->second.recency);
  return it->second.answer;
}

void CachedTokenAuthenticator::store(Stripe& stripe, const Key& key, const Answer& answer,
                                     std::chrono::system_clock::time_point now) const {
  auto ttl = answer ? options_.successTTL : options_.failureTTL;
  auto expires = now + std::chrono::duration_cast<std::chrono::system_clock::duration>(ttl);
  if (answer && answer->validUntil) expires = std::min(expires, *answer->validUntil);
  if (expires <= now) return;
  if (auto it = stripe.entries.find(key); it != stripe.entries.end()) {
    stripe.recency.erase(it->second.recency);
    stripe.entries.erase(it);
  }
  while (stripe.entries.size() >= options_.entriesPerStripe) {
    stripe.entries.erase(stripe.recency.back());
    stripe.recency.pop_back();
  }
  stripe.recency.push_front(key);
  stripe.entries.emplace(key, Entry{answer, expires, stripe.recency.begin()});
}

std::optional<TokenAuthentication> CachedTokenAuthenticator::authenticateBearer(
    std::string_view token, const Audiences& audiences) const {
  Key key = keyOf(token, audiences);
  Stripe& stripe = stripeOf(key);
  std::promise<Answer> promise;
  {
    std::unique_lock lock(stripe.mutex);
    if (auto hit = cached(stripe, key, options_.clock())) return *hit;
    if (auto pending = stripe.inFlight.find(key); pending != stripe.inFlight.end()) {
      // Someone is asking the inner authenticator for this very key: share its answer.
      std::shared_future<Answer> shared = pending->second;
      lock.unlock();
      return shared.get();
    }
    stripe.inFlight.emplace(key, promise.get_future().share());
  }
  Answer answer;
  try {
    answer = inner_->authenticateBearer(token, audiences);
  } catch (...) {
    std::lock_guard lock(stripe.mutex);
    stripe.inFlight.erase(key);
    promise.set_exception(std::current_exception());
    throw;
  }
  {
    std::lock_guard lock(stripe.mutex);
    store(stripe, key, answer, options_.clock());
    stripe.inFlight.erase(key);
  }
  promise.set_value(answer);
  return answer;
}

std::size_t CachedTokenAuthenticator::size() const {
  std::size_t total = 0;
  for (auto& stripe : stripes_) {
    std::lock_guard lock(stripe.mutex);
    total += stripe.entries.size();
  }
  return total;
}

}  // namespace kcpp::apiserver
