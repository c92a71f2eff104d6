#include "pki/certificate.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>

namespace kcpp::pki {
namespace {

constexpr long kClockSkewSeconds = 60;  // backdate notBefore against small clock skew

// The canonical text of an IP address ("::1" for "0:0::1"), or "" if `text` is none.
std::string canonicalIp(const std::string& text) {
  unsigned char bytes[16];
  char buf[INET6_ADDRSTRLEN] = {};
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, text.c_str(), bytes) == 1 &&
        inet_ntop(family, bytes, buf, sizeof buf) != nullptr) {
      return buf;
    }
  }
  return {};
}

void appendUnique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// A password callback that refuses: encrypted keys are an error, never a tty prompt.
int noPassword(char*, int, int, void*) { return 0; }

Result<void> setRandomSerial(X509* cert) {
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ODD) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return openSslError("generating a certificate serial number");
  }
  return {};
}

Result<void> setValidity(X509* cert, std::chrono::seconds validity) {
  const long total = static_cast<long>(validity.count());
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -kClockSkewSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(total / 86400), total % 86400,
                       nullptr) == nullptr) {
    return openSslError("setting certificate validity");
  }
  return {};
}

Result<void> addNameEntry(X509_NAME* name, const char* field, const std::string& value) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(value.data());
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, bytes, static_cast<int>(value.size()),
                                 -1, 0) != 1) {
    return openSslError(std::string("setting subject ") + field + "=" + value);
  }
  return {};
}

// Subject "O=<org>..., CN=<cn>", the order Go's crypto/x509 writes.
Result<X509NamePtr> buildSubject(const std::string& commonName,
                                 const std::vector<std::string>& organizations) {
  X509NamePtr name(X509_NAME_new());
  KCPP_CHECK(name != nullptr, "X509_NAME_new failed");
  for (const auto& org : organizations) {
    if (auto r = addNameEntry(name.get(), "O", org); !r) return std::move(r).error();
  }
  if (auto r = addNameEntry(name.get(), "CN", commonName); !r) return std::move(r).error();
  return name;
}

// One extension from its OpenSSL config text, e.g. "critical,CA:TRUE".
Result<void> addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return openSslError(std::string("adding extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  return {};
}

Result<void> pushName(GENERAL_NAMES* names, int type, Asn1StringPtr value) {
  GeneralNamePtr name(GENERAL_NAME_new());
  KCPP_CHECK(name != nullptr, "GENERAL_NAME_new failed");
  GENERAL_NAME_set0_value(name.get(), type, value.release());
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) return openSslError("building subjectAltName");
  name.release();  // now owned by the stack
  return {};
}

Result<void> pushDnsName(GENERAL_NAMES* names, const std::string& dns) {
  bool printable = !dns.empty() && std::all_of(dns.begin(), dns.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != ',';
  });
  if (!printable) return makeError(Reason::BadRequest, "invalid DNS subjectAltName \"" + dns + "\"");
  Asn1StringPtr value(ASN1_IA5STRING_new());
  KCPP_CHECK(value != nullptr, "ASN1_IA5STRING_new failed");
  if (ASN1_STRING_set(value.get(), dns.data(), static_cast<int>(dns.size())) != 1) {
    return openSslError("building DNS subjectAltName");
  }
  return pushName(names, GEN_DNS, std::move(value));
}

Result<void> pushIpAddress(GENERAL_NAMES* names, const std::string& ip) {
  Asn1StringPtr value(a2i_IPADDRESS(ip.c_str()));
  if (!value) {
    ERR_clear_error();
    return makeError(Reason::BadRequest, "invalid IP subjectAltName \"" + ip + "\"");
  }
  return pushName(names, GEN_IPADD, std::move(value));
}

Result<void> addAltNames(X509* cert, const SubjectAltNames& sans) {
  if (sans.dnsNames.empty() && sans.ipAddresses.empty()) return {};
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  KCPP_CHECK(names != nullptr, "sk_GENERAL_NAME_new_null failed");
  for (const auto& dns : sans.dnsNames) {
    if (auto r = pushDnsName(names.get(), dns); !r) return r;
  }
  for (const auto& ip : sans.ipAddresses) {
    if (auto r = pushIpAddress(names.get(), ip); !r) return r;
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return openSslError("adding subjectAltName");
  }
  return {};
}

std::string extKeyUsageText(const std::vector<ExtKeyUsage>& usages) {
  std::string text;
  for (auto usage : usages) {
    if (!text.empty()) text += ",";
    text += usage == ExtKeyUsage::ServerAuth ? "serverAuth" : "clientAuth";
  }
  return text;
}

// A version-3 certificate with serial, validity, subject and public key set.
Result<X509Ptr> newCertificate(const std::string& commonName,
                               const std::vector<std::string>& organizations,
                               std::chrono::seconds validity, EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  KCPP_CHECK(cert != nullptr, "X509_new failed");
  auto subject = buildSubject(commonName, organizations);
  if (!subject) return std::move(subject).error();
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_subject_name(cert.get(), subject->get()) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return openSslError("initialising certificate for " + commonName);
  }
  if (auto r = setRandomSerial(cert.get()); !r) return std::move(r).error();
  if (auto r = setValidity(cert.get(), validity); !r) return std::move(r).error();
  return cert;
}

