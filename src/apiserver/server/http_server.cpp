#include "apiserver/server/http_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/pct_string_view.hpp>
#include <spdlog/spdlog.h>

#include "api/meta/status.h"
#include "apiserver/audit/auditor.h"
#include "pki/identity.h"

namespace kcpp::apiserver {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using asio::use_awaitable;

namespace {

// Counts a value up for the lifetime of a scope.
class ScopedCount {
 public:
  explicit ScopedCount(std::atomic<std::size_t>& n) : n_(n) { ++n_; }
  ~ScopedCount() { --n_; }
  ScopedCount(const ScopedCount&) = delete;
  ScopedCount& operator=(const ScopedCount&) = delete;

 private:
  std::atomic<std::size_t>& n_;
};

std::string headerValue(const http::request<http::string_body>& req, http::field f) {
  auto it = req.find(f);
  return it == req.end() ? "" : std::string(it->value());
}

std::string remoteAddress(Stream& stream) {
  beast::error_code ec;
  auto endpoint = beast::get_lowest_layer(stream).socket().remote_endpoint(ec);
  return ec ? "" : endpoint.address().to_string();
}

// Upstream's SourceIPs: the X-Forwarded-For chain, else X-Real-Ip, then the
// peer's address unless it is already the last one named.
std::vector<std::string> sourceIps(const http::request_header<>& req, const std::string& remote) {
  std::vector<std::string> ips;
  std::string_view forwarded = req["X-Forwarded-For"];
  while (!forwarded.empty()) {
    auto comma = forwarded.find(',');
    std::string_view ip = forwarded.substr(0, comma);
    while (!ip.empty() && ip.front() == ' ') ip.remove_prefix(1);
    while (!ip.empty() && ip.back() == ' ') ip.remove_suffix(1);
    if (!ip.empty()) ips.emplace_back(ip);
    forwarded = comma == std::string_view::npos ? "" : forwarded.substr(comma + 1);
  }
  if (ips.empty() && !req["X-Real-Ip"].empty()) ips.emplace_back(req["X-Real-Ip"]);
  if (!remote.empty() && (ips.empty() || ips.back() != remote)) ips.push_back(remote);
  return ips;
}

audit::RequestFacts requestFacts(std::string auditId, std::string_view target,
                                 std::vector<std::string> sourceIps, std::string_view userAgent,
                                 bool audited) {
  audit::RequestFacts facts;
  facts.auditId = std::move(auditId);
  if (facts.auditId.empty()) facts.auditId = audit::newUuid();
  if (!audited) return facts;
  facts.received = audit::Clock::now();
  facts.requestUri = std::string(target);
  facts.sourceIps = std::move(sourceIps);
  facts.userAgent = std::string(userAgent);
  return facts;
}

audit::RequestFacts requestFacts(const http::request_header<>& req, const std::string& remote,
                                 bool audited) {
  std::vector<std::string> ips = audited ? sourceIps(req, remote) : std::vector<std::string>{};
  return requestFacts(std::string(req["Audit-ID"]), req.target(), std::move(ips),
                      req[http::field::user_agent], audited);
}

// Long-running requests, which upstream's max-in-flight filter does not bound:
// watches, and the subresources streamed from kubelets.
bool isLongRunning(const ApiRequest& request) {
  auto it = request.query.find("watch");
  if (it != request.query.end() && (it->second == "true" || it->second == "1")) return true;
  const std::string subresource = parseRequestInfo(request.method, request.path, request.query).subresource;
  return subresource == "exec" || subresource == "attach" || subresource == "portforward" ||
         subresource == "proxy" || subresource == "log";
}

}  // namespace

// The connection handed to a handler that proxies an upgrade: bytes the
// HTTP parser already read come first.
class HijackedStream : public streaming::ByteStream {
 public:
  HijackedStream(Stream& stream, beast::flat_buffer* early) : stream_(stream), early_(early) {}

  asio::awaitable<std::size_t> readSome(std::span<char> into) override {
    if (early_ && early_->size() > 0) {
      std::size_t n = asio::buffer_copy(asio::buffer(into.data(), into.size()), early_->data());
      early_->consume(n);
      co_return n;
    }
    co_return co_await stream_.readSome(into);
  }
  asio::awaitable<bool> writeAll(std::string_view data) override { return stream_.writeAll(data); }
  void close() override { stream_.close(); }

