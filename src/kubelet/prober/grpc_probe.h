#pragma once
// grpc probes (pkg/probe/grpc): grpc.health.v1.Health/Check over plain HTTP/2
// (no TLS, as upstream) with gRPC C++'s generic stub; the request and response
// messages are encoded by hand (two tiny protobufs), so no generated code.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

#include "kubelet/prober/probe_result.h"

namespace kcpp::kubelet::prober {

boost::asio::awaitable<ProbeResult> grpcProbe(std::string host, int port, std::string service,
                                              std::chrono::milliseconds timeout);

// HealthCheckRequest{service} and HealthCheckResponse.status on the wire.
std::string encodeHealthCheckRequest(const std::string& service);
// The status field (0 UNKNOWN, 1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN); -1 if malformed.
int decodeHealthCheckStatus(const std::string& bytes);
std::string encodeHealthCheckResponse(int status);

}  // namespace kcpp::kubelet::prober
