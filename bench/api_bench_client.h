#pragma once
// The API benchmark's HTTP side: one keep-alive HTTPS connection to the API server
// (one request at a time, reconnecting after the server closes), a watch reader that
// hands over one line per event, and small coroutine helpers. All of it runs on one
// single-threaded io_context.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pki/kubeconfig.h"
#include "util/error.h"

namespace kcpp::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

struct Response {
  int status = 0;     // HTTP status; 0 when the transport failed
  std::string body;   // the response body, or the transport error's message
  bool transportFailed() const { return status == 0; }
};

// A client TLS context trusting the kubeconfig's CA and presenting its client certificate.
using TlsContextPtr = std::unique_ptr<asio::ssl::context>;
Result<TlsContextPtr> makeClientTls(const pki::Kubeconfig& config);
// The same, trusting the kubeconfig's CA but presenting no client certificate.
Result<TlsContextPtr> makeAnonymousClientTls(const pki::Kubeconfig& config);

class Connection {
 public:
  Connection(asio::any_io_executor executor, asio::ssl::context& tls, Endpoint endpoint,
             std::chrono::seconds timeout = std::chrono::seconds(30));

  // One request; connects (TCP + TLS) first if there is no open connection.
  asio::awaitable<Response> request(beast::http::verb verb, std::string target,
                                    std::string body = {});

  // Connects now, so that a later request does not pay for the handshake.
  asio::awaitable<Response> connect();

  // A WATCH: GETs `target`, calls onHeaders once the 200 header arrived, then onLine
  // for each complete line until onLine returns false (ok, returns ""), the stream ends
  // or nothing arrives for `idle` (both return what happened).
  using LineHandler = std::function<bool(std::string_view)>;
  asio::awaitable<std::string> watch(std::string target, std::function<void()> onHeaders,
                                     LineHandler onLine, std::chrono::seconds idle);

  void close() { stream_.reset(); }
  // Sent as the Authorization header of every request (e.g. "Bearer <token>").
  void setAuthorization(std::string value) { authorization_ = std::move(value); }

 private:
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  asio::awaitable<std::string> ensureConnected();

  asio::any_io_executor executor_;
  asio::ssl::context& tls_;
  Endpoint endpoint_;
  std::chrono::seconds timeout_;
  std::unique_ptr<Stream> stream_;
  beast::flat_buffer buffer_;
  std::string authorization_;
};

using ConnectionPtr = std::unique_ptr<Connection>;

asio::awaitable<void> sleepFor(Clock::duration d);
asio::awaitable<void> sleepUntil(Clock::time_point t);

// Runs coroutines concurrently and waits for all of them (single-threaded io only).
class WaitGroup {
 public:
  explicit WaitGroup(asio::any_io_executor executor);
  void spawn(asio::awaitable<void> task);
  asio::awaitable<void> wait();

 private:
  asio::steady_timer timer_;
  int pending_ = 0;
  std::exception_ptr error_;
};

}  // namespace kcpp::bench
