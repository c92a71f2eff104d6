#pragma once
// HttpServer: accepts TLS connections and runs one coroutine per connection
// (read → authenticate → ApiHandler → write, with keep-alive), as the Beast
// coroutine server example. It enforces the transport's limits: body size (413),
// header and idle timeouts, a bound on connections and on requests in flight
// (429), and drains in-flight requests on shutdown.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "apiserver/authn/authenticator.h"
#include "apiserver/handlers/api_handler.h"
#include "apiserver/server/in_flight_limiter.h"
#include "util/error.h"

namespace kcpp::apiserver {

namespace audit {
class Auditor;
}

struct HttpServerOptions {
  std::string bindAddress = "0.0.0.0";
  std::uint16_t port = 6443;  // 0: any free port
  std::size_t bodyLimit = 3 * 1024 * 1024;
  std::size_t headerLimit = 1024 * 1024;  // upstream's MaxHeaderBytes; over it: 431
  std::chrono::seconds handshakeTimeout{10};
  // To read a new connection's first request header (upstream's ReadHeaderTimeout).
  std::chrono::seconds headerTimeout{32};
  std::chrono::seconds requestTimeout{60};  // to read one request's body
  std::chrono::seconds idleTimeout{120};    // keep-alive connection with no request
  std::chrono::seconds writeTimeout{60};
  std::size_t maxConnections = 4096;
  std::size_t maxRequestsInFlight = 600;  // upstream: 400 reads + 200 writes
  // How long a request over that bound waits in line before it is refused (429).
  std::chrono::milliseconds maxInFlightWait{10000};
};

// A request from a component running in this process (the embedded
// controller-manager and scheduler), handed over in memory by the loopback
// transport (apiserver/loopback) instead of over a TLS connection.
struct LocalRequest {
  std::string method;
  std::string target;  // path and query, as on the wire
  std::string body;
  std::string contentType;
  std::string userAgent;
  std::string authorization;  // the Authorization header's value, if any
  // The identity of the client certificate the component's kubeconfig names,
  // verified against the cluster CA as the TLS layer would; unset: none.
  std::optional<UserInfo> verifiedClientCert;
  bool clientCertRejected = false;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, boost::asio::ssl::context& tls, HttpServerOptions options,
             const Authenticator& authenticator, ApiHandler& handler);
  ~HttpServer();

  // Audits every request with `auditor` (not owned); unset: no audit log, the
  // Audit-Id header is still answered.
  void setAuditor(const audit::Auditor* auditor) { auditor_ = auditor; }

  Result<void> listen();
  std::uint16_t port() const;
  void start();
  // Stops accepting, lets in-flight requests finish (watches end), and returns
  // when every connection closed or `grace` passed.
  boost::asio::awaitable<void> shutdown(std::chrono::seconds grace);

  // Serves a LocalRequest exactly as a request that arrived over HTTPS
  // (authentication, the in-flight limit, audit, the handler), answering
  // through `sink`. Call it on this server's io_context.
  boost::asio::awaitable<void> serveLocal(LocalRequest request, ResponseSink& sink);

  class Session;

 private:
  boost::asio::awaitable<void> acceptLoop();

  boost::asio::io_context& io_;
  boost::asio::ssl::context& tls_;
  HttpServerOptions options_;
  const Authenticator& authenticator_;
  ApiHandler& handler_;
  const audit::Auditor* auditor_ = nullptr;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> inFlight_{0};  // requests being handled, watches too
  InFlightLimiter limiter_;
  std::atomic<bool> draining_{false};
};

}  // namespace kcpp::apiserver
