// Real TLS handshakes between contexts configured from a ClusterPki, over an
// in-memory BIO pair (no sockets): the server side as the apiserver's listener, the
// client side as kcpp's client library.
#include "pki/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include "pki/certificate_info.h"
#include "pki/cluster_pki.h"
#include "pki/identity.h"
#include "pki/test_temp_dir.h"

namespace kcpp::pki {
namespace {

using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL, SSL_free>>;

struct Connection {
  SslPtr client;
  SslPtr server;
  bool established = false;
};

bool wantsMore(SSL* ssl, int rc) {
  int err = SSL_get_error(ssl, rc);
  return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
}

// Runs both ends of a handshake until both finish or one fails.
Connection handshake(SSL_CTX* clientCtx, SSL_CTX* serverCtx) {
  Connection c{SslPtr(SSL_new(clientCtx)), SslPtr(SSL_new(serverCtx))};
  BIO* clientBio = nullptr;
  BIO* serverBio = nullptr;
  KCPP_CHECK(BIO_new_bio_pair(&clientBio, 0, &serverBio, 0) == 1, "BIO_new_bio_pair failed");
  SSL_set_bio(c.client.get(), clientBio, clientBio);
  SSL_set_bio(c.server.get(), serverBio, serverBio);
  SSL_set_connect_state(c.client.get());
  SSL_set_accept_state(c.server.get());
  for (int round = 0; round < 50; ++round) {
    int rc = SSL_do_handshake(c.client.get());
    int rs = SSL_do_handshake(c.server.get());
    if (rc == 1 && rs == 1) {
      c.established = true;
      break;
    }
    if ((rc != 1 && !wantsMore(c.client.get(), rc)) || (rs != 1 && !wantsMore(c.server.get(), rs))) break;
  }
  ERR_clear_error();
  return c;
}

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = ClusterPki::loadOrCreate(dir_.path(), classifyAltNames({"127.0.0.1", "localhost"}));
    ASSERT_TRUE(pki.ok()) << pki.error().message;
    pki_ = std::make_unique<ClusterPki>(std::move(pki).value());
    ASSERT_TRUE(configureServerTls(serverCtx_.get(), pki_->serving(), pki_->clientCa().cert.get()).ok());
  }

  SslCtxPtr clientCtx(const ClientTlsOptions& options) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    auto r = configureClientTls(ctx.get(), options);
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
    return ctx;
  }

  ClientTlsOptions adminOptions() {
    auto options = clientTlsOptions(pki_->adminKubeconfig(6443));
    EXPECT_TRUE(options.ok());
    return std::move(options).value();
  }

  TempDir dir_;
  std::unique_ptr<ClusterPki> pki_;
  SslCtxPtr serverCtx_{SSL_CTX_new(TLS_server_method())};
};

TEST_F(TlsContextTest, AdminCertificateAuthenticatesAsSystemAdmin) {
  SslCtxPtr client = clientCtx(adminOptions());
  Connection c = handshake(client.get(), serverCtx_.get());
  ASSERT_TRUE(c.established);
  auto identity = peerIdentity(c.server.get());
  ASSERT_TRUE(identity.ok());
  ASSERT_TRUE(identity->has_value());
  EXPECT_EQ(**identity, (ClientIdentity{"system:admin", {"system:masters"}}));
  const unsigned char* alpn = nullptr;
  unsigned int alpnLen = 0;
  SSL_get0_alpn_selected(c.client.get(), &alpn, &alpnLen);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(alpn), alpnLen), "http/1.1");
  EXPECT_GE(SSL_version(c.client.get()), TLS1_2_VERSION);
}

TEST_F(TlsContextTest, NoClientCertificateStillConnectsAnonymously) {
  ClientTlsOptions options = adminOptions();
  options.certificatePem.clear();
  options.keyPem.clear();
  SslCtxPtr client = clientCtx(options);
  Connection c = handshake(client.get(), serverCtx_.get());
  ASSERT_TRUE(c.established);
  auto identity = peerIdentity(c.server.get());
  ASSERT_TRUE(identity.ok());
  EXPECT_FALSE(identity->has_value());
}

