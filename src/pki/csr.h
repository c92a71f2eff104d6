#pragma once
// PKCS#10 certificate signing requests ("CERTIFICATE REQUEST" PEM), as the
// certificates.k8s.io API carries them: made by a client for its key, parsed
// (and their self-signature checked) by the API server and the signer.

#include <string>
#include <string_view>
#include <vector>

#include "pki/certificate.h"
#include "util/error.h"

namespace kcpp::pki {

struct CsrInfo {
  std::string commonName;
  std::vector<std::string> organizations;
  SubjectAltNames altNames;
  EvpPkeyPtr publicKey;
};

// The first CERTIFICATE REQUEST block of `pem`; errors as upstream's
// ParseCSR ("PEM block type must be CERTIFICATE REQUEST").
Result<CsrInfo> parseCsrPem(std::string_view pem);

// A request for `key` with subject CN=commonName, O=organizations.
Result<std::string> createCsrPem(EVP_PKEY* key, std::string_view commonName,
                                 const std::vector<std::string>& organizations);

}  // namespace kcpp::pki
