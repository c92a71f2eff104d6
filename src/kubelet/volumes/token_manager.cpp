#include "kubelet/volumes/token_manager.h"

#include <random>

#include <spdlog/spdlog.h>

#include "api/meta/object.h"

namespace kcpp::kubelet::volumes {

namespace json = boost::json;
using std::chrono::seconds;
using std::chrono::system_clock;

namespace {

constexpr seconds kMaxTtl{24 * 3600};
constexpr int kMaxJitterSeconds = 10;

seconds randomJitter() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return seconds(std::uniform_int_distribution<int>(0, kMaxJitterSeconds - 1)(rng));
}

}  // namespace

TokenManager::TokenManager(Fetch fetch, SystemClock clock, Jitter jitter)
    : fetch_(std::move(fetch)),
      clock_(clock ? std::move(clock) : [] { return system_clock::now(); }),
      jitter_(jitter ? std::move(jitter) : randomJitter) {}

bool TokenManager::requiresRefresh(const IssuedToken& token, system_clock::time_point now,
                                   seconds jitter) {
  if (token.expirationSeconds <= 0) return false;
  auto issuedAt = token.expiration - seconds(token.expirationSeconds);
  if (now > issuedAt + kMaxTtl - jitter) return true;
  // Within 20% of the lifetime (plus the jitter) of the expiry.
  auto fifth = seconds(token.expirationSeconds * 20 / 100);
  return now > token.expiration - fifth - jitter;
}

boost::asio::awaitable<Result<std::string>> TokenManager::getToken(const TokenRequestSpec& spec) {
  auto now = clock_();
  auto cached = cache_.find(spec);
  if (cached != cache_.end() && !requiresRefresh(cached->second, now, jitter_())) {
    co_return cached->second.token;
  }
  auto fresh = co_await fetch_(spec);
  if (!fresh) {
    if (cached != cache_.end() && now < cached->second.expiration) {
      spdlog::warn("token refresh for {}/{} failed, using the cached token: {}", spec.ns,
                   spec.serviceAccount, fresh.error().message);
      co_return cached->second.token;
    }
    co_return std::move(fresh).error();
  }
  std::string token = fresh->token;
  cache_[spec] = std::move(*fresh);
  co_return token;
}

void TokenManager::deleteForPod(const std::string& podUid) {
  std::erase_if(cache_, [&](const auto& entry) { return entry.first.podUid == podUid; });
}

TokenManager::Fetch tokenRequestFetch(client::RestClient& client) {
  return [&client](const TokenRequestSpec& spec) -> boost::asio::awaitable<Result<IssuedToken>> {
    json::object body{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}};
    json::object reqSpec;
    json::array audiences;
    if (!spec.audience.empty()) audiences.emplace_back(spec.audience);
    reqSpec["audiences"] = std::move(audiences);
    reqSpec["expirationSeconds"] = spec.expirationSeconds;
    reqSpec["boundObjectRef"] = json::object{
        {"apiVersion", "v1"}, {"kind", "Pod"}, {"name", spec.podName}, {"uid", spec.podUid}};
    body["spec"] = std::move(reqSpec);
    client::ResourcePath path;
    path.version = "v1";
    path.resource = "serviceaccounts";
    path.ns = spec.ns;
    path.name = spec.serviceAccount;
    path.subresource = "token";
    auto answer = co_await client.create(path, body);
    if (!answer) co_return std::move(answer).error();
    IssuedToken out;
    if (const json::value* t = api::findPath(*answer, "status.token"); t && t->is_string()) {
      out.token = std::string(t->as_string());
    }
    const json::value* exp = api::findPath(*answer, "status.expirationTimestamp");
    auto when = exp && exp->is_string() ? api::parseTime(exp->as_string()) : std::nullopt;
    if (out.token.empty() || !when) {
      co_return makeError(Reason::InternalError, "TokenRequest answer without a token");
    }
    out.expiration = *when;
    out.expirationSeconds = spec.expirationSeconds;
    if (const json::value* s = api::findPath(*answer, "spec.expirationSeconds"); s && s->is_int64()) {
      out.expirationSeconds = s->as_int64();
    }
    co_return out;
  };
}

}  // namespace kcpp::kubelet::volumes
