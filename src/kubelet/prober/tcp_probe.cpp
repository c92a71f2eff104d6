#include "kubelet/prober/tcp_probe.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace kcpp::kubelet::prober {

namespace asio = boost::asio;
namespace beast = boost::beast;

asio::awaitable<ProbeResult> tcpProbe(std::string host, int port, std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  bool v6 = host.find(':') != std::string::npos;
  std::string address = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(executor);
  std::string service = std::to_string(port);
  auto endpoints = co_await resolver.async_resolve(host, service, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ProbeResult{Outcome::Failure, "dial tcp: lookup " + host + ": no such host"};
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout);
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return ProbeResult{Outcome::Failure, "dial tcp " + address + ": i/o timeout"};
  }
  if (ec) {
    std::string text = ec.message();
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(text[0]));
    co_return ProbeResult{Outcome::Failure, "dial tcp " + address + ": connect: " + text};
  }
  stream.close();
  co_return ProbeResult{Outcome::Success, ""};
}

}  // namespace kcpp::kubelet::prober
