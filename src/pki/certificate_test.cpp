#include "pki/certificate.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <algorithm>

#include "pki/certificate_info.h"

namespace kcpp::pki {
namespace {

CertifiedKey makeCa(const std::string& cn = "test-ca@1") {
  auto ca = createSelfSignedCa(cn);
  EXPECT_TRUE(ca.ok()) << (ca ? "" : ca.error().message);
  return std::move(ca).value();
}

CertifiedKey makeLeaf(const CertificateSpec& spec, const CertifiedKey& ca) {
  auto leaf = issueCertificate(spec, ca);
  EXPECT_TRUE(leaf.ok()) << (leaf ? "" : leaf.error().message);
  return std::move(leaf).value();
}

CertificateSpec servingSpec() {
  return {"kube-apiserver", {}, classifyAltNames({"127.0.0.1", "localhost", "kubernetes", "10.43.0.1", "::1"}),
          {ExtKeyUsage::ServerAuth}, kLeafValidity};
}

CertificateSpec adminSpec() {
  return {"system:admin", {"system:masters"}, {}, {ExtKeyUsage::ClientAuth}, kLeafValidity};
}

// Verification straight through OpenSSL's X509_verify_cert, independent of our helper.
int rawVerify(X509* leaf, X509* ca, int purpose) {
  X509StorePtr store(X509_STORE_new());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_add_cert(store.get(), ca);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

TEST(Certificate, CaIsSelfSignedAndMarkedCa) {
  CertifiedKey ca = makeCa("kcpp-server-ca@1700000000");
  EXPECT_EQ(commonName(ca.cert.get()), "kcpp-server-ca@1700000000");
  EXPECT_EQ(X509_check_ca(ca.cert.get()), 1);
  EXPECT_EQ(X509_check_issued(ca.cert.get(), ca.cert.get()), X509_V_OK);
  EXPECT_TRUE(verifyCertificate(ca.cert.get(), ca.cert.get()).ok());
  EXPECT_TRUE(keyMatchesCertificate(ca.cert.get(), ca.key.get()));
  EXPECT_EQ(EVP_PKEY_get_base_id(ca.key.get()), EVP_PKEY_EC);
  EXPECT_FALSE(expiresWithin(ca.cert.get(), std::chrono::hours(24 * 3640)));
  EXPECT_TRUE(expiresWithin(ca.cert.get(), std::chrono::hours(24 * 3660)));
}

TEST(Certificate, ServingCertificateChainsToCaWithSans) {
  CertifiedKey ca = makeCa();
  CertifiedKey serving = makeLeaf(servingSpec(), ca);
  EXPECT_EQ(rawVerify(serving.cert.get(), ca.cert.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(X509_check_ca(serving.cert.get()), 0);
  EXPECT_EQ(commonName(serving.cert.get()), "kube-apiserver");
  SubjectAltNames sans = subjectAltNames(serving.cert.get());
  EXPECT_EQ(sans.dnsNames, (std::vector<std::string>{"localhost", "kubernetes"}));
  EXPECT_EQ(sans.ipAddresses, (std::vector<std::string>{"127.0.0.1", "10.43.0.1", "::1"}));
  EXPECT_EQ(X509_check_host(serving.cert.get(), "kubernetes", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(serving.cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(serving.cert.get(), "10.0.0.9", 0), 0);
}

TEST(Certificate, ExtendedKeyUsageLimitsPurpose) {
  CertifiedKey ca = makeCa();
  CertifiedKey serving = makeLeaf(servingSpec(), ca);
  CertifiedKey admin = makeLeaf(adminSpec(), ca);
  EXPECT_EQ(rawVerify(admin.cert.get(), ca.cert.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_EQ(rawVerify(admin.cert.get(), ca.cert.get(), X509_PURPOSE_SSL_SERVER), X509_V_ERR_INVALID_PURPOSE);
  EXPECT_EQ(rawVerify(serving.cert.get(), ca.cert.get(), X509_PURPOSE_SSL_CLIENT), X509_V_ERR_INVALID_PURPOSE);
  EXPECT_TRUE(verifyCertificate(admin.cert.get(), ca.cert.get(), Purpose::ClientAuth).ok());
  auto wrong = verifyCertificate(admin.cert.get(), ca.cert.get(), Purpose::ServerAuth);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().reason, Reason::Unauthorized);
}

TEST(Certificate, OtherCaDoesNotVerify) {
  CertifiedKey ca = makeCa("ca-one");
  CertifiedKey other = makeCa("ca-two");
  CertifiedKey admin = makeLeaf(adminSpec(), ca);
  auto result = verifyCertificate(admin.cert.get(), other.cert.get(), Purpose::ClientAuth);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("unable to get local issuer certificate"), std::string::npos)
      << result.error().message;
}

TEST(Certificate, SubjectCarriesAllOrganizations) {
  CertifiedKey ca = makeCa();
  CertificateSpec spec = adminSpec();
  spec.organizations = {"system:masters", "team-a", "team-b"};
  CertifiedKey leaf = makeLeaf(spec, ca);
  EXPECT_EQ(organizations(leaf.cert.get()), spec.organizations);
  EXPECT_EQ(subjectAltNames(leaf.cert.get()), SubjectAltNames{});
}

TEST(Certificate, PemRoundTripKeepsFingerprintAndKey) {
  CertifiedKey ca = makeCa();
  CertifiedKey leaf = makeLeaf(servingSpec(), ca);
  std::string certPem = certificateToPem(leaf.cert.get());
  std::string keyPem = privateKeyToPem(leaf.key.get());
  EXPECT_EQ(certPem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_EQ(keyPem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  auto cert = certificateFromPem(certPem);
  auto key = privateKeyFromPem(keyPem);
  ASSERT_TRUE(cert.ok() && key.ok());
  EXPECT_EQ(fingerprintSha256(cert->get()), fingerprintSha256(leaf.cert.get()));
  EXPECT_EQ(fingerprintSha256(cert->get()).size(), 32u * 3 - 1);
  EXPECT_TRUE(keyMatchesCertificate(cert->get(), key->get()));
  EXPECT_FALSE(keyMatchesCertificate(cert->get(), ca.key.get()));
}

TEST(Certificate, PemBundleYieldsEveryCertificateInOrder) {
  CertifiedKey ca = makeCa();
  CertifiedKey leaf = makeLeaf(adminSpec(), ca);
  auto certs = certificatesFromPem(certificateToPem(leaf.cert.get()) + certificateToPem(ca.cert.get()));
  ASSERT_TRUE(certs.ok());
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ(commonName((*certs)[0].get()), "system:admin");
  EXPECT_EQ(commonName((*certs)[1].get()), "test-ca@1");
}

TEST(Certificate, ReadsSec1EcKeys) {
  CertifiedKey ca = makeCa();
  BioPtr bio = newMemoryBio();
  ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(bio.get(), ca.key.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  std::string sec1 = memoryBioContents(bio.get());
  ASSERT_EQ(sec1.rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u);
  auto key = privateKeyFromPem(sec1);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(keyMatchesCertificate(ca.cert.get(), key->get()));
}

TEST(Certificate, GarbageIsBadRequest) {
  auto cert = certificateFromPem("not a certificate");
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.error().reason, Reason::BadRequest);
  auto key = privateKeyFromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().reason, Reason::BadRequest);
  CertifiedKey ca = makeCa();
  std::string truncated = certificateToPem(ca.cert.get()) + "-----BEGIN CERTIFICATE-----\nAB";
  EXPECT_FALSE(certificatesFromPem(truncated).ok());
}

TEST(Certificate, ClassifyAltNamesSplitsDedupsAndCanonicalises) {
  SubjectAltNames sans = classifyAltNames({"localhost", "127.0.0.1", "", "0:0::1", "localhost", "::1", "a.b"});
  EXPECT_EQ(sans.dnsNames, (std::vector<std::string>{"localhost", "a.b"}));
  EXPECT_EQ(sans.ipAddresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
}

TEST(Certificate, InvalidAltNamesAreRejected) {
  CertifiedKey ca = makeCa();
  CertificateSpec spec = servingSpec();
  spec.altNames.ipAddresses = {"300.1.1.1"};
  auto badIp = issueCertificate(spec, ca);
  ASSERT_FALSE(badIp.ok());
  EXPECT_EQ(badIp.error().reason, Reason::BadRequest);
  spec.altNames = {{"has space"}, {}};
  EXPECT_FALSE(issueCertificate(spec, ca).ok());
}

TEST(Certificate, SharedReferencesOutliveTheOriginal) {
  X509Ptr copy;
  EvpPkeyPtr key;
  {
    CertifiedKey ca = makeCa("shared");
    copy = shareCertificate(ca.cert.get());
    key = shareKey(ca.key.get());
  }
  EXPECT_EQ(commonName(copy.get()), "shared");
  EXPECT_TRUE(keyMatchesCertificate(copy.get(), key.get()));
}

}  // namespace
}  // namespace kcpp::pki
