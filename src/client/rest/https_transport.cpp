#include "client/rest/https_transport.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <limits>

#include "pki/tls_context.h"

namespace kcpp::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr std::uint64_t kBodyLimit = std::uint64_t{1} << 31;
constexpr std::size_t kWatchChunk = 16 * 1024;

auto onError(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

http::request<http::string_body> httpRequest(const TransportRequest& request, const std::string& host) {
  http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
  req.set(http::field::host, host);
  req.set(http::field::accept, "application/json");
  req.set(http::field::user_agent, request.userAgent);
  if (!request.bearerToken.empty()) req.set(http::field::authorization, "Bearer " + request.bearerToken);
  if (!request.body.empty()) req.set(http::field::content_type, request.contentType);
  req.body() = request.body;
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

}  // namespace

// One keep-alive HTTPS connection.
class HttpsTransport::Connection {
 public:
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  Connection(asio::any_io_executor executor, asio::ssl::context& tls)
      : stream_(executor, tls) {}

  asio::awaitable<std::string> connect(const std::string& host, std::uint16_t port,
                                       const std::string& serverName,
                                       std::chrono::seconds timeout) {
    auto& tcp = beast::get_lowest_layer(stream_);
    error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) co_return "the server address must be an IP address: " + host;
    tcp.expires_after(timeout);
    co_await tcp.async_connect(asio::ip::tcp::endpoint(address, port), onError(ec));
    if (ec) co_return "connect: " + ec.message();
    tcp.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    if (!serverName.empty()) SSL_set_tlsext_host_name(stream_.native_handle(), serverName.c_str());
    co_await stream_.async_handshake(asio::ssl::stream_base::client, onError(ec));
    if (ec) co_return "TLS handshake: " + ec.message();
    co_return "";
  }

  template <class Request>
  asio::awaitable<std::string> send(Request& req, std::chrono::seconds timeout) {
    beast::get_lowest_layer(stream_).expires_after(timeout);
    error_code ec;
    co_await http::async_write(stream_, req, onError(ec));
    co_return ec ? "write: " + ec.message() : "";
  }

  asio::awaitable<TransportAnswer> receive(std::chrono::seconds timeout) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    beast::get_lowest_layer(stream_).expires_after(timeout);
    error_code ec;
    co_await http::async_read(stream_, buffer_, parser, onError(ec));
    if (ec) co_return TransportAnswer{0, "read: " + ec.message(), std::nullopt};
    auto res = parser.release();
    keepAlive_ = res.keep_alive();
    TransportAnswer answer{static_cast<int>(res.result_int()), std::move(res.body()), std::nullopt};
    if (auto it = res.find(http::field::retry_after); it != res.end()) {
      try {
        answer.retryAfterSeconds = std::stoi(std::string(it->value()));
      } catch (const std::exception&) {
      }
    }
    co_return answer;
  }

  Stream& stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }
  bool keepAlive() const { return keepAlive_; }
  bool used = false;  // has carried a request (a failure may be a stale keep-alive)

 private:
  Stream stream_;
  beast::flat_buffer buffer_;
  bool keepAlive_ = true;
};

namespace {

// Reads a watch body as newline-delimited JSON events.
class HttpWatchStream : public WatchStream {
 public:
  using Parser = http::response_parser<http::buffer_body>;
  HttpWatchStream(std::unique_ptr<HttpsTransport::Connection> connection, std::unique_ptr<Parser> parser)
      : connection_(std::move(connection)), parser_(std::move(parser)), chunk_(kWatchChunk) {}

  asio::awaitable<Result<std::optional<WatchEvent>>> next() override {
    while (true) {
      if (auto event = lines_.next()) {
        if (!*event) co_return std::move(*event).error();
        co_return std::optional<WatchEvent>(std::move(**event));
      }
      if (parser_->is_done()) co_return std::optional<WatchEvent>{};
      parser_->get().body().data = chunk_.data();
      parser_->get().body().size = chunk_.size();
      // No deadline: a watch is idle between events; the server ends it.
      beast::get_lowest_layer(connection_->stream()).expires_never();
      error_code ec;
      co_await http::async_read_some(connection_->stream(), connection_->buffer(), *parser_,
                                     onError(ec));
      if (ec == http::error::need_buffer) ec = {};
      if (ec == http::error::end_of_stream || ec == asio::error::eof) {
        co_return std::optional<WatchEvent>{};
      }
      if (ec) co_return makeError(Reason::InternalError, "watch stream: " + ec.message());
      lines_.append(std::string_view(chunk_.data(), chunk_.size() - parser_->get().body().size));
    }
  }

  void close() override {
    error_code ec;
    beast::get_lowest_layer(connection_->stream()).socket().close(ec);
  }

