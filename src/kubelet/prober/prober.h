#pragma once
// One probe run for one container (upstream's prober.runProbe): picks the
// handler (exec, httpGet, tcpSocket, grpc), resolves named ports against the
// container's ports and the host (podIP unless httpGet.host) and applies
// timeoutSeconds.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "kubelet/prober/probe_result.h"
#include "util/error.h"

namespace kcpp::kubelet::prober {

struct ExecResult {
  int exitCode = 0;
  std::string output;  // stdout and stderr
  bool timedOut = false;
};
// Runs a command in a container within a timeout: the kubelet wires it to
// cri::RuntimeService::execSync (ExecSyncRequest{container_id, cmd, timeout}).
using ExecFunction = std::function<boost::asio::awaitable<Result<ExecResult>>(
    const std::string& containerId, const std::vector<std::string>& command,
    std::chrono::milliseconds timeout)>;

struct ProbeTarget {
  const boost::json::object* container = nullptr;  // the container's spec (ports)
  std::string containerId;
  std::string podIp;
};

// `second` is how long one of the probe's seconds lasts (tests shorten it).
boost::asio::awaitable<ProbeResult> runProbe(const boost::json::object& probe,
                                             const ProbeTarget& target, const ExecFunction& exec,
                                             std::chrono::milliseconds second);

// extractPort: a number, a container port's name, or a number in a string.
Result<int> probePort(const boost::json::value* port, const boost::json::object& container);

}  // namespace kcpp::kubelet::prober