 private:
  streaming::AsioByteStream<Stream&> stream_;
  beast::flat_buffer* early_;
};

// One connection: a ResponseSink over its TLS stream.
class HttpServer::Session : public ResponseSink {
 public:
  Session(Stream& stream, const HttpServerOptions& options, unsigned version, bool keepAlive,
          audit::RequestAudit& audit, beast::flat_buffer* buffer = nullptr)
      : stream_(stream), options_(options), version_(version), keepAlive_(keepAlive),
        audit_(audit), buffer_(buffer) {}

  bool keepAlive() const { return keepAlive_ && !failed_ && !hijacked_; }

  streaming::ByteStream* hijack() override {
    if (!hijacked_) {
      beast::get_lowest_layer(stream_).expires_never();
      audit_.streamStarted(101);
      hijacked_ = std::make_unique<HijackedStream>(stream_, buffer_);
    }
    return hijacked_.get();
  }

  asio::awaitable<void> respond(ApiResponse response) override {
    http::response<http::string_body> res{static_cast<http::status>(response.status), version_};
    res.set(http::field::content_type, response.contentType);
    res.set(http::field::cache_control, "no-cache, private");
    res.set("Audit-Id", audit_.id());
    for (auto& [k, v] : response.headers) res.set(k, v);
    audit_.responded(response.status, response.body,
                     response.contentType.starts_with("application/json"));
    res.keep_alive(keepAlive_);
    res.body() = std::move(response.body);
    res.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(options_.writeTimeout);
    beast::error_code ec;
    co_await http::async_write(stream_, res, asio::redirect_error(use_awaitable, ec));
    failed_ = failed_ || static_cast<bool>(ec);
  }

  asio::awaitable<bool> startStream(int status, std::string contentType) override {
    http::response<http::empty_body> res{static_cast<http::status>(status), version_};
    res.set(http::field::content_type, contentType);
    res.set(http::field::cache_control, "no-cache, private");
    res.set("Audit-Id", audit_.id());
    res.chunked(true);
    audit_.streamStarted(status);
    res.keep_alive(keepAlive_);
    http::response_serializer<http::empty_body> sr{res};
    beast::get_lowest_layer(stream_).expires_after(options_.writeTimeout);
    beast::error_code ec;
    co_await http::async_write_header(stream_, sr, asio::redirect_error(use_awaitable, ec));
    failed_ = failed_ || static_cast<bool>(ec);
    co_return !failed_;
  }

  asio::awaitable<bool> writeChunk(std::string data) override {
    if (failed_) co_return false;
    beast::get_lowest_layer(stream_).expires_after(options_.writeTimeout);
    beast::error_code ec;
    co_await asio::async_write(stream_, http::make_chunk(asio::buffer(data)),
                               asio::redirect_error(use_awaitable, ec));
    failed_ = failed_ || static_cast<bool>(ec);
    co_return !failed_;
  }

  asio::awaitable<void> endStream() override {
    if (failed_) co_return;
    beast::get_lowest_layer(stream_).expires_after(options_.writeTimeout);
    beast::error_code ec;
    co_await asio::async_write(stream_, http::make_chunk_last(),
                               asio::redirect_error(use_awaitable, ec));
    failed_ = failed_ || static_cast<bool>(ec);
  }

 private:
  Stream& stream_;
  const HttpServerOptions& options_;
  unsigned version_;
  bool keepAlive_;
  audit::RequestAudit& audit_;
  beast::flat_buffer* buffer_;
  std::unique_ptr<HijackedStream> hijacked_;
  bool failed_ = false;
};

HttpServer::HttpServer(asio::io_context& io, asio::ssl::context& tls, HttpServerOptions options,
                       const Authenticator& authenticator, ApiHandler& handler)
    : io_(io),
      tls_(tls),
      options_(std::move(options)),
      authenticator_(authenticator),
      handler_(handler),
      acceptor_(io),
      limiter_(options_.maxRequestsInFlight, options_.maxInFlightWait) {}

HttpServer::~HttpServer() = default;

Result<void> HttpServer::listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.bindAddress, ec);
  if (ec) return makeError(Reason::InternalError, "invalid bind address " + options_.bindAddress);
  tcp::endpoint endpoint{address, options_.port};
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return makeError(Reason::InternalError, "listen on " + options_.bindAddress + ":" +
                                                std::to_string(options_.port) + ": " + ec.message());
  }
  return {};
}

