#pragma once
// KubeletAuth: who is calling the kubelet and whether they may, as upstream's
// kubelet with webhook authentication and authorization: a client certificate
// verified against the cluster's client CA, else a bearer token checked
// through the API's TokenReview; then a SubjectAccessReview for the request's
// attributes (resource nodes, subresource proxy/log/stats/metrics, name = the
// node). Decisions are cached briefly, as upstream's webhook caches (tokens
// 2 min; allowed 5 min, denied 30 s).

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/rest/rest_client.h"
#include "util/error.h"

namespace kcpp::kubelet::server {

struct KubeletUser {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
};

// Upstream's kubelet request attributes (pkg/kubelet/server/auth.go).
struct KubeletAttributes {
  std::string verb;         // from the HTTP method: get, create, update, patch, delete
  std::string subresource;  // proxy, log, stats, metrics
  std::string nodeName;
};
KubeletAttributes kubeletAttributes(const std::string& method, const std::string& path,
                                    const std::string& nodeName);

class KubeletAuth {
 public:
  virtual ~KubeletAuth() = default;
  // nullopt: not authenticated (401).
  virtual boost::asio::awaitable<std::optional<KubeletUser>> authenticateToken(const std::string& token) = 0;
  // Allowed, or the reason it is not (403).
  virtual boost::asio::awaitable<Result<void>> authorize(const KubeletUser& user,
                                                         const KubeletAttributes& attributes) = 0;
};

// Through the API server's TokenReview and SubjectAccessReview.
class ApiKubeletAuth : public KubeletAuth {
 public:
  explicit ApiKubeletAuth(client::RestClient& client) : client_(client) {}
  boost::asio::awaitable<std::optional<KubeletUser>> authenticateToken(const std::string& token) override;
  boost::asio::awaitable<Result<void>> authorize(const KubeletUser& user,
                                                 const KubeletAttributes& attributes) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct TokenEntry {
    std::optional<KubeletUser> user;
    Clock::time_point expires;
  };
  struct DecisionEntry {
    bool allowed = false;
    std::string reason;
    Clock::time_point expires;
  };
  client::RestClient& client_;
  std::mutex mutex_;  // sessions may run on several threads
  std::map<std::string, TokenEntry> tokens_;
  std::map<std::string, DecisionEntry> decisions_;
};

}  // namespace kcpp::kubelet::server
