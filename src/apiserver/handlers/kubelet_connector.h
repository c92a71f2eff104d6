#pragma once
// KubeletConnector: the API server's connections to kubelets (pods/log, exec,
// attach, portforward, nodes/proxy): TLS with the server's own client
// certificate (user kube-apiserver-kubelet-client, bound to
// system:kubelet-api-admin), verifying the kubelet's serving certificate
// against --kubelet-certificate-authority when given (else not, as upstream).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "util/error.h"

namespace kcpp::apiserver {

using KubeletStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using KubeletStreamPtr = std::unique_ptr<KubeletStream>;

struct KubeletEndpoint {
  std::string host;
  std::uint16_t port = 10250;
  std::string hostPort() const;  // "1.2.3.4:10250", "[::1]:10250"
};

class KubeletConnector {
 public:
  // `tls` is a client context already holding the client certificate and
  // the trust settings; not owned.
  KubeletConnector(boost::asio::ssl::context& tls, std::chrono::seconds dialTimeout)
      : tls_(tls), dialTimeout_(dialTimeout) {}

  // Connected and handshaken; the error reads as Go's ("dial tcp
  // 127.0.0.1:10250: connect: connection refused").
  boost::asio::awaitable<Result<KubeletStreamPtr>> connect(const KubeletEndpoint& endpoint);

 private:
  boost::asio::ssl::context& tls_;
  std::chrono::seconds dialTimeout_;
};

}  // namespace kcpp::apiserver
