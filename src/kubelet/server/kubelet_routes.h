#pragma once
// The kubelet server's endpoints, each a function of one authorised request
// and the connection (which exec/attach/portForward take over).

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "kubelet/server/kubelet_server.h"

namespace kcpp::kubelet::server {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct RouteContext {
  TlsStream& stream;
  boost::beast::flat_buffer& buffer;
  HttpRequest& request;
  const KubeletServerOptions& options;
  PodLookup& pods;
  ContainerStreamer& streamer;
  const NodeStatsSource& nodeStats;
  std::chrono::steady_clock::time_point started;
  std::atomic<std::uint64_t>& requests;
};

// The decoded path and the query (every value of a repeated key kept).
struct Target {
  std::string path;
  std::multimap<std::string, std::string> query;
  std::optional<std::string> first(const std::string& key) const;
  std::vector<std::string> all(const std::string& key) const;
};
Target splitTarget(std::string_view target);

// Answers with a text body (what upstream's kubelet writes for errors).
boost::asio::awaitable<void> respondText(RouteContext& ctx, int status, std::string body,
                                         std::string contentType = "text/plain; charset=utf-8");
// Serves the request; false when the connection must end (taken over, or failed).
boost::asio::awaitable<bool> serveRoute(RouteContext& ctx, const Target& target);

// exec, attach (container set) and portForward: the upgrade to WebSocket or SPDY.
boost::asio::awaitable<void> serveExecOrAttach(RouteContext& ctx, const Target& target, bool attach,
                                               const boost::json::object& pod, const std::string& container);
boost::asio::awaitable<void> servePortForwardRequest(RouteContext& ctx, const boost::json::object& pod);

}  // namespace kcpp::kubelet::server
