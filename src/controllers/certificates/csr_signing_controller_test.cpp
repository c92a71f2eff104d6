// csrsigning and the CSR helpers against a real in-process API server; the
// test approves requests as `kubectl certificate approve` does.
#include "controllers/certificates/csr_signing_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <openssl/x509.h>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "controllers/certificates/csr_util.h"
#include "pki/base64.h"
#include "pki/csr.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

std::string requestFor(const std::string& cn, const std::vector<std::string>& orgs) {
  auto key = pki::generateKey();
  auto pem = pki::createCsrPem(key->get(), cn, orgs);
  return pki::base64Encode(*pem);
}

class CsrSigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    auto ca = pki::createSelfSignedCa("test-signer");
    ASSERT_TRUE(ca.ok());
    signer = std::make_shared<pki::CertifiedKey>(std::move(*ca));
    CsrSigningOptions options;
    options.signers[csr::kKubeletClientSigner] = signer;
    options.signers[csr::kApiserverClientSigner] = signer;
    options.duration = std::chrono::hours(24);
    controller = std::make_unique<CsrSigningController>(*restClient, *informers, io.get_executor(), options);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
    informers->start(io.get_executor());
  }

  void TearDown() override {
    controller->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended; });
    server.runFor(100ms);
  }

  client::ResourcePath path(const std::string& name = "", const std::string& sub = "") {
    return client::ResourcePath{"certificates.k8s.io", "v1", "certificatesigningrequests", "", name, sub, ""};
  }

  void create(const std::string& name, const std::string& signerName, const std::string& request,
              json::array usages, bool approve, std::int64_t expirationSeconds = 0) {
    json::object spec{{"request", request}, {"signerName", signerName}, {"usages", std::move(usages)}};
    if (expirationSeconds) spec["expirationSeconds"] = expirationSeconds;
    json::object obj{{"apiVersion", "certificates.k8s.io/v1"}, {"kind", "CertificateSigningRequest"},
                     {"metadata", json::object{{"name", name}}}, {"spec", std::move(spec)}};
    auto created = server.await(restClient->create(path(), obj));
    ASSERT_TRUE(created.ok()) << created.error().message;
    if (!approve) return;
    json::object approved = *created;
    approved["status"] = json::object{{"conditions", json::array{json::object{
                                          {"type", "Approved"}, {"status", "True"}, {"reason", "KubectlApprove"}}}}};
    auto written = server.await(restClient->update(path(name, "approval"), approved));
    ASSERT_TRUE(written.ok()) << written.error().message;
  }

  json::object get(const std::string& name) {
    auto obj = server.await(restClient->get(path(name)));
    return obj ? *obj : json::object();
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"certificates.k8s.io/certificatesigningrequests"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::shared_ptr<pki::CertifiedKey> signer;
  std::unique_ptr<CsrSigningController> controller;
  bool ended = false;
};

TEST_F(CsrSigningTest, SignsApprovedRequestsWithTheSignersCa) {
  create("node", csr::kKubeletClientSigner, requestFor("system:node:n1", {"system:nodes"}),
         json::array{"digital signature", "client auth"}, true, 3600);
  server.runFor(5s, [this] { return api::findPath(get("node"), "status.certificate") != nullptr; });
  json::object signedCsr = get("node");
  const json::value* issued = api::findPath(signedCsr, "status.certificate");
  ASSERT_TRUE(issued);
  auto pem = pki::base64Decode(issued->as_string());
  ASSERT_TRUE(pem.ok()) << pem.error().message << " in " << issued->as_string().size() << " chars";
  auto cert = pki::certificateFromPem(*pem);
  ASSERT_TRUE(cert.ok()) << cert.error().message << ": " << pem->substr(0, 40);
  EXPECT_EQ(X509_check_issued(signer->cert.get(), cert->get()), X509_V_OK);
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert->get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "system:node:n1");
  // expirationSeconds 3600 is shorter than the signer's 24h: it wins.
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert->get()), X509_get0_notAfter(cert->get())), 1);
  EXPECT_LE(days * 86400 + seconds, 3600 + 600);
}

TEST_F(CsrSigningTest, RefusesWhatTheSignerMustNotSignAndWaitsForApproval) {
  create("server", csr::kApiserverClientSigner, requestFor("bob", {}), json::array{"server auth"}, true);
  create("pending", csr::kApiserverClientSigner, requestFor("carol", {}), json::array{"client auth"}, false);
  create("other", "example.com/custom", requestFor("dave", {}), json::array{"client auth"}, true);
  server.runFor(5s, [this] { return csr::hasCondition(get("server"), "Failed"); });
  json::object failed = get("server");
  ASSERT_TRUE(csr::hasCondition(failed, "Failed"));
  const auto& c = failed.at("status").at("conditions").as_array().back().as_object();
  EXPECT_EQ(c.at("reason"), "SignerValidationFailure");
  EXPECT_EQ(c.at("message"), "usage \"server auth\" is not allowed");
  EXPECT_FALSE(api::findPath(failed, "status.certificate"));
  server.runFor(500ms);
  EXPECT_FALSE(api::findPath(get("pending"), "status.certificate"));
  EXPECT_FALSE(api::findPath(get("other"), "status.certificate"));  // another signer's
}

TEST(CsrUtil, NodeClientCertificateShape) {
  auto key = pki::generateKey();
  auto parse = [&](const std::string& cn, const std::vector<std::string>& orgs) {
    auto parsed = pki::parseCsrPem(*pki::createCsrPem(key->get(), cn, orgs));
    return std::move(*parsed);
  };
  std::set<std::string> usages{"digital signature", "client auth"};
  EXPECT_TRUE(csr::isNodeClientCert(parse("system:node:n1", {"system:nodes"}), usages));
  EXPECT_FALSE(csr::isNodeClientCert(parse("system:node:n1", {"system:masters"}), usages));
  EXPECT_FALSE(csr::isNodeClientCert(parse("n1", {"system:nodes"}), usages));
  EXPECT_FALSE(csr::isNodeClientCert(parse("system:node:n1", {"system:nodes"}), {"client auth", "server auth"}));
  EXPECT_FALSE(csr::isNodeClientCert(parse("system:node:n1", {"system:nodes"}), {"client auth"}));
}

}  // namespace
}  // namespace kcpp::controllers
