#pragma once
// TLS contexts from the PKI, for servers and for kcpp's own clients.
//
// Server side, as kube-apiserver sets up its listener: the serving certificate and key,
// TLS 1.2 or newer, and client certificates requested and verified against the client
// CA but not required (SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT), so a request
// without a certificate still reaches the server and gets its 401, or its /healthz.
// A certificate that does not verify fails the handshake. ALPN selects http/1.1.
//
// Only the .cpp includes Asio's SSL headers; callers that hold an asio::ssl::context
// include them themselves. The SSL_CTX* overloads need no Asio at all.

#include <openssl/ssl.h>

#include <string>

#include "pki/certificate.h"
#include "pki/kubeconfig.h"
#include "util/error.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace kcpp::pki {

class ClusterPki;

Result<void> configureServerTls(SSL_CTX* ctx, const CertifiedKey& serving, X509* clientCa);
Result<void> configureServerTls(boost::asio::ssl::context& ctx, const CertifiedKey& serving, X509* clientCa);
// The apiserver's: pki.serving() and pki.clientCa().
Result<void> configureServerTls(boost::asio::ssl::context& ctx, const ClusterPki& pki);

struct ClientTlsOptions {
  std::string caPem;           // trust anchors; empty: the system's default trust store
  std::string certificatePem;  // optional client certificate (a chain is fine), ...
  std::string keyPem;          // ... and its key
  std::string serverName;      // DNS name or IP the server certificate must name; "" skips it
  bool insecureSkipVerify = false;
};

// Client side: TLS 1.2+, server verification (unless insecureSkipVerify) and the client
// certificate. SNI is per connection: call SSL_set_tlsext_host_name on each stream.
Result<void> configureClientTls(SSL_CTX* ctx, const ClientTlsOptions& options);
Result<void> configureClientTls(boost::asio::ssl::context& ctx, const ClientTlsOptions& options);

// The TLS options a kubeconfig implies; the server name is its tls-server-name, else
// the host of its server URL. BadRequest if the server URL does not parse.
Result<ClientTlsOptions> clientTlsOptions(const Kubeconfig& config);

}  // namespace kcpp::pki
