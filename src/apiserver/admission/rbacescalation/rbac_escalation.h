#pragma once
// RBAC escalation prevention, as upstream's policy-based storage of roles and
// bindings (pkg/registry/rbac/*/policybased): a client may create or update a
// Role/ClusterRole only with rules it holds itself (or with the `escalate` verb on
// roles/clusterroles), an aggregated ClusterRole only with cluster-admin's
// authority, and a RoleBinding/ClusterRoleBinding only to a role whose rules it
// holds (or with the `bind` verb on that role). Members of system:masters are
// exempt; updates that only touch ownerReferences/finalizers are too (the
// garbage collector's writes).
//
// Upstream does this in the REST storage, not in admission. kcpp runs it as a
// validating admission plugin that is always on (it is not in the plugin table,
// so --disable-admission-plugins cannot turn it off): the Registry already runs
// admission exactly for client writes (server writes carry no user and skip it,
// as upstream's context without a user skips the check), at the point upstream's
// storage check runs — after decoding, defaulting and validation.

#include "apiserver/admission/admission.h"
#include "apiserver/authz/authorizer.h"
#include "apiserver/authz/rbac/rbac_authorizer.h"

namespace kcpp::apiserver::admission {

class RbacEscalationCheck : public Plugin {
 public:
  // `rules` answers what a user holds; `authorizer` (the server's whole chain)
  // whether it may escalate or bind.
  RbacEscalationCheck(const rbac::RbacAuthorizer& rules, const Authorizer& authorizer)
      : rules_(rules), authorizer_(authorizer) {}
  std::string_view name() const override { return "RBACEscalationCheck"; }
  boost::asio::awaitable<Result<void>> validate(const Attributes& attrs) override;

 private:
  Result<void> role(const Attributes& attrs) const;
  Result<void> binding(const Attributes& attrs) const;
  bool allowedVerb(const Attributes& attrs, const std::string& verb, const std::string& resource,
                   const std::string& name, const std::string& group) const;
  Result<void> confirmNoEscalation(const Attributes& attrs,
                                   const std::vector<rbac::PolicyRule>& granted) const;

  const rbac::RbacAuthorizer& rules_;
  const Authorizer& authorizer_;
};

// Upstream's IsOnlyMutatingGCFields: the update changes nothing but
// metadata.ownerReferences and metadata.finalizers.
bool onlyGcFieldsChanged(const json::object& next, const json::object& old);

}  // namespace kcpp::apiserver::admission
