#include "apiserver/handlers/kubelet_connector.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cctype>

namespace kcpp::apiserver {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::use_awaitable;

std::string KubeletEndpoint::hostPort() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {
std::string lowerFirst(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}
}  // namespace

asio::awaitable<Result<KubeletStreamPtr>> KubeletConnector::connect(const KubeletEndpoint& endpoint) {
  auto executor = co_await asio::this_coro::executor;
  const std::string where = "dial tcp " + endpoint.hostPort() + ": ";
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(executor);
  auto results = co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                                                 asio::redirect_error(use_awaitable, ec));
  if (ec) co_return makeError(Reason::Unknown, where + "lookup " + endpoint.host + ": " + lowerFirst(ec.message()));
  auto stream = std::make_unique<KubeletStream>(executor, tls_);
  auto& tcp = beast::get_lowest_layer(*stream);
  tcp.expires_after(dialTimeout_);
  co_await tcp.async_connect(results, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return makeError(Reason::Unknown, where + "connect: " + lowerFirst(ec.message()));
  co_await stream->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return makeError(Reason::Unknown, "tls handshake with " + endpoint.hostPort() + ": " + ec.message());
  tcp.expires_never();
  co_return std::move(stream);
}

}  // namespace kcpp::apiserver