std::uint16_t HttpServer::port() const { return acceptor_.local_endpoint().port(); }

void HttpServer::start() { asio::co_spawn(io_, acceptLoop(), asio::detached); }

// 413 for a body over the limit. The client is usually still sending it, so
// after answering we read and drop what it declared (bounded) before closing:
// closing with unread data would reset the connection and lose the answer.
static asio::awaitable<void> rejectTooLarge(Stream& stream, const HttpServerOptions& options,
                                            unsigned version, std::uint64_t declared,
                                            audit::RequestAudit& audit) {
  Error e = makeError(Reason::RequestEntityTooLarge,
                      "Request entity too large: limit is " + std::to_string(options.bodyLimit));
  HttpServer::Session closing(stream, options, version, false, audit);
  co_await closing.respond(errorResponse(e));
  std::uint64_t toDrain = std::min<std::uint64_t>(declared, 16 * options.bodyLimit);
  std::vector<char> sink(64 * 1024);
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  while (toDrain > 0 && !ec) {
    std::size_t n = co_await stream.async_read_some(asio::buffer(sink),
                                                    asio::redirect_error(use_awaitable, ec));
    toDrain -= std::min<std::uint64_t>(toDrain, n);
  }
}

// The path as upstream routes it: percent-decoded, as Go's URL.Path (so
// "configmaps/%2e%2e" names "..", and "a%2Fb" is two segments); nullopt for an
// invalid escape.
static std::optional<std::string> decodedPath(std::string_view target) {
  auto raw = boost::urls::make_pct_string_view(target.substr(0, target.find('?')));
  if (!raw) return std::nullopt;
  return raw->decode();
}

static QueryParams queryOf(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? QueryParams{} : parseQuery(target.substr(q + 1));
}

// A request the HTTP parser refused (bad method, header name or value, ...), as
// opposed to a connection that ended or timed out.
static bool isMalformed(const beast::error_code& ec) {
  return ec && ec.category() == beast::error_code(http::error::bad_value).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// What Go's server answers to a request it cannot parse, before closing.
static asio::awaitable<void> rejectUnparsable(Stream& stream, const HttpServerOptions& options,
                                              http::status status) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(false);
  res.body() = std::to_string(static_cast<int>(status)) + " " + std::string(res.reason());
  res.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(options.writeTimeout);
  beast::error_code ec;
  co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
}

// The request as the handler takes it (the body is moved out of `req`).
static ApiRequest apiRequest(http::request<http::string_body>& req, std::string path) {
  ApiRequest request;
  request.method = std::string(req.method_string());
  request.path = std::move(path);
  request.query = queryOf(req.target());
  request.accept = headerValue(req, http::field::accept);
  request.contentType = headerValue(req, http::field::content_type);
  request.userAgent = headerValue(req, http::field::user_agent);
  request.body = std::move(req.body());
  auto q = req.target().find('?');
  if (q != std::string_view::npos) request.rawQuery = std::string(req.target().substr(q + 1));
  for (const auto& field : req) request.headers.emplace_back(field.name_string(), field.value());
  for (auto range = req.equal_range("Impersonate-Group"); range.first != range.second;
       ++range.first) {
    request.impersonateGroups.emplace_back(range.first->value());
  }
  if (auto it = req.find("Impersonate-User"); it != req.end()) request.impersonateUser = it->value();
  if (auto it = req.find("Impersonate-Uid"); it != req.end()) request.impersonateUid = it->value();
  return request;
}

// Starts the audit event once the user is known: public paths are served to
// anyone (upstream: as system:anonymous); other requests without a user fail
// authentication.
static void beginAudit(audit::RequestAudit& audit, std::string_view method, std::string_view target,
                       const std::string& path, const std::optional<UserInfo>& user) {
  if (!audit.active()) return;
  static const UserInfo anonymous{"system:anonymous", "", {"system:unauthenticated"}};
  RequestInfo info = parseRequestInfo(method, path, queryOf(target));
  const UserInfo* who = user ? &*user : isPublicPath(path) ? &anonymous : nullptr;
  audit.begin(who, info);
}

