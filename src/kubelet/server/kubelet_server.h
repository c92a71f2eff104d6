#pragma once
// KubeletServer: the kubelet's HTTPS endpoint on its own port (upstream's
// :10250): /healthz, /pods, /containerLogs, /exec, /attach, /portForward,
// /metrics and /stats/summary. Every request is authenticated (client
// certificate from the cluster's client CA, or a bearer token through
// TokenReview) and authorised (SubjectAccessReview on nodes/<subresource>),
// as upstream's kubelet with webhook authn/authz. exec/attach/portForward
// are upgrades: WebSocket (channel protocols v1-v5; SPDY tunnelled in
// WebSocket for port-forward) or SPDY/3.1.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "kubelet/server/container_streamer.h"
#include "kubelet/server/kubelet_auth.h"
#include "kubelet/server/pod_lookup.h"
#include "util/error.h"

namespace kcpp::kubelet::server {

struct KubeletServerOptions {
  std::string bindAddress = "0.0.0.0";
  std::uint16_t port = 10250;  // 0: any free port
  std::string nodeName;
  // Container logs: <logDir>/pods/<ns>_<name>_<uid>/<container>/<restart>.log
  std::filesystem::path logDir;
  // How long an exec/attach waits for the client's streams (upstream's
  // --streaming-connection-idle-timeout governs idleness; creation is 30 s).
  std::chrono::milliseconds streamCreationTimeout{30000};
  std::chrono::milliseconds logPollInterval{200};
  std::chrono::seconds handshakeTimeout{10};
  std::chrono::seconds idleTimeout{120};
};

// What /metrics and /stats/summary report; filled by whoever knows (the
// kubelet's cgroup or CRI stats). Unset: the server reports only its own.
struct NodeStats {
  std::uint64_t cpuUsageNanoCores = 0;
  std::uint64_t cpuUsageCoreNanoSeconds = 0;
  std::uint64_t memoryWorkingSetBytes = 0;
  std::uint64_t memoryUsageBytes = 0;
};
using NodeStatsSource = std::function<NodeStats()>;

class KubeletServer {
 public:
  KubeletServer(boost::asio::io_context& io, boost::asio::ssl::context& tls,
                KubeletServerOptions options, KubeletAuth& auth, PodLookup& pods,
                ContainerStreamer& streamer);
  ~KubeletServer();

  void setNodeStats(NodeStatsSource source) { nodeStats_ = std::move(source); }

  Result<void> listen();
  std::uint16_t port() const;
  void start();
  void stop();

  class Session;

 private:
  boost::asio::awaitable<void> acceptLoop();

  boost::asio::io_context& io_;
  boost::asio::ssl::context& tls_;
  KubeletServerOptions options_;
  KubeletAuth& auth_;
  PodLookup& pods_;
  ContainerStreamer& streamer_;
  NodeStatsSource nodeStats_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace kcpp::kubelet::server
