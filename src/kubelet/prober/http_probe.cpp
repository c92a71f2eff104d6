#include "kubelet/prober/http_probe.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <optional>

namespace kcpp::kubelet::prober {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxBody = 10 * 1024;
constexpr int kMaxRedirects = 10;

struct Url {
  std::string scheme, host;
  int port = 0;
  std::string target;  // path and query as sent ("/" when empty)
  std::string text;    // as Go prints the URL
};

std::string hostPort(const std::string& host, int port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Url makeUrl(const std::string& scheme, const std::string& host, int port, const std::string& path) {
  Url u{scheme, host, port, path, ""};
  if (!u.target.empty() && u.target.front() != '/') u.target = "/" + u.target;
  u.text = scheme + "://" + hostPort(host, port) + u.target;
  if (u.target.empty()) u.target = "/";
  return u;
}

// Location: absolute ("http://h:p/x") or relative to `base` ("/x", "x").
Url resolveLocation(const Url& base, const std::string& location) {
  auto sep = location.find("://");
  if (sep == std::string::npos) {
    std::string path = location;
    if (path.empty() || path.front() != '/') {
      std::string dir = base.target.substr(0, base.target.rfind('/') + 1);
      path = dir + path;
    }
    return makeUrl(base.scheme, base.host, base.port, path);
  }
  std::string scheme = location.substr(0, sep);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  std::string rest = location.substr(sep + 3);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  int port = scheme == "https" ? 443 : 80;
  std::string host = authority;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = std::atoi(authority.c_str() + close + 2);
  } else if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = std::atoi(authority.c_str() + colon + 1);
  }
  return makeUrl(scheme, host, port, path);
}

// Go's net error text: "dial tcp 1.2.3.4:80: connect: connection refused".
std::string lowerFirst(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(s[0]));
  return s;
}

struct Response {
  int status = 0;
  std::string location;
  std::string body;
};

template <class Stream>
asio::awaitable<Response> exchange(Stream& stream, beast::tcp_stream& tcpLayer, const Url& url,
                                   const HttpGetTarget& target, steady_clock::time_point deadline) {
  http::request<http::empty_body> req{http::verb::get, url.target, 11};
  req.set(http::field::host, hostPort(url.host, url.port));
  bool userAgent = false, accept = false;
  for (const auto& [name, value] : target.headers) {
    if (beast::iequals(name, "host")) {
      req.set(http::field::host, value);
      continue;
    }
    userAgent = userAgent || beast::iequals(name, "user-agent");
    accept = accept || beast::iequals(name, "accept");
    req.insert(name, value);
  }
  if (!userAgent) req.set(http::field::user_agent, kProbeUserAgent);
  if (!accept) req.set(http::field::accept, "*/*");
  req.set(http::field::connection, "close");
  tcpLayer.expires_at(deadline);
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  tcpLayer.expires_at(deadline);
  co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
  Response out;
  out.status = static_cast<int>(parser.get().result_int());
  out.location = std::string(parser.get()[http::field::location]);
  // Read the body up to the limit; a longer or broken body is not an error.
  boost::system::error_code ec;
  while (!parser.is_done() && parser.get().body().size() < kMaxBody) {
    co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
  out.body = parser.get().body().substr(0, kMaxBody);
  co_return out;
}

asio::awaitable<Response> getOnce(const Url& url, const HttpGetTarget& target,
                                  steady_clock::time_point deadline) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  std::string service = std::to_string(url.port);
  auto endpoints = co_await resolver.async_resolve(url.host, service, asio::use_awaitable);
  beast::tcp_stream tcpStream(executor);
  tcpStream.expires_at(deadline);
  try {
    co_await tcpStream.async_connect(endpoints, asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    if (e.code() == beast::error::timeout) throw;
    throw std::runtime_error("dial tcp " + hostPort(url.host, url.port) + ": connect: " +
                             lowerFirst(e.code().message()));
  }
  if (url.scheme != "https") co_return co_await exchange(tcpStream, tcpStream, url, target, deadline);
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);  // upstream: InsecureSkipVerify
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcpStream), tls);
  SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  beast::get_lowest_layer(stream).expires_at(deadline);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  co_return co_await exchange(stream, beast::get_lowest_layer(stream), url, target, deadline);
}

}  // namespace

std::string goDuration(milliseconds d) {
  auto ms = d.count();
  if (ms == 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string s = std::to_string(ms / 1000);
  if (ms % 1000) {
    std::string frac = std::to_string(1000 + ms % 1000).substr(1);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    s += "." + frac;
  }
  return s + "s";
}

asio::awaitable<ProbeResult> httpProbe(HttpGetTarget target, milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  Url url = makeUrl(target.scheme, target.host, target.port, target.path);
  const std::string firstHost = url.host;
  const std::string firstText = url.text;
  for (int redirects = 0;; ++redirects) {
    std::optional<Response> response;
    std::string failure;
    try {
      response = co_await getOnce(url, target, deadline);
    } catch (const boost::system::system_error& e) {
      failure = e.code() == beast::error::timeout
                    ? "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
                    : lowerFirst(e.code().message());
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!response) co_return ProbeResult{Outcome::Failure, "Get \"" + url.text + "\": " + failure};
    bool redirect = response->status >= 300 && response->status < 400 && !response->location.empty() &&
                    response->status != 304;
    if (redirect) {
      Url next = resolveLocation(url, response->location);
      if (next.host == firstHost) {
        if (redirects + 1 >= kMaxRedirects) {
          co_return ProbeResult{Outcome::Failure,
                                "Get \"" + next.text + "\": stopped after 10 redirects"};
        }
        url = next;
        continue;
      }
    }
    if (response->status >= 200 && response->status < 400) {
      if (response->status >= 300) {
        co_return ProbeResult{Outcome::Warning,
                              "Probe terminated redirects, Response body: " + response->body};
      }
      co_return ProbeResult{Outcome::Success, response->body};
    }
    co_return ProbeResult{Outcome::Failure,
                          "HTTP probe failed with statuscode: " + std::to_string(response->status)};
  }
}

}  // namespace kcpp::kubelet::prober
