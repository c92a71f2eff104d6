#pragma once
// Service-account tokens for projected volumes, as upstream's kubelet token
// manager (pkg/kubelet/token): one TokenRequest per (service account, audience,
// expiration, pod), cached, and requested again when 80% of its lifetime has
// passed or it is older than 24 h (minus up to 10 s of jitter), so a long-lived
// pod always holds a valid token. A failed refresh keeps the cached token while
// it is still valid.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <tuple>

#include "client/rest/rest_client.h"
#include "util/error.h"

namespace kcpp::kubelet::volumes {

using SystemClock = std::function<std::chrono::system_clock::time_point()>;

struct TokenRequestSpec {
  std::string ns;
  std::string serviceAccount;
  std::string audience;  // empty: the API server's audiences
  std::int64_t expirationSeconds = 3600;
  std::string podName;  // the pod the token is bound to
  std::string podUid;

  auto key() const {
    return std::tie(ns, serviceAccount, audience, expirationSeconds, podName, podUid);
  }
  bool operator<(const TokenRequestSpec& o) const { return key() < o.key(); }
};

struct IssuedToken {
  std::string token;
  std::chrono::system_clock::time_point expiration;
  std::int64_t expirationSeconds = 0;  // spec.expirationSeconds the server granted
};

class TokenManager {
 public:
  using Fetch = std::function<boost::asio::awaitable<Result<IssuedToken>>(const TokenRequestSpec&)>;
  using Jitter = std::function<std::chrono::seconds()>;

  explicit TokenManager(Fetch fetch, SystemClock clock = nullptr, Jitter jitter = nullptr);

  boost::asio::awaitable<Result<std::string>> getToken(const TokenRequestSpec& spec);
  // Forgets the tokens bound to a pod (it is gone).
  void deleteForPod(const std::string& podUid);
  std::size_t size() const { return cache_.size(); }

  // Upstream's requiresRefresh.
  static bool requiresRefresh(const IssuedToken& token, std::chrono::system_clock::time_point now,
                              std::chrono::seconds jitter);

 private:
  Fetch fetch_;
  SystemClock clock_;
  Jitter jitter_;
  std::map<TokenRequestSpec, IssuedToken> cache_;
};

// A Fetch that POSTs a TokenRequest (bound to the pod) to
// /api/v1/namespaces/<ns>/serviceaccounts/<sa>/token through `client`.
TokenManager::Fetch tokenRequestFetch(client::RestClient& client);

}  // namespace kcpp::kubelet::volumes
