#pragma once
// RestClient: how kcpp's components talk to the API server, as upstream's
// client-go rest client: credentials from a kubeconfig (client certificate or
// bearer token), a QPS/burst limit, retries of 429/503, JSON bodies, and watch
// streams, over a Transport (HTTPS keep-alive connections by default). A non-2xx
// answer becomes the Error its Status describes, so callers see the same
// reasons and messages the server sent.
//
// Not thread-safe: use it from one executor (a strand when the io_context has
// several threads).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/rest/transport.h"
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
  std::size_t maxIdleConnections = 8;  // of the HTTPS transport
  // Set: requests go through it (shared by the clients built from these options,
  // e.g. in-memory to the server this component runs in); unset: HTTPS to the
  // kubeconfig's server.
  std::shared_ptr<Transport> transport;
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

class RestClient {
 public:
  static Result<std::unique_ptr<RestClient>> create(boost::asio::any_io_executor executor,
                                                    const pki::Kubeconfig& kubeconfig,
                                                    ClientOptions options = {});
  // Public for make_unique only: Private keeps construction inside create().
  struct Private {};
  RestClient(Private, boost::asio::any_io_executor executor, pki::Kubeconfig kubeconfig,
             ClientOptions options, std::shared_ptr<Transport> transport);
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


 private:
  boost::asio::awaitable<void> waitForToken();
  TransportRequest transportRequest(std::string method, std::string target, std::string body,
                                    std::string contentType) const;

  boost::asio::any_io_executor executor_;
  pki::Kubeconfig kubeconfig_;
  ClientOptions options_;
  std::shared_ptr<Transport> transport_;
  BucketRateLimiter limiter_;
};
using RestClientPtr = std::unique_ptr<RestClient>;

}  // namespace kcpp::client
