#include "client/rest/rest_client.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
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
constexpr std::size_t kWatchChunk = 64 * 1024;

auto onError(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

Reason reasonNamed(std::string_view name, int code) {
  static const std::pair<const char*, Reason> names[] = {
      {"BadRequest", Reason::BadRequest},   {"Unauthorized", Reason::Unauthorized},
      {"Forbidden", Reason::Forbidden},     {"NotFound", Reason::NotFound},
      {"MethodNotAllowed", Reason::MethodNotAllowed},
      {"NotAcceptable", Reason::NotAcceptable},
      {"AlreadyExists", Reason::AlreadyExists}, {"Conflict", Reason::Conflict},
      {"Gone", Reason::Gone},               {"Expired", Reason::Expired},
      {"RequestEntityTooLarge", Reason::RequestEntityTooLarge},
      {"UnsupportedMediaType", Reason::UnsupportedMediaType},
      {"Invalid", Reason::Invalid},         {"TooManyRequests", Reason::TooManyRequests},
      {"InternalError", Reason::InternalError},
      {"ServiceUnavailable", Reason::ServiceUnavailable}, {"Timeout", Reason::Timeout}};
  for (const auto& [n, r] : names) {
    if (name == n) return r;
  }
  // No (known) reason: what the code alone says, as client-go's reasonForCode.
  switch (code) {
    case 400: return Reason::BadRequest;
    case 401: return Reason::Unauthorized;
    case 403: return Reason::Forbidden;
    case 404: return Reason::NotFound;
    case 405: return Reason::MethodNotAllowed;
    case 406: return Reason::NotAcceptable;
    case 409: return Reason::Conflict;
    case 410: return Reason::Gone;
    case 413: return Reason::RequestEntityTooLarge;
    case 415: return Reason::UnsupportedMediaType;
    case 422: return Reason::Invalid;
    case 429: return Reason::TooManyRequests;
    case 503: return Reason::ServiceUnavailable;
    case 504: return Reason::Timeout;
    default: return code >= 500 ? Reason::InternalError : Reason::Unknown;
  }
}

std::string stringField(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it != obj.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

struct Answer {
  int status = 0;  // 0: the transport failed (body says how)
  std::string body;
  std::optional<int> retryAfterSeconds;
};

}  // namespace

Error errorFromResponse(int httpStatus, const std::string& body) {
  error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object() || stringField(parsed.get_object(), "kind") != "Status") {
    Error e = makeError(reasonNamed("", httpStatus),
                        "the server answered " + std::to_string(httpStatus) + ": " + body.substr(0, 512));
    return e;
  }
  const json::object& status = parsed.get_object();
  Error e = makeError(reasonNamed(stringField(status, "reason"), httpStatus),
                      stringField(status, "message"));
  if (auto* details = status.if_contains("details"); details && details->is_object()) {
    const json::object& d = details->get_object();
    e.name = stringField(d, "name");
    e.group = stringField(d, "group");
    e.kind = stringField(d, "kind");
    if (auto* causes = d.if_contains("causes"); causes && causes->is_array()) {
      for (const auto& c : causes->get_array()) {
        if (!c.is_object()) continue;
        e.causes.push_back(Cause{stringField(c.get_object(), "reason"),
                                 stringField(c.get_object(), "message"),
                                 stringField(c.get_object(), "field")});
      }
    }
  }
  return e;
}

std::string ResourcePath::target() const {
  std::string out = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (!ns.empty() && !(group.empty() && resource == "namespaces")) out += "/namespaces/" + ns;
  out += "/" + resource;
  if (!name.empty()) out += "/" + name;
  if (!subresource.empty()) out += "/" + subresource;
  if (!query.empty()) out += "?" + query;
  return out;
}

// One keep-alive HTTPS connection.
class RestClient::Connection {
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