static void beginAudit(audit::RequestAudit& audit, const http::request_header<>& req,
                       const std::string& path, const std::optional<UserInfo>& user) {
  beginAudit(audit, req.method_string(), req.target(), path, user);
}

// The handler, once the request has an in-flight slot (waiting in line for one,
// up to a bound, then 429). Long-running requests take no slot, as upstream's
// max-in-flight filter exempts them; every request counts in `active`,
// which shutdown waits for.
static asio::awaitable<void> handleCounted(ApiHandler& handler, ApiRequest request, ResponseSink& sink,
                                           std::atomic<std::size_t>& active, InFlightLimiter& limiter) {
  ScopedCount counted(active);
  if (isLongRunning(request)) {
    co_await handler.handle(std::move(request), sink);
    co_return;
  }
  bool admitted = co_await limiter.acquire();
  if (!admitted) {
    Error e = makeError(Reason::TooManyRequests, "Too many requests, please try again later.");
    e.retryAfterSeconds = 1;
    co_await sink.respond(errorResponse(e));
    co_return;
  }
  InFlightSlot slot(limiter);
  co_await handler.handle(std::move(request), sink);
}

static asio::awaitable<void> runSession(Stream stream, const HttpServerOptions& options,
                                        const Authenticator& authenticator, ApiHandler& handler,
                                        const audit::Auditor* auditor,
                                        std::atomic<std::size_t>& inFlight, InFlightLimiter& limiter,
                                        const std::atomic<bool>& draining) {
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(options.handshakeTimeout);
  co_await stream.async_handshake(asio::ssl::stream_base::server,
                                  asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  Credentials credentials;
  if (auto identity = pki::peerIdentity(stream.native_handle()); !identity) {
    credentials.clientCertRejected = true;  // 401, never anonymous
  } else if (*identity) {
    credentials.verifiedClientCert = UserInfo{(*identity)->user, "", (*identity)->groups};
  }
  const std::string remote = auditor ? remoteAddress(stream) : "";
  beast::flat_buffer buffer;
  bool first = true;
  while (!draining) {
    http::request_parser<http::string_body> parser;
    // The body limit is set after the header: Beast would otherwise fail the
    // header read itself for a large Content-Length, leaving no way to answer 413.
    parser.body_limit(boost::none);
    parser.header_limit(static_cast<std::uint32_t>(options.headerLimit));
    beast::get_lowest_layer(stream).expires_after(first ? options.headerTimeout
                                                        : options.idleTimeout);
    first = false;
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(use_awaitable, ec));
    if (ec == http::error::header_limit) {
      co_await rejectUnparsable(stream, options, http::status::request_header_fields_too_large);
      break;
    }
    if (isMalformed(ec)) {
      co_await rejectUnparsable(stream, options, http::status::bad_request);
      break;
    }
    if (ec) break;
    auto path = decodedPath(parser.get().target());
    if (!path) {
      co_await rejectUnparsable(stream, options, http::status::bad_request);
      break;
    }
    audit::RequestAudit audit(auditor, requestFacts(parser.get(), remote, auditor != nullptr));
    credentials.authorizationHeader = parser.get()[http::field::authorization];
    std::optional<UserInfo> user = authenticator.authenticate(credentials);
    beast::get_lowest_layer(stream).expires_after(options.requestTimeout);
    auto declared = parser.content_length();
    bool tooLarge = declared && *declared > options.bodyLimit;
    parser.body_limit(options.bodyLimit);
    if (!parser.is_done() && !tooLarge) {
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    }
    auto& req = parser.get();
    if (tooLarge || ec == http::error::body_limit) {
      beginAudit(audit, req, *path, user);
      co_await rejectTooLarge(stream, options, req.version(), declared.value_or(0), audit);
      break;
    }
    if (ec) break;
    beginAudit(audit, req, *path, user);
    HttpServer::Session session(stream, options, req.version(), req.keep_alive() && !draining,
                                audit, &buffer);
    ApiRequest request = apiRequest(req, std::move(*path));
    request.user = std::move(user);
    request.audit = &audit;
    beast::get_lowest_layer(stream).expires_never();
    co_await handleCounted(handler, std::move(request), session, inFlight, limiter);
    audit.complete();
    if (!session.keepAlive()) break;
  }
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(asio::redirect_error(use_awaitable, ec));
}

