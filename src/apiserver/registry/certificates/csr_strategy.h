#pragma once
// CertificateSigningRequests (upstream pkg/registry/certificates): on create
// the server records who asks (spec.username, uid, groups) and clears the
// status; the spec is immutable; the request must be a PEM certificate
// request whose self-signature holds; signerName and usages are required; an
// expirationSeconds below 600 is refused; Approved and Denied exclude each
// other. The /approval subresource writes only status.conditions (registry).

#include "apiserver/registry/strategy.h"

namespace kcpp::apiserver {

class CsrStrategy : public Strategy {
 public:
  void prepareForCreateBy(json::object& obj, const UserInfo* user) const override;
  void prepareForUpdate(json::object& obj, const json::object& old) const override;
  std::vector<Cause> validate(const json::object& obj) const override;
};

}  // namespace kcpp::apiserver
