#pragma once
// LoopbackTransport: the client::Transport of the components `kcpp server` runs
// inside itself (controller-manager, scheduler). Their requests are handed to
// HttpServer::serveLocal on the server's io_context, so they pass the same
// authentication, authorization, admission, limits and audit as any client's,
// but skip TLS, HTTP framing and the loopback socket: for the embedded
// controller-manager scaling a Deployment to 10,000 pods these were a third of
// the server's CPU, and each connection's buffers cost memory.
//
// Client certificates are checked as the TLS layer checks them: the kubeconfig's
// certificate must verify against the client CA; its identity is then the
// caller's, as for a TLS peer (no proof of key possession: the caller is this
// process). Bearer tokens go to the authenticators unchanged.
//
// Thread-safe: clients on several io_contexts may share one.

#include <boost/asio/io_context.hpp>

#include <map>
#include <mutex>
#include <string>

#include "apiserver/server/http_server.h"
#include "client/rest/transport.h"
#include "pki/certificate.h"

namespace kcpp::apiserver {

class LoopbackTransport : public client::Transport {
 public:
  // `server` serves on `serverIo`; `clientCa` is the CA its TLS layer trusts for
  // client certificates.
  LoopbackTransport(HttpServer& server, boost::asio::io_context& serverIo, pki::X509Ptr clientCa);

  boost::asio::awaitable<client::TransportAnswer> roundTrip(client::TransportRequest request) override;
  boost::asio::awaitable<Result<client::WatchStreamPtr>> watch(client::TransportRequest request) override;

 private:
  LocalRequest localRequest(client::TransportRequest request);
  // The verified identity of a PEM certificate (cached: components send the same one).
  std::optional<UserInfo> certificateUser(const std::string& pem, bool& rejected);

  HttpServer& server_;
  boost::asio::io_context& serverIo_;
  pki::X509Ptr clientCa_;
  std::mutex mutex_;
  struct CheckedCertificate {
    pki::X509Ptr cert;
    std::optional<UserInfo> user;  // nullopt: it did not verify
  };
  std::map<std::string, CheckedCertificate> certificates_;  // by PEM
};

}  // namespace kcpp::apiserver
