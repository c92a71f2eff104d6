// LoopbackTransport against a real API server (the test server of the client
// library): the same answers, errors and watches as over HTTPS, and client
// certificates checked as the TLS layer checks them.

#include "apiserver/loopback/loopback_transport.h"

#include <gtest/gtest.h>

#include "client/rest/rest_client.h"
#include "client/rest/test_api_server.h"

namespace kcpp::apiserver {
namespace {

using client::ResourcePath;
using client::testing::TestApiServer;
namespace asio = boost::asio;
namespace json = boost::json;

class LoopbackTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    transport = std::make_shared<LoopbackTransport>(
        server.httpServer(), io, pki::shareCertificate(server.clusterPki().clientCa().cert.get()));
  }

  client::RestClientPtr clientWith(pki::Kubeconfig kubeconfig) {
    client::ClientOptions options;
    options.qps = 1000;
    options.burst = 1000;
    options.transport = transport;
    auto made = client::RestClient::create(io.get_executor(), kubeconfig, options);
    EXPECT_TRUE(made.ok());
    return std::move(*made);
  }

  asio::io_context io;
  TestApiServer server{io};
  std::shared_ptr<LoopbackTransport> transport;
  ResourcePath configMaps{"", "v1", "configmaps", "default", "", "", ""};
};

TEST_F(LoopbackTransportTest, CreatesAndReadsAsTheCertificatesUser) {
  auto client = clientWith(server.kubeconfig());
  json::object cm = TestApiServer::configMap("one", "1");
  auto created = server.await(client->create(configMaps, cm));
  ASSERT_TRUE(created.ok()) << created.error().message;
  ResourcePath one = configMaps;
  one.name = "one";
  auto got = server.await(client->get(one));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(json::value_to<std::string>((*got)["data"].as_object()["k"]), "1");
}

TEST_F(LoopbackTransportTest, ErrorsAreTheServersStatus) {
  auto client = clientWith(server.kubeconfig());
  ResourcePath missing = configMaps;
  missing.name = "missing";
  auto got = server.await(client->get(missing));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().reason, Reason::NotFound);
  EXPECT_EQ(got.error().message, "configmaps \"missing\" not found");
}

TEST_F(LoopbackTransportTest, RefusesACertificateFromAnotherCa) {
  auto otherCa = pki::createSelfSignedCa("other-ca");
  ASSERT_TRUE(otherCa.ok());
  pki::CertificateSpec spec;
  spec.commonName = "intruder";
  spec.organizations = {"system:masters"};
  spec.extKeyUsages = {pki::ExtKeyUsage::ClientAuth};
  auto forged = pki::issueCertificate(spec, *otherCa);
  ASSERT_TRUE(forged.ok());
  pki::Kubeconfig kubeconfig = server.kubeconfig();
  kubeconfig.clientCertificatePem = pki::certificateToPem(forged->cert.get());
  kubeconfig.clientKeyPem = pki::privateKeyToPem(forged->key.get());
  auto client = clientWith(kubeconfig);
  auto listed = server.await(client->get(configMaps));
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().reason, Reason::Unauthorized);
}

TEST_F(LoopbackTransportTest, NoCredentialsIsUnauthorized) {
  pki::Kubeconfig kubeconfig = server.kubeconfig();
  kubeconfig.clientCertificatePem.clear();
  kubeconfig.clientKeyPem.clear();
  auto client = clientWith(kubeconfig);
  auto listed = server.await(client->get(configMaps));
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().reason, Reason::Unauthorized);
}

TEST_F(LoopbackTransportTest, WatchStreamsEventsUntilClosed) {
  auto client = clientWith(server.kubeconfig());
  auto stream = server.await(client->watch(configMaps));
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  for (const char* name : {"a", "b"}) {
    json::object cm = TestApiServer::configMap(name, name);
    ASSERT_TRUE(server.await(client->create(configMaps, cm)).ok());
  }
  for (const char* name : {"a", "b"}) {
    auto event = server.await((*stream)->next());
    ASSERT_TRUE(event.ok()) << event.error().message;
    ASSERT_TRUE(event->has_value());
    EXPECT_EQ((*event)->type, "ADDED");
    EXPECT_EQ(json::value_to<std::string>((*event)->object["metadata"].as_object()["name"]), name);
  }
  (*stream)->close();
  auto after = server.await((*stream)->next());
  EXPECT_FALSE(after.ok());
}

TEST_F(LoopbackTransportTest, AWatchWithABadResourceVersionIsRefused) {
  auto client = clientWith(server.kubeconfig());
  ResourcePath badQuery = configMaps;
  badQuery.query = "resourceVersion=abc";
  auto stream = server.await(client->watch(badQuery));
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.error().reason, Reason::BadRequest);
}

}  // namespace
}  // namespace kcpp::apiserver