Result<void> addExtensions(X509* cert, X509* issuer,
                           const std::vector<std::pair<int, std::string>>& extensions) {
  for (const auto& [nid, value] : extensions) {
    if (auto r = addExtension(cert, issuer, nid, value); !r) return r;
  }
  return {};
}

Result<void> sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) == 0) return openSslError("signing certificate");
  return {};
}

}  // namespace

SubjectAltNames classifyAltNames(const std::vector<std::string>& names) {
  SubjectAltNames sans;
  for (const auto& name : names) {
    if (name.empty()) continue;
    if (auto ip = canonicalIp(name); !ip.empty()) {
      appendUnique(sans.ipAddresses, ip);
    } else {
      appendUnique(sans.dnsNames, name);
    }
  }
  return sans;
}

Result<EvpPkeyPtr> generateKey() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openSslError("generating an ECDSA P-256 key");
  return key;
}

Result<CertifiedKey> createSelfSignedCa(std::string_view commonName, std::chrono::seconds validity) {
  auto key = generateKey();
  if (!key) return std::move(key).error();
  auto cert = newCertificate(std::string(commonName), {}, validity, key->get());
  if (!cert) return std::move(cert).error();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(c)) != 1) return openSslError("setting CA issuer");
  auto r = addExtensions(c, c, {{NID_basic_constraints, "critical,CA:TRUE"},
                                {NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"},
                                {NID_subject_key_identifier, "hash"},
                                {NID_authority_key_identifier, "keyid:always"}});
  if (!r) return std::move(r).error();
  if (auto s = sign(c, key->get()); !s) return std::move(s).error();
  return CertifiedKey{std::move(cert).value(), std::move(key).value()};
}

Result<X509Ptr> issueCertificateForKey(const CertificateSpec& spec, EVP_PKEY* key,
                                       const CertifiedKey& ca) {
  auto cert = newCertificate(spec.commonName, spec.organizations, spec.validity, key);
  if (!cert) return cert;
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(ca.cert.get())) != 1) {
    return openSslError("setting issuer of " + spec.commonName);
  }
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"}};
  if (!spec.extKeyUsages.empty()) {
    extensions.emplace_back(NID_ext_key_usage, extKeyUsageText(spec.extKeyUsages));
  }
  if (auto r = addExtensions(c, ca.cert.get(), extensions); !r) return std::move(r).error();
  if (auto r = addAltNames(c, spec.altNames); !r) return std::move(r).error();
  if (auto r = sign(c, ca.key.get()); !r) return std::move(r).error();
  return cert;
}

Result<CertifiedKey> issueCertificate(const CertificateSpec& spec, const CertifiedKey& ca) {
  auto key = generateKey();
  if (!key) return std::move(key).error();
  auto cert = issueCertificateForKey(spec, key->get(), ca);
  if (!cert) return std::move(cert).error();
  return CertifiedKey{std::move(cert).value(), std::move(key).value()};
}

std::string certificateToPem(X509* cert) {
  BioPtr bio = newMemoryBio();
  KCPP_CHECK(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509 failed");
  return memoryBioContents(bio.get());
}

std::string privateKeyToPem(EVP_PKEY* key) {
  BioPtr bio = newMemoryBio();
  KCPP_CHECK(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
             "PEM_write_bio_PrivateKey failed");
  return memoryBioContents(bio.get());
}

Result<std::vector<X509Ptr>> certificatesFromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KCPP_CHECK(bio != nullptr, "BIO_new_mem_buf failed");
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, noPassword, nullptr)) {
    certs.emplace_back(cert);
  }
  unsigned long last = ERR_peek_last_error();
  bool cleanEnd = ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  if (certs.empty() || !cleanEnd) {
    return makeError(Reason::BadRequest, "no valid PEM certificate: " + drainOpenSslErrors());
  }
  ERR_clear_error();
  return certs;
}

Result<X509Ptr> certificateFromPem(std::string_view pem) {
  auto certs = certificatesFromPem(pem);
  if (!certs) return std::move(certs).error();
  return std::move(certs->front());
}

Result<EvpPkeyPtr> privateKeyFromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KCPP_CHECK(bio != nullptr, "BIO_new_mem_buf failed");
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassword, nullptr));
  if (!key) return makeError(Reason::BadRequest, "no valid PEM private key: " + drainOpenSslErrors());
  return key;
}

X509Ptr shareCertificate(X509* cert) {
  KCPP_CHECK(X509_up_ref(cert) == 1, "X509_up_ref failed");
  return X509Ptr(cert);
}

EvpPkeyPtr shareKey(EVP_PKEY* key) {
  KCPP_CHECK(EVP_PKEY_up_ref(key) == 1, "EVP_PKEY_up_ref failed");
  return EvpPkeyPtr(key);
}

}  // namespace kcpp::pki