  asio::awaitable<Answer> receive(std::chrono::seconds timeout) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    beast::get_lowest_layer(stream_).expires_after(timeout);
    error_code ec;
    co_await http::async_read(stream_, buffer_, parser, onError(ec));
    if (ec) co_return Answer{0, "read: " + ec.message(), std::nullopt};
    auto res = parser.release();
    keepAlive_ = res.keep_alive();
    Answer answer{static_cast<int>(res.result_int()), std::move(res.body()), std::nullopt};
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
  HttpWatchStream(std::unique_ptr<RestClient::Connection> connection, std::unique_ptr<Parser> parser)
      : connection_(std::move(connection)), parser_(std::move(parser)), chunk_(kWatchChunk) {}

  asio::awaitable<Result<std::optional<WatchEvent>>> next() override {
    while (true) {
      if (auto nl = pending_.find('\n'); nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        if (line.empty()) continue;
        co_return decode(line);
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
      pending_.append(chunk_.data(), chunk_.size() - parser_->get().body().size);
    }
  }

  void close() override {
    error_code ec;
    beast::get_lowest_layer(connection_->stream()).socket().close(ec);
  }

 private:
  static Result<std::optional<WatchEvent>> decode(const std::string& line) {
    error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) {
      return makeError(Reason::InternalError, "watch stream: undecodable event: " + line.substr(0, 200));
    }
    json::object& event = v.get_object();
    WatchEvent out;
    out.type = stringField(event, "type");
    if (auto* obj = event.if_contains("object"); obj && obj->is_object()) {
      out.object = std::move(obj->get_object());
    }
    return std::optional<WatchEvent>(std::move(out));
  }

  std::unique_ptr<RestClient::Connection> connection_;
  std::unique_ptr<Parser> parser_;
  std::vector<char> chunk_;
  std::string pending_;
};

}  // namespace

Result<std::unique_ptr<RestClient>> RestClient::create(asio::any_io_executor executor,
                                                       const pki::Kubeconfig& kubeconfig,
                                                       ClientOptions options) {
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
  return std::make_unique<RestClient>(Private{}, std::move(executor), kubeconfig,
                                      std::move(options), std::move(tls), std::move(host), port);
}

RestClient::RestClient(Private, asio::any_io_executor executor, pki::Kubeconfig kubeconfig,
                       ClientOptions options, std::unique_ptr<asio::ssl::context> tls,
                       std::string host, std::uint16_t port)
    : executor_(std::move(executor)),
      kubeconfig_(std::move(kubeconfig)),
      options_(std::move(options)),
      tls_(std::move(tls)),
      host_(std::move(host)),
      port_(port),
      limiter_(options_.qps, options_.burst) {}

RestClient::~RestClient() = default;

