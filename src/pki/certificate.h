#pragma once
// X.509 certificates and keys for the cluster: ECDSA P-256 keys, self-signed CAs,
// leaf certificates signed by a CA, and their PEM forms.
//
// Shapes follow client-go's certutil as k3s uses it: a CA has CA:TRUE and may sign
// certificates; a leaf has CA:FALSE, digitalSignature, the requested extended key
// usages (serverAuth for serving, clientAuth for users), and subject alternative names.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "pki/openssl_ptr.h"
#include "util/error.h"

namespace kcpp::pki {

// A certificate and the private key that matches it.
struct CertifiedKey {
  X509Ptr cert;
  EvpPkeyPtr key;
};

enum class ExtKeyUsage { ServerAuth, ClientAuth };

struct SubjectAltNames {
  std::vector<std::string> dnsNames;
  std::vector<std::string> ipAddresses;  // textual IPv4 or IPv6

  bool operator==(const SubjectAltNames&) const = default;
};

// Splits names into IP addresses (in canonical text form) and DNS names, dropping
// duplicates and empties while keeping first-seen order.
SubjectAltNames classifyAltNames(const std::vector<std::string>& names);

inline constexpr std::chrono::seconds kCaValidity{std::chrono::hours(24 * 3650)};
inline constexpr std::chrono::seconds kLeafValidity{std::chrono::hours(24 * 365)};

struct CertificateSpec {
  std::string commonName;
  std::vector<std::string> organizations;  // the O values; client certs carry groups here
  SubjectAltNames altNames;
  std::vector<ExtKeyUsage> extKeyUsages;
  std::chrono::seconds validity = kLeafValidity;
};

// A fresh ECDSA P-256 private key.
Result<EvpPkeyPtr> generateKey();

// A self-signed CA certificate with a new key.
Result<CertifiedKey> createSelfSignedCa(std::string_view commonName,
                                        std::chrono::seconds validity = kCaValidity);

// A leaf certificate for `spec`, with a new key, signed by `ca`.
Result<CertifiedKey> issueCertificate(const CertificateSpec& spec, const CertifiedKey& ca);

// A leaf certificate for `spec` over an existing key, signed by `ca`.
Result<X509Ptr> issueCertificateForKey(const CertificateSpec& spec, EVP_PKEY* key,
                                       const CertifiedKey& ca);

// PEM ("CERTIFICATE" / PKCS#8 "PRIVATE KEY").
std::string certificateToPem(X509* cert);
std::string privateKeyToPem(EVP_PKEY* key);

// Every certificate in a PEM bundle, in order; an error if there is none.
Result<std::vector<X509Ptr>> certificatesFromPem(std::string_view pem);
// The first certificate in a PEM bundle.
Result<X509Ptr> certificateFromPem(std::string_view pem);
// A private key in PKCS#8, SEC1 ("EC PRIVATE KEY") or PKCS#1 PEM form.
Result<EvpPkeyPtr> privateKeyFromPem(std::string_view pem);

// Another owning reference to the same object (OpenSSL reference counting).
X509Ptr shareCertificate(X509* cert);
EvpPkeyPtr shareKey(EVP_PKEY* key);

}  // namespace kcpp::pki
