#include "pki/kubeconfig.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include "pki/atomic_file.h"
#include "pki/base64.h"
#include "pki/certificate.h"
#include "pki/test_temp_dir.h"

namespace kcpp::pki {
namespace {

namespace fs = std::filesystem;

Kubeconfig sampleConfig() {
  auto ca = createSelfSignedCa("kcpp-server-ca@1");
  EXPECT_TRUE(ca.ok());
  auto admin = issueCertificate({"system:admin", {"system:masters"}, {}, {ExtKeyUsage::ClientAuth}}, *ca);
  EXPECT_TRUE(admin.ok());
  Kubeconfig config;
  config.server = loopbackServerUrl(46443);
  config.certificateAuthorityPem = certificateToPem(ca->cert.get());
  config.clientCertificatePem = certificateToPem(admin->cert.get());
  config.clientKeyPem = privateKeyToPem(admin->key.get());
  return config;
}

void expectSame(const Kubeconfig& a, const Kubeconfig& b) {
  EXPECT_EQ(a.server, b.server);
  EXPECT_EQ(a.certificateAuthorityPem, b.certificateAuthorityPem);
  EXPECT_EQ(a.clientCertificatePem, b.clientCertificatePem);
  EXPECT_EQ(a.clientKeyPem, b.clientKeyPem);
  EXPECT_EQ(a.token, b.token);
  EXPECT_EQ(a.namespaceName, b.namespaceName);
  EXPECT_EQ(a.tlsServerName, b.tlsServerName);
  EXPECT_EQ(a.insecureSkipTlsVerify, b.insecureSkipTlsVerify);
}

TEST(Base64, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t len : {0u, 1u, 2u, 3u, 4u, 100u, 256u}) {
    std::string encoded = base64Encode(bytes.substr(0, len));
    EXPECT_EQ(encoded.find('\n'), std::string::npos);
    auto decoded = base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << len;
    EXPECT_EQ(*decoded, bytes.substr(0, len));
  }
  EXPECT_EQ(base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64Decode("aGVs\nbG8=").value(), "hello");
  EXPECT_FALSE(base64Decode("a$b=").ok());
}

TEST(Kubeconfig, RendersTheK3sShape) {
  Kubeconfig config = sampleConfig();
  YAML::Node doc = YAML::Load(renderKubeconfig(config));
  EXPECT_EQ(doc["apiVersion"].as<std::string>(), "v1");
  EXPECT_EQ(doc["kind"].as<std::string>(), "Config");
  EXPECT_EQ(doc["current-context"].as<std::string>(), "default");
  EXPECT_TRUE(doc["preferences"].IsMap());
  EXPECT_EQ(doc["clusters"][0]["name"].as<std::string>(), "default");
  EXPECT_EQ(doc["clusters"][0]["cluster"]["server"].as<std::string>(), "https://127.0.0.1:46443");
  EXPECT_EQ(doc["clusters"][0]["cluster"]["certificate-authority-data"].as<std::string>(),
            base64Encode(config.certificateAuthorityPem));
  EXPECT_EQ(doc["contexts"][0]["name"].as<std::string>(), "default");
  EXPECT_EQ(doc["contexts"][0]["context"]["cluster"].as<std::string>(), "default");
  EXPECT_EQ(doc["contexts"][0]["context"]["user"].as<std::string>(), "default");
  EXPECT_EQ(doc["users"][0]["name"].as<std::string>(), "default");
  EXPECT_EQ(doc["users"][0]["user"]["client-certificate-data"].as<std::string>(),
            base64Encode(config.clientCertificatePem));
  EXPECT_EQ(doc["users"][0]["user"]["client-key-data"].as<std::string>(), base64Encode(config.clientKeyPem));
  EXPECT_FALSE(doc["users"][0]["user"]["token"]);
}

TEST(Kubeconfig, WriteThenReadRoundTripsWithMode0600) {
  TempDir dir;
  fs::path path = dir.path() / "cred" / "admin.kubeconfig";
  Kubeconfig config = sampleConfig();
  config.namespaceName = "kube-system";
  config.token = "abc.def";
  ASSERT_TRUE(writeKubeconfig(path, config).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  auto read = readKubeconfig(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  expectSame(*read, config);
  // Rewriting replaces the file and keeps its mode; no temporary files are left.
  config.server = loopbackServerUrl(7443);
  ASSERT_TRUE(writeKubeconfig(path, config).ok());
  EXPECT_EQ(readKubeconfig(path)->server, "https://127.0.0.1:7443");
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST(Kubeconfig, ReaderFollowsCurrentContextAndRelativeFiles) {
  TempDir dir;
  Kubeconfig creds = sampleConfig();
  ASSERT_TRUE(writeFileAtomic(dir.path() / "ca.crt", creds.certificateAuthorityPem, 0644).ok());
  ASSERT_TRUE(writeFileAtomic(dir.path() / "admin.crt", creds.clientCertificatePem, 0644).ok());
  ASSERT_TRUE(writeFileAtomic(dir.path() / "admin.key", creds.clientKeyPem, 0600).ok());
  ASSERT_TRUE(writeFileAtomic(dir.path() / "token", "s3cret\n", 0600).ok());
  const std::string yaml = R"(apiVersion: v1
kind: Config
current-context: local
clusters:
- name: other
  cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
- name: local
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority: ca.crt
    tls-server-name: kubernetes
contexts:
- name: remote
  context: {cluster: other, user: bot}
- name: local
  context: {cluster: local, user: admin, namespace: dev}
users:
- name: bot
  user: {tokenFile: token}
- name: admin
  user:
    client-certificate: admin.crt
    client-key: )" + (dir.path() / "admin.key").string() + "\n";
  ASSERT_TRUE(writeFileAtomic(dir.path() / "config", yaml, 0600).ok());

  auto local = readKubeconfig(dir.path() / "config");
  ASSERT_TRUE(local.ok()) << local.error().message;
  EXPECT_EQ(local->server, "https://127.0.0.1:6443");
  EXPECT_EQ(local->tlsServerName, "kubernetes");
  EXPECT_EQ(local->namespaceName, "dev");
  EXPECT_EQ(local->certificateAuthorityPem, creds.certificateAuthorityPem);
  EXPECT_EQ(local->clientCertificatePem, creds.clientCertificatePem);
  EXPECT_EQ(local->clientKeyPem, creds.clientKeyPem);
  EXPECT_TRUE(local->token.empty());

  auto remote = readKubeconfig(dir.path() / "config", "remote");
  ASSERT_TRUE(remote.ok()) << remote.error().message;
  EXPECT_EQ(remote->server, "https://10.0.0.1:6443");
  EXPECT_TRUE(remote->insecureSkipTlsVerify);
  EXPECT_EQ(remote->token, "s3cret");
  EXPECT_TRUE(remote->certificateAuthorityPem.empty());
}

TEST(Kubeconfig, ReaderErrors) {
  auto bad = parseKubeconfig("clusters: [", ".");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().reason, Reason::BadRequest);
  EXPECT_EQ(parseKubeconfig("apiVersion: v1\n", ".").error().message, "kubeconfig has no current-context");
  auto noContext = parseKubeconfig("current-context: x\ncontexts: []\n", ".");
  ASSERT_FALSE(noContext.ok());
  EXPECT_EQ(noContext.error().message, "kubeconfig has no context \"x\"");
  auto badData = parseKubeconfig(R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://x", certificate-authority-data: "!!notbase64"}}]
users: [{name: u, user: {}}]
)", ".");
  ASSERT_FALSE(badData.ok());
  EXPECT_EQ(badData.error().reason, Reason::BadRequest);
  auto missingFile = parseKubeconfig(R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://x"}}]
users: [{name: u, user: {client-key: /nonexistent/key}}]
)", ".");
  ASSERT_FALSE(missingFile.ok());
  EXPECT_NE(missingFile.error().message.find("/nonexistent/key"), std::string::npos);
  auto missingPath = readKubeconfig("/nonexistent/kubeconfig");
  ASSERT_FALSE(missingPath.ok());
  EXPECT_EQ(missingPath.error().reason, Reason::NotFound);
}

}  // namespace
}  // namespace kcpp::pki
