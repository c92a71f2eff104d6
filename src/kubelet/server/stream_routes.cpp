// exec, attach and portForward: the client's upgrade (WebSocket with the
// channel protocols or the SPDY tunnel, else SPDY/3.1) and the session run
// on the connection it leaves.
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "kubelet/server/kubelet_routes.h"
#include "streaming/channel_protocol.h"
#include "streaming/command_streams.h"
#include "streaming/message_transport.h"
#include "streaming/portforward.h"
#include "streaming/spdy_connection.h"

namespace kcpp::kubelet::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;

namespace {

using WebSocket = websocket::stream<TlsStream&>;

const std::vector<std::string_view> kExecWebSocketProtocols = {
    streaming::kChannelV5, streaming::kChannelV4, streaming::kChannelV3, streaming::kChannelV2,
    streaming::kChannel, streaming::kBase64Channel};
const std::vector<std::string_view> kExecSpdyProtocols = {streaming::kChannelV5, streaming::kChannelV4};

bool containsToken(std::string_view header, std::string_view token) {
  for (const auto& t : streaming::splitProtocols(header)) {
    if (beast::iequals(t, token)) return true;
  }
  return false;
}

bool isWebSocketUpgrade(const HttpRequest& req) {
  return containsToken(req[http::field::connection], "upgrade") &&
         beast::iequals(req[http::field::upgrade], "websocket");
}

bool isSpdyUpgrade(const HttpRequest& req) {
  return containsToken(req[http::field::connection], "upgrade") &&
         beast::iequals(req[http::field::upgrade], "SPDY/3.1");
}

std::string joined(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + v[i];
  return s + "]";
}

std::string joinedViews(const std::vector<std::string_view>& v) {
  std::vector<std::string> s(v.begin(), v.end());
  return joined(s);
}

// X-Stream-Protocol-Version values (repeated headers, or comma-separated).
std::vector<std::string> offeredStreamProtocols(const HttpRequest& req) {
  std::vector<std::string> offered;
  for (auto [it, end] = req.equal_range(streaming::kStreamProtocolHeader); it != end; ++it) {
    for (auto& p : streaming::splitProtocols(it->value())) offered.push_back(std::move(p));
  }
  return offered;
}

std::optional<std::string> pickProtocol(const std::vector<std::string>& offered,
                                        const std::vector<std::string_view>& supported) {
  for (const auto& o : offered) {
    for (auto s : supported) {
      if (o == s) return o;
    }
  }
  return std::nullopt;
}

// 101 Switching Protocols to SPDY/3.1 with the chosen stream protocol.
asio::awaitable<bool> acceptSpdy(RouteContext& ctx, const std::string& protocol) {
  http::response<http::empty_body> res{http::status::switching_protocols, ctx.request.version()};
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::upgrade, "SPDY/3.1");
  res.set(streaming::kStreamProtocolHeader, protocol);
  beast::error_code ec;
  co_await http::async_write(ctx.stream, res, asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

asio::awaitable<bool> acceptWebSocket(WebSocket& ws, RouteContext& ctx, const std::string& protocol) {
  ws.set_option(websocket::stream_base::decorator([protocol](websocket::response_type& res) {
    if (!protocol.empty()) res.set(http::field::sec_websocket_protocol, protocol);
  }));
  ws.read_message_max(64 * 1024 * 1024);
  beast::error_code ec;
  co_await ws.async_accept(ctx.request, asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

Result<streaming::CommandOptions> commandOptions(const Target& target, bool attach) {
  streaming::CommandOptions o;
  auto flag = [&target](const std::string& key) {
    auto value = target.first(key);
    return value.has_value() && *value == "1";
  };
  o.tty = flag("tty");
  o.stdin = flag("input");
  o.stdout = flag("output");
  const bool wantsStderr = flag("error");

  o.stderr = wantsStderr && !o.tty;
  if (!o.stdin && !o.stdout && !o.stderr) {
    return makeError(Reason::BadRequest, "you must specify at least 1 of stdin, stdout, stderr");
  }
  if (!attach) o.command = target.all("command");
  return o;
}

asio::awaitable<Result<streaming::RunningCommandPtr>> startCommand(RouteContext& ctx, bool attach,
                                                                    const json::object& pod,
                                                                    const std::string& container,
                                                                    const streaming::CommandOptions& o) {
  if (attach) co_return co_await ctx.streamer.attach(pod, container, o);
  co_return co_await ctx.streamer.exec(pod, container, o);
}

asio::awaitable<void> execOverWebSocket(RouteContext& ctx, bool attach, const json::object& pod,
                                        const std::string& container, const streaming::CommandOptions& o) {
  auto offered = streaming::splitProtocols(ctx.request[http::field::sec_websocket_protocol]);
  auto protocol = streaming::negotiateChannelProtocol(offered, kExecWebSocketProtocols);
  if (!protocol) {
    co_return co_await respondText(ctx, 400, "unable to upgrade: unable to negotiate protocol: client supports " +
                                                 joined(offered) + ", server supports " +
                                                 joinedViews(kExecWebSocketProtocols));
  }
  WebSocket ws(ctx.stream);
  if (!co_await acceptWebSocket(ws, ctx, protocol->name)) co_return;
  auto executor = co_await asio::this_coro::executor;
  streaming::WebSocketTransport<WebSocket> transport(
      ws, protocol->encoding == streaming::ChannelEncoding::Binary);
  streaming::ChannelCommandStreams streams(transport, *protocol, executor);
  auto command = co_await startCommand(ctx, attach, pod, container, o);
  if (!command) {
    co_await (streams.readLoop() && streams.finish(streaming::errorStatus(command.error().message)));
    co_return;
  }
  co_await (streams.readLoop() && streaming::pumpCommand(streams, **command, o));
}

asio::awaitable<void> execOverSpdy(RouteContext& ctx, bool attach, const json::object& pod,
                                   const std::string& container, const streaming::CommandOptions& o) {
  auto offered = offeredStreamProtocols(ctx.request);
  auto protocol = pickProtocol(offered, kExecSpdyProtocols);
  if (!protocol) {
    co_return co_await respondText(ctx, 403, "unable to upgrade: unable to negotiate protocol: client supports " +
                                                 joined(offered) + ", server supports " +
                                                 joinedViews(kExecSpdyProtocols));
  }
  if (!co_await acceptSpdy(ctx, *protocol)) co_return;
  auto executor = co_await asio::this_coro::executor;
  streaming::AsioByteStream<TlsStream&> bytes(ctx.stream);
  streaming::spdy::SpdyConnection connection(bytes, executor);
  auto session = [&]() -> asio::awaitable<void> {
    auto streams = co_await streaming::acceptSpdyCommandStreams(connection, o, ctx.options.streamCreationTimeout);
    if (!streams) {
      connection.close();
      co_return;
    }
    auto command = co_await startCommand(ctx, attach, pod, container, o);
    if (!command) {
      co_await (*streams)->finish(streaming::errorStatus(command.error().message));
      co_return;
    }
    co_await streaming::pumpCommand(**streams, **command, o);
  };
  co_await (connection.run() && session());
}

std::string podField(const json::object& pod, const char* path) {
  auto* v = api::findPath(pod, path);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

}  // namespace

asio::awaitable<void> serveExecOrAttach(RouteContext& ctx, const Target& target, bool attach,
                                        const json::object& pod, const std::string& container) {
  auto options = commandOptions(target, attach);
  if (!options) co_return co_await respondText(ctx, 400, options.error().message);
  if (isWebSocketUpgrade(ctx.request)) {
    co_return co_await execOverWebSocket(ctx, attach, pod, container, *options);
  }
  if (isSpdyUpgrade(ctx.request)) co_return co_await execOverSpdy(ctx, attach, pod, container, *options);
  co_await respondText(ctx, 400, "unable to upgrade: missing upgrade headers in request");
}

asio::awaitable<void> servePortForwardRequest(RouteContext& ctx, const json::object& pod) {
  auto dialer = ctx.streamer.portDialer(pod);
  if (!dialer) co_return co_await respondText(ctx, 500, dialer.error().message);
  auto executor = co_await asio::this_coro::executor;
  const std::string name = podField(pod, "metadata.name");
  const std::string uid = podField(pod, "metadata.uid");
  if (isWebSocketUpgrade(ctx.request)) {
    // kubectl 1.31+: SPDY tunnelled through WebSocket binary messages.
    auto offered = streaming::splitProtocols(ctx.request[http::field::sec_websocket_protocol]);
    auto protocol = pickProtocol(offered, {streaming::kSpdyTunnelPortForward});
    if (!protocol) {
      co_return co_await respondText(ctx, 400, "unable to upgrade: unable to negotiate protocol: client supports " +
                                                   joined(offered) + ", server supports [" +
                                                   std::string(streaming::kSpdyTunnelPortForward) + "]");
    }
    WebSocket ws(ctx.stream);
    if (!co_await acceptWebSocket(ws, ctx, *protocol)) co_return;
    streaming::WebSocketTransport<WebSocket> transport(ws, true);
    streaming::MessageByteStream bytes(transport);
    streaming::spdy::SpdyConnection connection(bytes, executor);
    co_await (connection.run() && streaming::servePortForward(connection, **dialer, name, uid));
    co_await transport.close();
    co_return;
  }
  if (!isSpdyUpgrade(ctx.request)) {
    co_return co_await respondText(ctx, 400, "unable to upgrade: missing upgrade headers in request");
  }
  auto offered = offeredStreamProtocols(ctx.request);
  auto protocol = pickProtocol(offered, {streaming::kPortForwardProtocol});
  if (!protocol) {
    co_return co_await respondText(ctx, 403, "unable to upgrade: unable to negotiate protocol: client supports " +
                                                 joined(offered) + ", server supports [" +
                                                 std::string(streaming::kPortForwardProtocol) + "]");
  }
  if (!co_await acceptSpdy(ctx, *protocol)) co_return;
  streaming::AsioByteStream<TlsStream&> bytes(ctx.stream);
  streaming::spdy::SpdyConnection connection(bytes, executor);
  co_await (connection.run() && streaming::servePortForward(connection, **dialer, name, uid));
}

}  // namespace kcpp::kubelet::server
