#pragma once
// HttpsTransport: requests over HTTPS keep-alive connections to the server the
// kubeconfig names (a pool of idle connections, one request at a time each;
// a watch gets a connection of its own), with the kubeconfig's CA and client
// certificate.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "client/rest/transport.h"
#include "pki/kubeconfig.h"

namespace kcpp::client {

struct HttpsTransportOptions {
  std::chrono::seconds timeout{30};  // per request (not for watches)
  std::size_t maxIdleConnections = 8;
  int maxStaleRetries = 10;  // of kept-alive connections the server had closed
};

class HttpsTransport : public Transport {
 public:
  static Result<std::unique_ptr<HttpsTransport>> create(boost::asio::any_io_executor executor,
                                                        const pki::Kubeconfig& kubeconfig,
                                                        HttpsTransportOptions options);
  struct Private {};
  HttpsTransport(Private, boost::asio::any_io_executor executor,
                 std::unique_ptr<boost::asio::ssl::context> tls, std::string host, std::uint16_t port,
                 std::string serverName, HttpsTransportOptions options);
  ~HttpsTransport() override;

  boost::asio::awaitable<TransportAnswer> roundTrip(TransportRequest request) override;
  boost::asio::awaitable<Result<WatchStreamPtr>> watch(TransportRequest request) override;

  class Connection;

 private:
  std::unique_ptr<Connection> takeConnection();
  void giveBack(std::unique_ptr<Connection> connection);

  boost::asio::any_io_executor executor_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::string host_;
  std::uint16_t port_;
  std::string serverName_;
  HttpsTransportOptions options_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace kcpp::client