asio::awaitable<void> HttpServer::acceptLoop() {
  while (acceptor_.is_open()) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(
        asio::make_strand(io_), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (!acceptor_.is_open()) break;
      continue;
    }
    if (connections_ >= options_.maxConnections) {
      socket.close(ec);  // over the bound: refuse rather than degrade everyone
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    ++connections_;
    asio::co_spawn(
        executor,
        [this, socket = std::move(socket)]() mutable -> asio::awaitable<void> {
          Stream stream(beast::tcp_stream(std::move(socket)), tls_);
          co_await runSession(std::move(stream), options_, authenticator_, handler_, auditor_,
                              inFlight_, limiter_, draining_);
        },
        [this](std::exception_ptr e) {
          --connections_;
          if (e) {
            try {
              std::rethrow_exception(e);
            } catch (const std::exception& ex) {
              spdlog::warn("connection ended with an exception: {}", ex.what());
            }
          }
        });
  }
}

namespace {

// Audits a local request's answer as Session does a connection's.
class AuditedSink : public ResponseSink {
 public:
  AuditedSink(ResponseSink& inner, audit::RequestAudit& audit) : inner_(inner), audit_(audit) {}

  asio::awaitable<void> respond(ApiResponse response) override {
    response.headers.emplace_back("Audit-Id", audit_.id());
    audit_.responded(response.status, response.body,
                     response.contentType.starts_with("application/json"));
    co_await inner_.respond(std::move(response));
  }
  asio::awaitable<bool> startStream(int status, std::string contentType) override {
    audit_.streamStarted(status);
    co_return co_await inner_.startStream(status, std::move(contentType));
  }
  asio::awaitable<bool> writeChunk(std::string data) override {
    co_return co_await inner_.writeChunk(std::move(data));
  }
  asio::awaitable<void> endStream() override { co_await inner_.endStream(); }
  streaming::ByteStream* hijack() override { return inner_.hijack(); }

 private:
  ResponseSink& inner_;
  audit::RequestAudit& audit_;
};

}  // namespace

asio::awaitable<void> HttpServer::serveLocal(LocalRequest local, ResponseSink& sink) {
  static const std::vector<std::string> loopbackSource{"127.0.0.1"};
  bool audited = auditor_ != nullptr;
  audit::RequestAudit audit(auditor_, requestFacts("", local.target, loopbackSource, local.userAgent,
                                                   audited));
  AuditedSink auditedSink(sink, audit);
  auto path = decodedPath(local.target);
  if (!path) {
    Error e = makeError(Reason::BadRequest, "invalid request path: " + local.target);
    co_await auditedSink.respond(errorResponse(e));
    co_return;
  }
  Credentials credentials;
  credentials.verifiedClientCert = std::move(local.verifiedClientCert);
  credentials.clientCertRejected = local.clientCertRejected;
  credentials.authorizationHeader = local.authorization;
  std::optional<UserInfo> user = authenticator_.authenticate(credentials);
  beginAudit(audit, local.method, local.target, *path, user);
  ApiRequest request;
  request.method = std::move(local.method);
  request.path = std::move(*path);
  request.query = queryOf(local.target);
  request.accept = "application/json";
  request.contentType = std::move(local.contentType);
  request.userAgent = std::move(local.userAgent);
  request.body = std::move(local.body);
  request.user = std::move(user);
  request.audit = &audit;
  if (draining_) {
    Error e = makeError(Reason::ServiceUnavailable, "the server is shutting down");
    co_await auditedSink.respond(errorResponse(e));
  } else {
    co_await handleCounted(handler_, std::move(request), auditedSink, inFlight_, limiter_);
  }
  audit.complete();
}

asio::awaitable<void> HttpServer::shutdown(std::chrono::seconds grace) {
  draining_ = true;
  handler_.stopWatches();
  beast::error_code ec;
  acceptor_.close(ec);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto deadline = std::chrono::steady_clock::now() + grace;
  // Connections idle in keep-alive close at their next timeout; requests in
  // flight are what must finish.
  while (inFlight_ > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

}  // namespace kcpp::apiserver
