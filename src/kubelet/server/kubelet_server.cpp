#include "kubelet/server/kubelet_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <spdlog/spdlog.h>

#include "kubelet/server/kubelet_routes.h"
#include "pki/identity.h"

namespace kcpp::kubelet::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

KubeletServer::KubeletServer(asio::io_context& io, asio::ssl::context& tls, KubeletServerOptions options,
                             KubeletAuth& auth, PodLookup& pods, ContainerStreamer& streamer)
    : io_(io), tls_(tls), options_(std::move(options)), auth_(auth), pods_(pods), streamer_(streamer),
      acceptor_(io) {}

KubeletServer::~KubeletServer() = default;

Result<void> KubeletServer::listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.bindAddress, ec);
  if (ec) return makeError(Reason::InternalError, "invalid bind address " + options_.bindAddress);
  tcp::endpoint endpoint{address, options_.port};
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return makeError(Reason::InternalError, "kubelet server: listen on " + options_.bindAddress + ":" +
                                                std::to_string(options_.port) + ": " + ec.message());
  }
  return {};
}

std::uint16_t KubeletServer::port() const { return acceptor_.local_endpoint().port(); }

void KubeletServer::start() { asio::co_spawn(io_, acceptLoop(), asio::detached); }

void KubeletServer::stop() {
  beast::error_code ec;
  acceptor_.close(ec);
}

namespace {

std::string bearerToken(std::string_view header) {
  constexpr std::string_view prefix = "Bearer ";
  if (header.size() <= prefix.size()) return "";
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return "";
    }
  }
  std::string token(header.substr(prefix.size()));
  while (!token.empty() && token.front() == ' ') token.erase(0, 1);
  return token;
}

}  // namespace

// One connection: authenticates and authorises each request, then hands it to
// the routes (which may take the connection over for an upgrade).
class KubeletServer::Session {
 public:
  Session(KubeletServer& server, tcp::socket socket)
      : server_(server), stream_(beast::tcp_stream(std::move(socket)), server.tls_) {}

  asio::awaitable<void> run() {
    beast::error_code ec;
    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.expires_after(server_.options_.handshakeTimeout);
    co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    std::optional<KubeletUser> certUser;
    bool certRejected = false;
    if (auto identity = pki::peerIdentity(stream_.native_handle()); !identity) {
      certRejected = true;
    } else if (*identity) {
      certUser = KubeletUser{(*identity)->user, "", (*identity)->groups};
    }
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(1024 * 1024);
      lowest.expires_after(server_.options_.idleTimeout);
      co_await http::async_read(stream_, buffer_, parser, asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      lowest.expires_never();
      ++server_.requests_;
      auto req = parser.release();
      RouteContext ctx{stream_, buffer_, req, server_.options_, server_.pods_, server_.streamer_,
                       server_.nodeStats_, server_.started_, server_.requests_};
      auto user = certUser;
      if (!user && !certRejected) {
        auto token = bearerToken(req[http::field::authorization]);
        if (!token.empty()) user = co_await server_.auth_.authenticateToken(token);
      }
      if (!user) {
        co_await respondText(ctx, 401, "Unauthorized");
        break;
      }
      auto target = splitTarget(req.target());
      auto attributes = kubeletAttributes(std::string(req.method_string()), target.path,
                                          server_.options_.nodeName);
      auto allowed = co_await server_.auth_.authorize(*user, attributes);
      if (!allowed) {
        co_await respondText(ctx, 403, allowed.error().message);
        if (!req.keep_alive()) break;
        continue;
      }
      bool keepAlive = co_await serveRoute(ctx, target);
      if (!keepAlive || !req.keep_alive()) break;
    }
    lowest.expires_after(std::chrono::seconds(2));
    co_await stream_.async_shutdown(asio::redirect_error(use_awaitable, ec));
  }

 private:
  KubeletServer& server_;
  TlsStream stream_;
  beast::flat_buffer buffer_;
};

asio::awaitable<void> KubeletServer::acceptLoop() {
  while (acceptor_.is_open()) {
    beast::error_code ec;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::make_strand(io_), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (!acceptor_.is_open()) break;
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(
        executor,
        [this, socket = std::move(socket)]() mutable -> asio::awaitable<void> {
          auto session = std::make_unique<Session>(*this, std::move(socket));
          co_await session->run();
        },
        [](std::exception_ptr e) {
          if (!e) return;
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            spdlog::warn("kubelet server: connection ended with an exception: {}", ex.what());
          }
        });
  }
}

}  // namespace kcpp::kubelet::server
