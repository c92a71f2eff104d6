#include "pki/tls_context.h"

#include <arpa/inet.h>
#include <openssl/err.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/url/parse.hpp>

#include "pki/certificate_info.h"
#include "pki/cluster_pki.h"

namespace kcpp::pki {
namespace {

// ALPN wire format: length-prefixed protocol names.
constexpr unsigned char kHttp11Alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kSessionIdContext[] = {'k', 'c', 'p', 'p'};

int selectHttp11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                 unsigned int inlen, void*) {
  unsigned char* selected = nullptr;
  int result = SSL_select_next_proto(&selected, outlen, kHttp11Alpn, sizeof kHttp11Alpn, in, inlen);
  if (result != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_NOACK;  // go on without ALPN
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

Result<void> useKeyPair(SSL_CTX* ctx, X509* cert, EVP_PKEY* key) {
  if (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return openSslError("installing TLS certificate \"" + commonName(cert) + "\" and its key");
  }
  return {};
}

// Loads the client certificate (first PEM block, then any chain) and its key.
Result<void> useClientCertificate(SSL_CTX* ctx, const ClientTlsOptions& options) {
  auto chain = certificatesFromPem(options.certificatePem);
  if (!chain) return std::move(chain).error();
  auto key = privateKeyFromPem(options.keyPem);
  if (!key) return std::move(key).error();
  if (auto r = useKeyPair(ctx, chain->front().get(), key->get()); !r) return r;
  for (size_t i = 1; i < chain->size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, (*chain)[i].get()) != 1) return openSslError("adding TLS chain certificate");
  }
  return {};
}

Result<void> trustCertificates(SSL_CTX* ctx, const std::string& caPem) {
  if (caPem.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) return openSslError("loading the system trust store");
    return {};
  }
  auto cas = certificatesFromPem(caPem);
  if (!cas) return std::move(cas).error();
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const auto& ca : *cas) {
    if (X509_STORE_add_cert(store, ca.get()) != 1) return openSslError("adding a trusted CA");
  }
  return {};
}

Result<void> expectServerName(SSL_CTX* ctx, const std::string& name) {
  if (name.empty()) return {};
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  unsigned char ip[16];
  bool isIp = inet_pton(AF_INET, name.c_str(), ip) == 1 || inet_pton(AF_INET6, name.c_str(), ip) == 1;
  int ok = isIp ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  if (ok != 1) return openSslError("setting expected server name " + name);
  return {};
}

}  // namespace

Result<void> configureServerTls(SSL_CTX* ctx, const CertifiedKey& serving, X509* clientCa) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return openSslError("setting TLS 1.2 minimum");
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (auto r = useKeyPair(ctx, serving.cert.get(), serving.key.get()); !r) return r;
  if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), clientCa) != 1 ||
      SSL_CTX_add_client_CA(ctx, clientCa) != 1) {
    return openSslError("installing the client CA");
  }
  // Resumed sessions keep their verified peer; OpenSSL requires a context id for that.
  if (SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext) != 1) {
    return openSslError("setting the TLS session id context");
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_alpn_select_cb(ctx, selectHttp11, nullptr);
  return {};
}

Result<void> configureServerTls(boost::asio::ssl::context& ctx, const CertifiedKey& serving, X509* clientCa) {
  return configureServerTls(ctx.native_handle(), serving, clientCa);
}

Result<void> configureServerTls(boost::asio::ssl::context& ctx, const ClusterPki& pki) {
  return configureServerTls(ctx.native_handle(), pki.serving(), pki.clientCa().cert.get());
}

Result<void> configureClientTls(SSL_CTX* ctx, const ClientTlsOptions& options) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return openSslError("setting TLS 1.2 minimum");
  if (SSL_CTX_set_alpn_protos(ctx, kHttp11Alpn, sizeof kHttp11Alpn) != 0) return openSslError("setting ALPN");
  if (options.insecureSkipVerify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    if (auto r = trustCertificates(ctx, options.caPem); !r) return r;
    if (auto r = expectServerName(ctx, options.serverName); !r) return r;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  if (options.certificatePem.empty() && options.keyPem.empty()) return {};
  return useClientCertificate(ctx, options);
}

Result<void> configureClientTls(boost::asio::ssl::context& ctx, const ClientTlsOptions& options) {
  return configureClientTls(ctx.native_handle(), options);
}

Result<ClientTlsOptions> clientTlsOptions(const Kubeconfig& config) {
  ClientTlsOptions options;
  options.caPem = config.certificateAuthorityPem;
  options.certificatePem = config.clientCertificatePem;
  options.keyPem = config.clientKeyPem;
  options.insecureSkipVerify = config.insecureSkipTlsVerify;
  options.serverName = config.tlsServerName;
  if (options.serverName.empty()) {
    auto url = boost::urls::parse_uri(config.server);
    if (!url) return makeError(Reason::BadRequest, "invalid server URL \"" + config.server + "\"");
    options.serverName = url->host_address();
  }
  return options;
}

}  // namespace kcpp::pki
