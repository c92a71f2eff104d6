#include "pki/identity.h"

#include "pki/certificate_info.h"

namespace kcpp::pki {

Result<ClientIdentity> identityFromCertificate(const X509* cert) {
  ClientIdentity identity{commonName(cert), organizations(cert)};
  if (identity.user.empty()) {
    return makeError(Reason::Unauthorized, "client certificate has no common name");
  }
  return identity;
}

Result<std::optional<ClientIdentity>> peerIdentity(const SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return std::optional<ClientIdentity>();
  long verdict = SSL_get_verify_result(ssl);
  if (verdict != X509_V_OK) {
    return makeError(Reason::Unauthorized,
                     std::string("client certificate rejected: ") + X509_verify_cert_error_string(verdict));
  }
  auto identity = identityFromCertificate(cert);
  if (!identity) return std::move(identity).error();
  return std::optional<ClientIdentity>(std::move(identity).value());
}

}  // namespace kcpp::pki
