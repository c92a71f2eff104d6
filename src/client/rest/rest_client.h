#pragma once
// RestClient: how kcpp's components talk to the API server, as upstream's
// client-go rest client: HTTPS keep-alive connections (a small pool, one request
// at a time each), credentials from a kubeconfig (client certificate or bearer
// token), a QPS/burst limit, retries, JSON bodies, and watch streams. A non-2xx
// answer becomes the Error its Status describes, so callers see the same
// reasons and messages the server sent.
//
// Not thread-safe: use it from one executor (a strand when the io_context has
// several threads).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/workqueue/rate_limiter.h"
#include "pki/kubeconfig.h"
#include "util/error.h"

namespace kcpp::client {

namespace json = boost::json;

struct ClientOptions {
  double qps = 50;  // kcpp's components default higher than client-go's 5
  int burst = 100;
  std::string userAgent = "kcpp";
  std::chrono::seconds timeout{30};  // per request (not for watches)
  int maxRetries = 10;               // of 429/503 with Retry-After, and of stale connections
  std::size_t maxIdleConnections = 8;
};

// Where an object or collection lives: /api/v1/... or /apis/<group>/<version>/...
struct ResourcePath {
  std::string group;
  std::string version;
  std::string resource;
  std::string ns;    // empty: cluster-scoped, or all namespaces for a list
  std::string name;  // empty: the collection
  std::string subresource;
  std::string query;  // without '?', e.g. "labelSelector=a%3Db"

  std::string target() const;
};

struct WatchEvent {
  std::string type;  // ADDED MODIFIED DELETED BOOKMARK ERROR
  json::object object;
};

// One watch response, read event by event.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // The next event; nullopt when the server ended the stream (timeout). An ERROR
  // event (e.g. 410 Expired) is returned as an event, for the caller to decide.
  virtual boost::asio::awaitable<Result<std::optional<WatchEvent>>> next() = 0;
  // Ends the stream now: a pending next() fails.
  virtual void close() = 0;
};
using WatchStreamPtr = std::unique_ptr<WatchStream>;

class RestClient {
 public:
  static Result<std::unique_ptr<RestClient>> create(boost::asio::any_io_executor executor,
                                                    const pki::Kubeconfig& kubeconfig,
                                                    ClientOptions options = {});
  // Public for make_unique only: Private keeps construction inside create().
  struct Private {};
  RestClient(Private, boost::asio::any_io_executor executor, pki::Kubeconfig kubeconfig,
             ClientOptions options, std::unique_ptr<boost::asio::ssl::context> tls,
             std::string host, std::uint16_t port);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  boost::asio::awaitable<Result<json::object>> get(const ResourcePath& path);
  boost::asio::awaitable<Result<json::object>> create(const ResourcePath& path,
                                                      const json::object& obj);
  boost::asio::awaitable<Result<json::object>> update(const ResourcePath& path,
                                                      const json::object& obj);
  // contentType: application/merge-patch+json, application/json-patch+json or
  // application/strategic-merge-patch+json.
  boost::asio::awaitable<Result<json::object>> patch(const ResourcePath& path,
                                                     const std::string& contentType,
                                                     const std::string& body);
  // The deleted object, or the Status upstream answers for some kinds.
  boost::asio::awaitable<Result<json::object>> remove(const ResourcePath& path,
                                                      const json::object& deleteOptions);
  // A GET of path with watch=true added to its query.
  boost::asio::awaitable<Result<WatchStreamPtr>> watch(const ResourcePath& path);

  // Replaces the bearer token sent from the next request on (a rotated
  // service-account token).
  void setToken(std::string token) { kubeconfig_.token = std::move(token); }
  const pki::Kubeconfig& kubeconfig() const { return kubeconfig_; }

  // Any request: the decoded JSON body of a 2xx answer, else the Status as an Error.
  boost::asio::awaitable<Result<json::object>> request(const std::string& method,
                                                       const std::string& target,
                                                       const std::string& body,
                                                       const std::string& contentType);

  class Connection;

 private:
  boost::asio::awaitable<void> waitForToken();
  std::unique_ptr<Connection> takeConnection();
  void giveBack(std::unique_ptr<Connection> connection);

  boost::asio::any_io_executor executor_;
  pki::Kubeconfig kubeconfig_;
  ClientOptions options_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::string host_;
  std::uint16_t port_;
  BucketRateLimiter limiter_;
  std::vector<std::unique_ptr<Connection>> idle_;
};
using RestClientPtr = std::unique_ptr<RestClient>;

// The Error a non-2xx answer's body (a Status, or anything else) describes.
Error errorFromResponse(int httpStatus, const std::string& body);

}  // namespace kcpp::client
