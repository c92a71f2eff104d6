// Node TLS bootstrap against an in-process API server; the test plays the
// controller-manager (approves and signs, or denies).
#include "client/certbootstrap/cert_bootstrap.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <openssl/sha.h>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "pki/base64.h"
#include "pki/csr.h"

namespace kcpp::client::certbootstrap {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

class CertBootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    rest = std::move(*made);
  }

  // The controller-manager's part for the one request there is.
  void answer(bool approve) {
    ResourcePath csrs{"certificates.k8s.io", "v1", "certificatesigningrequests", "", "", "", ""};
    server.runFor(5s, [&] {
      auto list = server.await(rest->get(csrs));
      return list && !list->at("items").as_array().empty();
    });
    auto list = server.await(rest->get(csrs));
    ASSERT_TRUE(list.ok());
    json::object csr = list->at("items").as_array().at(0).as_object();
    csr["apiVersion"] = "certificates.k8s.io/v1";
    csr["kind"] = "CertificateSigningRequest";
    ResourcePath one = csrs;
    one.name = std::string(api::metaName(csr));
    auto request = pki::parseCsrPem(*pki::base64Decode(csr.at("spec").at("request").as_string()));
    ASSERT_TRUE(request.ok());
    EXPECT_EQ(request->commonName, "system:node:n1");
    EXPECT_EQ(request->organizations, std::vector<std::string>{"system:nodes"});
    EXPECT_EQ(csr.at("spec").at("signerName"), "kubernetes.io/kube-apiserver-client-kubelet");
    if (!approve) {
      csr["status"] = json::object{{"conditions", json::array{json::object{
                                       {"type", "Denied"}, {"status", "True"}, {"reason", "KubectlDeny"},
                                       {"message", "no"}}}}};
      one.subresource = "approval";
      ASSERT_TRUE(server.await(rest->update(one, csr)).ok());
      return;
    }
    auto ca = pki::createSelfSignedCa("signer");
    pki::CertificateSpec spec;
    spec.commonName = request->commonName;
    spec.organizations = request->organizations;
    spec.extKeyUsages = {pki::ExtKeyUsage::ClientAuth};
    auto cert = pki::issueCertificateForKey(spec, request->publicKey.get(), *ca);
    csr["status"] = json::object{{"certificate", pki::base64Encode(pki::certificateToPem(cert->get()))}};
    one.subresource = "status";
    ASSERT_TRUE(server.await(rest->update(one, csr)).ok());
  }

  asio::io_context io;
  testing::TestApiServer server{io, {"certificates.k8s.io/certificatesigningrequests"}};
  RestClientPtr rest;
};

TEST_F(CertBootstrapTest, WaitsForTheIssuedCertificateOfItsKey) {
  std::optional<Result<NodeCredentials>> result;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    result = co_await requestNodeCredentials(*rest, "n1", 10s);
  }, asio::detached);
  answer(true);
  server.runFor(5s, [&] { return result.has_value(); });
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok()) << result->error().message;
  auto cert = pki::certificateFromPem((*result)->certificatePem);
  auto key = pki::privateKeyFromPem((*result)->keyPem);
  ASSERT_TRUE(cert.ok() && key.ok());
  EXPECT_EQ(X509_check_private_key(cert->get(), key->get()), 1);  // the key it made
  EXPECT_TRUE((*result)->csrName.starts_with("node-csr-"));
}

TEST_F(CertBootstrapTest, DeniedIsAClearError) {
  std::optional<Result<NodeCredentials>> result;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    result = co_await requestNodeCredentials(*rest, "n1", 10s);
  }, asio::detached);
  answer(false);
  server.runFor(5s, [&] { return result.has_value(); });
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_NE(result->error().message.find("Denied (KubectlDeny): no"), std::string::npos) << result->error().message;
}

TEST(VerifyCaHash, K10TokensPinTheCa) {
  std::string ca = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(ca.data()), ca.size(), digest);
  std::string hex;
  for (unsigned char b : digest) {
    static const char* d = "0123456789abcdef";
    hex += d[b >> 4];
    hex += d[b & 0xf];
  }
  EXPECT_TRUE(verifyCaHash(ca, "K10" + hex + "::server:secret").ok());
  EXPECT_TRUE(verifyCaHash(ca, "just-a-password").ok());
  auto wrong = verifyCaHash(ca + "x", "K10" + hex + "::server:secret");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().reason, Reason::Unauthorized);
}

}  // namespace
}  // namespace kcpp::client::certbootstrap
