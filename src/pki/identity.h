#pragma once
// The user a verified client certificate names, as upstream's x509 authenticator
// reads it (CommonNameUserConversion): user = subject CN, groups = every subject O.
// Adding "system:authenticated" is the authenticator's business, not this one's.

#include <openssl/ssl.h>

#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace kcpp::pki {

struct ClientIdentity {
  std::string user;
  std::vector<std::string> groups;

  bool operator==(const ClientIdentity&) const = default;
};

// The identity of a certificate the TLS layer already verified against the client CA.
// Unauthorized if it has no CN (upstream does not authenticate such certificates).
Result<ClientIdentity> identityFromCertificate(const X509* cert);

// The identity of the peer of an established TLS connection: nullopt if the client
// sent no certificate (the request goes on to other authenticators or 401), an
// Unauthorized error if it sent one that did not verify or has no CN.
Result<std::optional<ClientIdentity>> peerIdentity(const SSL* ssl);

}  // namespace kcpp::pki
