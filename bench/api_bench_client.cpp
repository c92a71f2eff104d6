#include "api_bench_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <limits>
#include <utility>
#include <vector>

#include "pki/tls_context.h"

namespace kcpp::bench {

namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr std::size_t kWatchChunk = 64 * 1024;
constexpr std::uint64_t kBodyLimit = std::uint64_t{1} << 31;

auto onError(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

template <class Request>
void setCommonHeaders(Request& req, const Endpoint& endpoint) {
  req.set(http::field::host, endpoint.host + ":" + std::to_string(endpoint.port));
  req.set(http::field::accept, "application/json");
  req.set(http::field::user_agent, "kcpp-api-bench");
  req.keep_alive(true);
}

// Hands every complete line of `pending` to onLine and keeps the incomplete rest.
bool deliverLines(std::string& pending, Connection::LineHandler& onLine) {
  std::size_t start = 0;
  for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
    if (!onLine(std::string_view(pending).substr(start, nl - start))) return false;
    start = nl + 1;
  }
  pending.erase(0, start);
  return true;
}

using WatchParser = http::response_parser<http::buffer_body>;

// Reads a watch body chunk by chunk. A non-200 answer's body becomes the error text.
template <class Stream>
asio::awaitable<std::string> readWatchBody(Stream& stream, beast::flat_buffer& buffer,
                                           WatchParser& parser, Connection::LineHandler& onLine,
                                           std::chrono::seconds idle) {
  const int status = parser.get().result_int();
  std::vector<char> chunk(kWatchChunk);
  std::string pending;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    beast::get_lowest_layer(stream).expires_after(idle);
    error_code ec;
    // read_some returns once some body arrived; async_read would wait for a full buffer.
    co_await http::async_read_some(stream, buffer, parser, onError(ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return "watch stream: " + ec.message();
    pending.append(chunk.data(), chunk.size() - parser.get().body().size);
    if (status == 200 && !deliverLines(pending, onLine)) co_return "";
  }
  if (status != 200) co_return "watch answered " + std::to_string(status) + ": " + pending;
  co_return "watch stream ended by the server";
}

}  // namespace

Result<TlsContextPtr> makeClientTls(const pki::Kubeconfig& config) {
  auto options = pki::clientTlsOptions(config);
  if (!options) return std::move(options).error();
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  if (auto ok = pki::configureClientTls(*tls, *options); !ok) return std::move(ok).error();
  return tls;
}

Result<TlsContextPtr> makeAnonymousClientTls(const pki::Kubeconfig& config) {
  auto options = pki::clientTlsOptions(config);
  if (!options) return std::move(options).error();
  options->certificatePem.clear();
  options->keyPem.clear();
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  if (auto ok = pki::configureClientTls(*tls, *options); !ok) return std::move(ok).error();
  return tls;
}

Connection::Connection(asio::any_io_executor executor, asio::ssl::context& tls,
                       Endpoint endpoint, std::chrono::seconds timeout)
    : executor_(std::move(executor)), tls_(tls), endpoint_(std::move(endpoint)),
      timeout_(timeout) {}

asio::awaitable<std::string> Connection::ensureConnected() {
  if (stream_) co_return "";
  auto stream = std::make_unique<Stream>(executor_, tls_);
  auto& tcp = beast::get_lowest_layer(*stream);
  error_code ec;
  auto address = asio::ip::make_address(endpoint_.host, ec);
  if (ec) co_return "bad address " + endpoint_.host;
  tcp.expires_after(timeout_);
  co_await tcp.async_connect(asio::ip::tcp::endpoint(address, endpoint_.port), onError(ec));
  if (ec) co_return "connect: " + ec.message();
  tcp.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  co_await stream->async_handshake(asio::ssl::stream_base::client, onError(ec));
  if (ec) co_return "TLS handshake: " + ec.message();
  stream_ = std::move(stream);
  buffer_.clear();
  co_return "";
}

asio::awaitable<Response> Connection::connect() {
  std::string error = co_await ensureConnected();
  co_return error.empty() ? Response{200, ""} : Response{0, std::move(error)};
}

asio::awaitable<Response> Connection::request(http::verb verb, std::string target,
                                              std::string body) {
  std::string error = co_await ensureConnected();
  if (!error.empty()) co_return Response{0, std::move(error)};
  http::request<http::string_body> req{verb, target, 11};
  setCommonHeaders(req, endpoint_);
  if (!authorization_.empty()) req.set(http::field::authorization, authorization_);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  beast::get_lowest_layer(*stream_).expires_after(timeout_);
  error_code ec;
  co_await http::async_write(*stream_, req, onError(ec));
  if (ec) {
    close();
    co_return Response{0, "write: " + ec.message()};
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  co_await http::async_read(*stream_, buffer_, parser, onError(ec));
  if (ec) {
    close();
    co_return Response{0, "read: " + ec.message()};
  }
  auto res = parser.release();
  if (!res.keep_alive()) close();
  co_return Response{static_cast<int>(res.result_int()), std::move(res.body())};
}

asio::awaitable<std::string> Connection::watch(std::string target,
                                               std::function<void()> onHeaders,
                                               LineHandler onLine, std::chrono::seconds idle) {
  std::string error = co_await ensureConnected();
  if (!error.empty()) co_return error;
  http::request<http::empty_body> req{http::verb::get, target, 11};
  setCommonHeaders(req, endpoint_);
  beast::get_lowest_layer(*stream_).expires_after(timeout_);
  error_code ec;
  co_await http::async_write(*stream_, req, onError(ec));
  if (ec) {
    close();
    co_return "watch write: " + ec.message();
  }
  WatchParser parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  co_await http::async_read_header(*stream_, buffer_, parser, onError(ec));
  if (ec) {
    close();
    co_return "watch header: " + ec.message();
  }
  if (parser.get().result_int() == 200) onHeaders();
  std::string result = co_await readWatchBody(*stream_, buffer_, parser, onLine, idle);
  close();  // a watch connection is not reused
  co_return result;
}

asio::awaitable<void> sleepFor(Clock::duration d) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> sleepUntil(Clock::time_point t) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, t);
  co_await timer.async_wait(asio::use_awaitable);
}

WaitGroup::WaitGroup(asio::any_io_executor executor) : timer_(std::move(executor)) {}

void WaitGroup::spawn(asio::awaitable<void> task) {
  ++pending_;
  asio::co_spawn(timer_.get_executor(), std::move(task), [this](std::exception_ptr e) {
    if (e && !error_) error_ = e;
    if (--pending_ == 0) timer_.cancel();
  });
}

asio::awaitable<void> WaitGroup::wait() {
  while (pending_ > 0) {
    timer_.expires_at(Clock::time_point::max());
    error_code ec;
    co_await timer_.async_wait(onError(ec));
  }
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

}  // namespace kcpp::bench