 private:
  std::unique_ptr<HttpsTransport::Connection> connection_;
  std::unique_ptr<Parser> parser_;
  std::vector<char> chunk_;
  WatchLineDecoder lines_;
};

}  // namespace

Result<std::unique_ptr<HttpsTransport>> HttpsTransport::create(asio::any_io_executor executor,
                                                               const pki::Kubeconfig& kubeconfig,
                                                               HttpsTransportOptions options) {
  auto url = boost::urls::parse_absolute_uri(kubeconfig.server);
  if (!url || url->scheme() != "https" || url->host().empty()) {
    return makeError(Reason::BadRequest, "the kubeconfig's server must be an https:// URL: " +
                                             kubeconfig.server);
  }
  std::string host(url->host_address());
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  std::uint16_t port = url->has_port() ? url->port_number() : 443;
  auto tlsOptions = pki::clientTlsOptions(kubeconfig);
  if (!tlsOptions) return std::move(tlsOptions).error();
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  if (auto ok = pki::configureClientTls(*tls, *tlsOptions); !ok) return std::move(ok).error();
  return std::make_unique<HttpsTransport>(Private{}, std::move(executor), std::move(tls), std::move(host),
                                          port, tlsOptions->serverName, std::move(options));
}

HttpsTransport::HttpsTransport(Private, asio::any_io_executor executor,
                               std::unique_ptr<asio::ssl::context> tls, std::string host,
                               std::uint16_t port, std::string serverName, HttpsTransportOptions options)
    : executor_(std::move(executor)),
      tls_(std::move(tls)),
      host_(std::move(host)),
      port_(port),
      serverName_(std::move(serverName)),
      options_(std::move(options)) {}

HttpsTransport::~HttpsTransport() = default;

std::unique_ptr<HttpsTransport::Connection> HttpsTransport::takeConnection() {
  if (idle_.empty()) return nullptr;
  auto connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void HttpsTransport::giveBack(std::unique_ptr<Connection> connection) {
  if (connection->keepAlive() && idle_.size() < options_.maxIdleConnections) {
    idle_.push_back(std::move(connection));
  }
}

asio::awaitable<TransportAnswer> HttpsTransport::roundTrip(TransportRequest request) {
  std::string hostHeader = host_ + ":" + std::to_string(port_);
  for (int attempt = 0;; ++attempt) {
    auto req = httpRequest(request, hostHeader);
    std::unique_ptr<Connection> connection = takeConnection();
    if (!connection) {
      connection = std::make_unique<Connection>(executor_, *tls_);
      std::string failed = co_await connection->connect(host_, port_, serverName_, options_.timeout);
      if (!failed.empty()) co_return TransportAnswer{0, failed, std::nullopt};
    }
    bool reused = connection->used;
    connection->used = true;
    TransportAnswer answer;
    answer.body = co_await connection->send(req, options_.timeout);
    if (answer.body.empty()) answer = co_await connection->receive(options_.timeout);
    if (answer.status == 0) {
      // A kept-alive connection the server had already closed: try a fresh one.
      if (reused && attempt < options_.maxStaleRetries) continue;
      co_return answer;
    }
    giveBack(std::move(connection));
    co_return answer;
  }
}

asio::awaitable<Result<WatchStreamPtr>> HttpsTransport::watch(TransportRequest request) {
  auto connection = std::make_unique<Connection>(executor_, *tls_);
  std::string failed = co_await connection->connect(host_, port_, serverName_, options_.timeout);
  if (!failed.empty()) co_return makeError(Reason::ServiceUnavailable, failed);
  request.body.clear();
  auto req = httpRequest(request, host_ + ":" + std::to_string(port_));
  failed = co_await connection->send(req, options_.timeout);
  if (!failed.empty()) co_return makeError(Reason::ServiceUnavailable, failed);
  auto parser = std::make_unique<HttpWatchStream::Parser>();
  parser->body_limit(std::numeric_limits<std::uint64_t>::max());
  error_code ec;
  co_await http::async_read_header(connection->stream(), connection->buffer(), *parser, onError(ec));
  if (ec) co_return makeError(Reason::ServiceUnavailable, "watch: " + ec.message());
  int status = parser->get().result_int();
  if (status != 200) {
    // The error answer is an ordinary (short) body: read it whole.
    std::string body;
    std::vector<char> chunk(kWatchChunk);
    while (!parser->is_done()) {
      parser->get().body().data = chunk.data();
      parser->get().body().size = chunk.size();
      co_await http::async_read_some(connection->stream(), connection->buffer(), *parser, onError(ec));
      if (ec == http::error::need_buffer) ec = {};
      if (ec) break;
      body.append(chunk.data(), chunk.size() - parser->get().body().size);
    }
    co_return errorFromResponse(status, body);
  }
  co_return WatchStreamPtr(std::make_unique<HttpWatchStream>(std::move(connection), std::move(parser)));
}

}  // namespace kcpp::client