TEST_F(TlsContextTest, ClientCertificateFromAnotherCaFailsTheHandshake) {
  auto stranger = createSelfSignedCa("stranger");
  auto forged = issueCertificate({"system:admin", {"system:masters"}, {}, {ExtKeyUsage::ClientAuth}}, *stranger);
  ASSERT_TRUE(forged.ok());
  ClientTlsOptions options = adminOptions();
  options.certificatePem = certificateToPem(forged->cert.get());
  options.keyPem = privateKeyToPem(forged->key.get());
  SslCtxPtr client = clientCtx(options);
  EXPECT_FALSE(handshake(client.get(), serverCtx_.get()).established);
}

TEST_F(TlsContextTest, ServingCertificateIsNotAcceptedAsClientCertificate) {
  ClientTlsOptions options = adminOptions();
  options.certificatePem = certificateToPem(pki_->serving().cert.get());
  options.keyPem = privateKeyToPem(pki_->serving().key.get());
  SslCtxPtr client = clientCtx(options);
  EXPECT_FALSE(handshake(client.get(), serverCtx_.get()).established);
}

TEST_F(TlsContextTest, ClientChecksServerNameAndTrust) {
  ClientTlsOptions options = adminOptions();
  EXPECT_EQ(options.serverName, "127.0.0.1");
  options.serverName = "localhost";
  EXPECT_TRUE(handshake(clientCtx(options).get(), serverCtx_.get()).established);
  options.serverName = "example.com";
  EXPECT_FALSE(handshake(clientCtx(options).get(), serverCtx_.get()).established);
  options.serverName = "127.0.0.1";
  options.caPem = certificateToPem(pki_->clientCa().cert.get());  // the wrong CA
  EXPECT_FALSE(handshake(clientCtx(options).get(), serverCtx_.get()).established);
  options.insecureSkipVerify = true;
  EXPECT_TRUE(handshake(clientCtx(options).get(), serverCtx_.get()).established);
}

TEST_F(TlsContextTest, ServerRefusesTls11) {
  SslCtxPtr client = clientCtx(adminOptions());
  SSL_CTX_set_min_proto_version(client.get(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(client.get(), TLS1_1_VERSION);
  SSL_CTX_set_security_level(client.get(), 0);
  EXPECT_FALSE(handshake(client.get(), serverCtx_.get()).established);
}

TEST_F(TlsContextTest, AsioContextsConfigureFromPkiAndKubeconfig) {
  boost::asio::ssl::context server(boost::asio::ssl::context::tls_server);
  boost::asio::ssl::context client(boost::asio::ssl::context::tls_client);
  ASSERT_TRUE(configureServerTls(server, *pki_).ok());
  ASSERT_TRUE(configureClientTls(client, adminOptions()).ok());
  Connection c = handshake(client.native_handle(), server.native_handle());
  ASSERT_TRUE(c.established);
  EXPECT_EQ(SSL_get_verify_mode(c.server.get()), SSL_VERIFY_PEER);  // no FAIL_IF_NO_PEER_CERT
  EXPECT_EQ(commonName(SSL_get0_peer_certificate(c.client.get())), "kube-apiserver");
}

TEST(ClientTlsOptions, ServerNameFromUrlOrTlsServerName) {
  Kubeconfig config;
  config.server = "https://[::1]:6443";
  EXPECT_EQ(clientTlsOptions(config)->serverName, "::1");
  config.server = "https://api.example.com";
  EXPECT_EQ(clientTlsOptions(config)->serverName, "api.example.com");
  config.tlsServerName = "kubernetes";
  EXPECT_EQ(clientTlsOptions(config)->serverName, "kubernetes");
  config.tlsServerName.clear();
  config.server = "not a url";
  EXPECT_EQ(clientTlsOptions(config).error().reason, Reason::BadRequest);
}

TEST(ClientTlsOptions, BadClientKeyIsAnError) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  ClientTlsOptions options;
  options.insecureSkipVerify = true;
  options.certificatePem = "junk";
  options.keyPem = "junk";
  EXPECT_FALSE(configureClientTls(ctx.get(), options).ok());
}

}  // namespace
}  // namespace kcpp::pki
