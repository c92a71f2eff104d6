#pragma once
// tcpSocket probes (pkg/probe/tcp): success when a TCP connection to host:port
// opens within the timeout; the failure text is Go's dial error.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

#include "kubelet/prober/probe_result.h"

namespace kcpp::kubelet::prober {

boost::asio::awaitable<ProbeResult> tcpProbe(std::string host, int port,
                                             std::chrono::milliseconds timeout);

}  // namespace kcpp::kubelet::prober
