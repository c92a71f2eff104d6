#pragma once
// Reading what a certificate says: subject, alternative names, fingerprint, validity,
// and whether it chains to a CA.

#include <chrono>
#include <string>
#include <vector>

#include "pki/certificate.h"
#include "util/error.h"

namespace kcpp::pki {

// The subject's CN (the first one), or "" if it has none.
std::string commonName(const X509* cert);

// Every O value of the subject, in order.
std::vector<std::string> organizations(const X509* cert);

// DNS and IP subject alternative names (IPs in canonical text form).
SubjectAltNames subjectAltNames(const X509* cert);

// Upper-case hex SHA-256 of the DER encoding, colon separated ("AB:CD:...").
std::string fingerprintSha256(const X509* cert);

// True if the certificate is no longer valid at now + margin.
bool expiresWithin(const X509* cert, std::chrono::seconds margin);

// True if `key` is the private key of `cert`.
bool keyMatchesCertificate(const X509* cert, EVP_PKEY* key);

enum class Purpose { Any, ServerAuth, ClientAuth };

// Verifies `cert` against the single trust anchor `ca` (signature, validity, CA
// constraints, and the extended key usage implied by `purpose`). The error message
// carries OpenSSL's verification reason.
Result<void> verifyCertificate(X509* cert, X509* ca, Purpose purpose = Purpose::Any);

}  // namespace kcpp::pki
