#include "pki/cluster_pki.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "pki/atomic_file.h"
#include "pki/certificate_info.h"
#include "pki/test_temp_dir.h"

namespace kcpp::pki {
namespace {

namespace fs = std::filesystem;

SubjectAltNames sansFor(const std::string& bindAddress) {
  ServingNames names;
  names.bindAddress = bindAddress;
  names.hostName = "node-1";
  return servingAltNames(names);
}

ClusterPki load(const fs::path& dataDir, const SubjectAltNames& sans) {
  auto pki = ClusterPki::loadOrCreate(dataDir, sans);
  EXPECT_TRUE(pki.ok()) << (pki ? "" : pki.error().message);
  return std::move(pki).value();
}

mode_t modeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string fp(const CertifiedKey& pair) { return fingerprintSha256(pair.cert.get()); }

TEST(ServingAltNames, HasTheNamesTheServerAnswersTo) {
  ServingNames names;
  names.bindAddress = "192.168.5.10";
  names.hostName = "node-1";
  names.clusterDomain = "cluster.example";
  names.firstServiceIp = "10.96.0.1";
  names.extraSans = {"api.example.com", "192.168.5.10"};
  SubjectAltNames sans = servingAltNames(names);
  EXPECT_EQ(sans.dnsNames, (std::vector<std::string>{"localhost", "node-1", "kubernetes", "kubernetes.default",
                                                      "kubernetes.default.svc",
                                                      "kubernetes.default.svc.cluster.example",
                                                      "api.example.com"}));
  EXPECT_EQ(sans.ipAddresses, (std::vector<std::string>{"127.0.0.1", "192.168.5.10", "10.96.0.1"}));
}

TEST(ServingAltNames, SkipsUnspecifiedBindAddressAndDefaultsHostName) {
  ServingNames names;
  names.bindAddress = "0.0.0.0";
  SubjectAltNames sans = servingAltNames(names);
  EXPECT_EQ(sans.ipAddresses, (std::vector<std::string>{"127.0.0.1", "10.43.0.1"}));
  EXPECT_GE(sans.dnsNames.size(), 5u);  // localhost, <gethostname()>, kubernetes...
}

TEST(ClusterPki, FirstStartCreatesEverythingWithPrivateKeys) {
  TempDir dir;
  ClusterPki pki = load(dir.path(), sansFor("127.0.0.1"));
  const PkiFiles& f = pki.files();
  EXPECT_EQ(f.tlsDir, dir.path() / "server" / "tls");
  EXPECT_EQ(modeOf(f.tlsDir), 0700u);
  for (const auto& key : {f.serverCaKey, f.clientCaKey, f.servingKey, f.adminKey}) EXPECT_EQ(modeOf(key), 0600u);
  for (const auto& crt : {f.serverCaCert, f.clientCaCert, f.servingCert, f.adminCert}) EXPECT_EQ(modeOf(crt), 0644u);
  EXPECT_EQ(pki.changes().size(), 4u);
  EXPECT_EQ(commonName(pki.serverCa().cert.get()).rfind("kcpp-server-ca@", 0), 0u);
  EXPECT_EQ(commonName(pki.clientCa().cert.get()).rfind("kcpp-client-ca@", 0), 0u);
  EXPECT_TRUE(verifyCertificate(pki.serving().cert.get(), pki.serverCa().cert.get(), Purpose::ServerAuth).ok());
  EXPECT_TRUE(verifyCertificate(pki.admin().cert.get(), pki.clientCa().cert.get(), Purpose::ClientAuth).ok());
  EXPECT_EQ(commonName(pki.admin().cert.get()), "system:admin");
  EXPECT_EQ(organizations(pki.admin().cert.get()), std::vector<std::string>{"system:masters"});
  EXPECT_EQ(commonName(pki.serving().cert.get()), "kube-apiserver");
}

TEST(ClusterPki, SecondStartReusesEverything) {
  TempDir dir;
  ClusterPki first = load(dir.path(), sansFor("127.0.0.1"));
  ClusterPki second = load(dir.path(), sansFor("127.0.0.1"));
  EXPECT_TRUE(second.changes().empty()) << second.changes().front();
  EXPECT_EQ(fp(second.serverCa()), fp(first.serverCa()));
  EXPECT_EQ(fp(second.clientCa()), fp(first.clientCa()));
  EXPECT_EQ(fp(second.serving()), fp(first.serving()));
  EXPECT_EQ(fp(second.admin()), fp(first.admin()));
  EXPECT_TRUE(keyMatchesCertificate(second.serving().cert.get(), first.serving().key.get()));
}

TEST(ClusterPki, NewBindAddressReissuesServingFromSameCa) {
  TempDir dir;
  ClusterPki first = load(dir.path(), sansFor("127.0.0.1"));
  ClusterPki second = load(dir.path(), sansFor("192.168.7.7"));
  ASSERT_EQ(second.changes().size(), 1u);
  EXPECT_EQ(second.changes()[0], "reissued serving-kube-apiserver.crt: SANs changed");
  EXPECT_EQ(fp(second.serverCa()), fp(first.serverCa()));
  EXPECT_EQ(fp(second.admin()), fp(first.admin()));
  EXPECT_NE(fp(second.serving()), fp(first.serving()));
  EXPECT_EQ(X509_check_ip_asc(second.serving().cert.get(), "192.168.7.7", 0), 1);
  EXPECT_TRUE(verifyCertificate(second.serving().cert.get(), first.serverCa().cert.get(), Purpose::ServerAuth).ok());
  ClusterPki third = load(dir.path(), sansFor("192.168.7.7"));
  EXPECT_TRUE(third.changes().empty());
  EXPECT_EQ(fp(third.serving()), fp(second.serving()));
}

TEST(ClusterPki, DamagedLeafIsReissued) {
  TempDir dir;
  ClusterPki first = load(dir.path(), sansFor("127.0.0.1"));
  ASSERT_TRUE(writeFileAtomic(first.files().adminCert, "garbage", kPublicFileMode).ok());
  ClusterPki second = load(dir.path(), sansFor("127.0.0.1"));
  ASSERT_EQ(second.changes().size(), 1u);
  EXPECT_EQ(second.changes()[0].rfind("reissued client-admin.crt: ", 0), 0u) << second.changes()[0];
  EXPECT_TRUE(verifyCertificate(second.admin().cert.get(), first.clientCa().cert.get(), Purpose::ClientAuth).ok());
}

TEST(ClusterPki, LeafNearExpiryOrFromAnotherCaIsReissued) {
  TempDir dir;
  ClusterPki first = load(dir.path(), sansFor("127.0.0.1"));
  const PkiFiles& f = first.files();
  // A serving cert that expires in 30 days: inside the 90-day renewal window.
  CertificateSpec spec{"kube-apiserver", {}, sansFor("127.0.0.1"), {ExtKeyUsage::ServerAuth}, std::chrono::hours(24 * 30)};
  auto shortLived = issueCertificate(spec, first.serverCa());
  ASSERT_TRUE(shortLived.ok());
  ASSERT_TRUE(writeFileAtomic(f.servingCert, certificateToPem(shortLived->cert.get()), kPublicFileMode).ok());
  ASSERT_TRUE(writeFileAtomic(f.servingKey, privateKeyToPem(shortLived->key.get()), kPrivateFileMode).ok());
  // An admin cert signed by a stranger CA.
  auto stranger = createSelfSignedCa("stranger");
  auto foreign = issueCertificate({"system:admin", {"system:masters"}, {}, {ExtKeyUsage::ClientAuth}}, *stranger);
  ASSERT_TRUE(foreign.ok());
  ASSERT_TRUE(writeFileAtomic(f.adminCert, certificateToPem(foreign->cert.get()), kPublicFileMode).ok());
  ASSERT_TRUE(writeFileAtomic(f.adminKey, privateKeyToPem(foreign->key.get()), kPrivateFileMode).ok());

  ClusterPki second = load(dir.path(), sansFor("127.0.0.1"));
  ASSERT_EQ(second.changes().size(), 2u);
  EXPECT_EQ(second.changes()[0], "reissued serving-kube-apiserver.crt: expires within 90 days");
  EXPECT_NE(second.changes()[1].find("does not verify against CA"), std::string::npos) << second.changes()[1];
  EXPECT_FALSE(expiresWithin(second.serving().cert.get(), std::chrono::hours(24 * 300)));
  EXPECT_TRUE(verifyCertificate(second.admin().cert.get(), first.clientCa().cert.get(), Purpose::ClientAuth).ok());
}

TEST(ClusterPki, DamagedCaIsAnErrorNotSilentlyReplaced) {
  TempDir dir;
  ClusterPki first = load(dir.path(), sansFor("127.0.0.1"));
  ASSERT_TRUE(writeFileAtomic(first.files().serverCaCert, "garbage", kPublicFileMode).ok());
  auto second = ClusterPki::loadOrCreate(dir.path(), sansFor("127.0.0.1"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().reason, Reason::InternalError);
  EXPECT_NE(second.error().message.find("server-ca.crt"), std::string::npos) << second.error().message;
  EXPECT_EQ(readFile(first.files().serverCaCert).value(), "garbage");
}

TEST(ClusterPki, CaWithForeignKeyIsAnError) {
  TempDir dir;
  ClusterPki first = load(dir.path(), sansFor("127.0.0.1"));
  ASSERT_TRUE(writeFileAtomic(first.files().clientCaKey, privateKeyToPem(first.serverCa().key.get()),
                              kPrivateFileMode).ok());
  auto second = ClusterPki::loadOrCreate(dir.path(), sansFor("127.0.0.1"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().reason, Reason::InternalError);
  EXPECT_NE(second.error().message.find("does not match its key"), std::string::npos);
}

TEST(ClusterPki, UnwritableDataDirIsInternalError) {
  TempDir dir;
  fs::path blocker = dir.path() / "file";
  ASSERT_TRUE(writeFileAtomic(blocker, "x", kPublicFileMode).ok());
  auto pki = ClusterPki::loadOrCreate(blocker / "data", sansFor("127.0.0.1"));
  ASSERT_FALSE(pki.ok());
  EXPECT_EQ(pki.error().reason, Reason::InternalError);
}

TEST(ClusterPki, EnsureClientCertificateIssuesOnceThenReuses) {
  TempDir dir;
  ClusterPki pki = load(dir.path(), sansFor("127.0.0.1"));
  ClientIdentity scheduler{"system:kube-scheduler", {}};
  auto first = pki.ensureClientCertificate("scheduler", scheduler);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(pki.changes().back(), "created client-scheduler.crt");
  EXPECT_TRUE(fs::exists(dir.path() / "server" / "tls" / "client-scheduler.key"));
  auto again = pki.ensureClientCertificate("scheduler", scheduler);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(fp(*again), fp(*first));
  auto regrouped = pki.ensureClientCertificate("scheduler", {"system:kube-scheduler", {"extra"}});
  ASSERT_TRUE(regrouped.ok());
  EXPECT_EQ(pki.changes().back(), "reissued client-scheduler.crt: organizations changed");
  EXPECT_EQ(pki.ensureClientCertificate("../evil", scheduler).error().reason, Reason::BadRequest);
}

TEST(ClusterPki, AdminKubeconfigTrustsServerCaAndCarriesAdminCert) {
  TempDir dir;
  ClusterPki pki = load(dir.path(), sansFor("127.0.0.1"));
  Kubeconfig config = pki.adminKubeconfig(6443);
  EXPECT_EQ(config.server, "https://127.0.0.1:6443");
  EXPECT_EQ(config.certificateAuthorityPem, certificateToPem(pki.serverCa().cert.get()));
  EXPECT_EQ(fingerprintSha256(certificateFromPem(config.clientCertificatePem)->get()), fp(pki.admin()));
  EXPECT_TRUE(keyMatchesCertificate(pki.admin().cert.get(), privateKeyFromPem(config.clientKeyPem)->get()));
  ASSERT_TRUE(pki.writeAdminKubeconfig(6443).ok());
  EXPECT_EQ(pki.files().adminKubeconfig, dir.path() / "server" / "cred" / "admin.kubeconfig");
  EXPECT_EQ(modeOf(pki.files().credDir), 0700u);
  EXPECT_EQ(modeOf(pki.files().adminKubeconfig), 0600u);
  auto read = readKubeconfig(pki.files().adminKubeconfig);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->clientKeyPem, config.clientKeyPem);
}

// The openssl command line tool, as an independent verifier of what we wrote to disk.
std::string runOpenssl(const std::string& args, int& status) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(("openssl " + args + " 2>&1").c_str(), "r"), ::pclose);
  std::string out;
  char buf[512];
  while (pipe && std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  status = pipe ? ::pclose(pipe.release()) : -1;
  return out;
}

TEST(ClusterPki, OpensslCommandLineVerifiesTheFiles) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl binary";
  TempDir dir;
  ClusterPki pki = load(dir.path(), sansFor("127.0.0.1"));
  const PkiFiles& f = pki.files();
  int status = -1;
  std::string out = runOpenssl("verify -purpose sslserver -CAfile " + f.serverCaCert.string() + " " +
                                   f.servingCert.string(), status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find(": OK"), std::string::npos) << out;
  out = runOpenssl("verify -purpose sslclient -CAfile " + f.clientCaCert.string() + " " + f.adminCert.string(),
                   status);
  EXPECT_EQ(status, 0) << out;
  out = runOpenssl("verify -CAfile " + f.clientCaCert.string() + " " + f.servingCert.string(), status);
  EXPECT_NE(status, 0) << "serving cert must not verify against the client CA: " << out;
  out = runOpenssl("x509 -noout -ext subjectAltName -in " + f.servingCert.string(), status);
  EXPECT_NE(out.find("DNS:kubernetes.default.svc.cluster.local"), std::string::npos) << out;
  EXPECT_NE(out.find("IP Address:10.43.0.1"), std::string::npos) << out;
}

}  // namespace
}  // namespace kcpp::pki