std::unique_ptr<RestClient::Connection> RestClient::takeConnection() {
  if (idle_.empty()) return nullptr;
  auto connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void RestClient::giveBack(std::unique_ptr<Connection> connection) {
  if (connection->keepAlive() && idle_.size() < options_.maxIdleConnections) {
    idle_.push_back(std::move(connection));
  }
}

asio::awaitable<void> RestClient::waitForToken() {
  Clock::duration wait = limiter_.when("");
  if (wait <= Clock::duration::zero()) co_return;
  asio::steady_timer timer(executor_, wait);
  error_code ec;
  co_await timer.async_wait(onError(ec));
}

asio::awaitable<Result<json::object>> RestClient::request(const std::string& method,
                                                          const std::string& target,
                                                          const std::string& body,
                                                          const std::string& contentType) {
  auto tlsOptions = pki::clientTlsOptions(kubeconfig_);
  std::string serverName = tlsOptions ? tlsOptions->serverName : "";
  for (int attempt = 0;; ++attempt) {
    co_await waitForToken();
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host_ + ":" + std::to_string(port_));
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, options_.userAgent);
    if (!kubeconfig_.token.empty()) req.set(http::field::authorization, "Bearer " + kubeconfig_.token);
    if (!body.empty()) req.set(http::field::content_type, contentType);
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();

    std::unique_ptr<Connection> connection = takeConnection();
    if (!connection) {
      connection = std::make_unique<Connection>(executor_, *tls_);
      std::string failed = co_await connection->connect(host_, port_, serverName, options_.timeout);
      if (!failed.empty()) co_return makeError(Reason::ServiceUnavailable, failed);
    }
    bool reused = connection->used;
    connection->used = true;
    Answer answer;
    answer.body = co_await connection->send(req, options_.timeout);
    if (answer.body.empty()) answer = co_await connection->receive(options_.timeout);
    if (answer.status == 0) {
      // A kept-alive connection the server had already closed: try a fresh one.
      if (reused && attempt < options_.maxRetries) continue;
      co_return makeError(Reason::ServiceUnavailable, answer.body);
    }
    giveBack(std::move(connection));
    bool retryable = (answer.status == 429 || answer.status == 503) && answer.retryAfterSeconds;
    if (retryable && attempt < options_.maxRetries) {
      asio::steady_timer timer(executor_, std::chrono::seconds(std::max(1, *answer.retryAfterSeconds)));
      error_code ec;
      co_await timer.async_wait(onError(ec));
      continue;
    }
    if (answer.status < 200 || answer.status > 299) {
      co_return errorFromResponse(answer.status, answer.body);
    }
    error_code ec;
    json::value parsed = json::parse(answer.body, ec);
    if (ec || !parsed.is_object()) {
      co_return makeError(Reason::InternalError, "the server's answer is not a JSON object");
    }
    co_return std::move(parsed.get_object());
  }
}

asio::awaitable<Result<json::object>> RestClient::get(const ResourcePath& path) {
  co_return co_await request("GET", path.target(), "", "");
}

asio::awaitable<Result<json::object>> RestClient::create(const ResourcePath& path,
                                                         const json::object& obj) {
  co_return co_await request("POST", path.target(), json::serialize(obj), "application/json");
}

asio::awaitable<Result<json::object>> RestClient::update(const ResourcePath& path,
                                                         const json::object& obj) {
  co_return co_await request("PUT", path.target(), json::serialize(obj), "application/json");
}

asio::awaitable<Result<json::object>> RestClient::patch(const ResourcePath& path,
                                                        const std::string& contentType,
                                                        const std::string& body) {
  co_return co_await request("PATCH", path.target(), body, contentType);
}

asio::awaitable<Result<json::object>> RestClient::remove(const ResourcePath& path,
                                                         const json::object& deleteOptions) {
  std::string body = deleteOptions.empty() ? "" : json::serialize(deleteOptions);
  co_return co_await request("DELETE", path.target(), body, "application/json");
}

asio::awaitable<Result<WatchStreamPtr>> RestClient::watch(const ResourcePath& path) {
  ResourcePath watchPath = path;
  watchPath.query = watchPath.query.empty() ? "watch=true" : watchPath.query + "&watch=true";
  co_await waitForToken();
  auto tlsOptions = pki::clientTlsOptions(kubeconfig_);
  // A named variable: GCC 12 frees temporaries in co_await arguments twice.
  std::string serverName = tlsOptions ? tlsOptions->serverName : "";
  auto connection = std::make_unique<Connection>(executor_, *tls_);
  std::string failed =
      co_await connection->connect(host_, port_, serverName, options_.timeout);
  if (!failed.empty()) co_return makeError(Reason::ServiceUnavailable, failed);
  http::request<http::string_body> req{http::verb::get, watchPath.target(), 11};
  req.set(http::field::host, host_ + ":" + std::to_string(port_));
  req.set(http::field::accept, "application/json");
  req.set(http::field::user_agent, options_.userAgent);
  if (!kubeconfig_.token.empty()) req.set(http::field::authorization, "Bearer " + kubeconfig_.token);
  req.prepare_payload();
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
