#pragma once
// httpGet probes as upstream's pkg/probe/http: GET scheme://host:port/path with
// the probe's headers (plus User-Agent kube-probe/<version> and Accept */*
// unless given), TLS without verification for HTTPS, the whole exchange within
// the timeout. 200–399 is success; redirects to the same host are followed (up
// to 10), a redirect to another host ends the probe as a success with a warning.
// At most 10 KiB of the body is read.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>
#include <utility>
#include <vector>

#include "kubelet/prober/probe_result.h"

namespace kcpp::kubelet::prober {

inline constexpr const char* kProbeUserAgent = "kube-probe/1.33";

struct HttpGetTarget {
  std::string scheme = "http";  // "http" or "https" (lower case)
  std::string host;
  int port = 0;
  std::string path;  // may hold a query
  std::vector<std::pair<std::string, std::string>> headers;
};

boost::asio::awaitable<ProbeResult> httpProbe(HttpGetTarget target,
                                              std::chrono::milliseconds timeout);

}  // namespace kcpp::kubelet::prober
