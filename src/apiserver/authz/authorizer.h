#pragma once
// Authorizer: decides whether a user may perform a request, as upstream's
// authorizer chain (Allow / Deny / NoOpinion; the first non-NoOpinion wins). The
// server's chain: members of system:masters may do anything, then RBAC
// (authz/rbac); NoOpinion at the end is a 403.

#include <memory>
#include <string>
#include <vector>

#include "apiserver/authn/authenticator.h"
#include "apiserver/request/request_info.h"

namespace kcpp::apiserver {

enum class Decision { Allow, Deny, NoOpinion };

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual Decision authorize(const UserInfo& user, const RequestInfo& request) const = 0;
};
using AuthorizerPtr = std::unique_ptr<Authorizer>;

// Allows every request of a member of one group (upstream: system:masters).
class PrivilegedGroupAuthorizer : public Authorizer {
 public:
  explicit PrivilegedGroupAuthorizer(std::string group) : group_(std::move(group)) {}
  Decision authorize(const UserInfo& user, const RequestInfo& request) const override;

 private:
  std::string group_;
};

class UnionAuthorizer : public Authorizer {
 public:
  explicit UnionAuthorizer(std::vector<AuthorizerPtr> authorizers);
  Decision authorize(const UserInfo& user, const RequestInfo& request) const override;

 private:
  std::vector<AuthorizerPtr> authorizers_;
};

// Upstream's 403 message, e.g. `configmaps "x" is forbidden: User "bob" cannot get
// resource "configmaps" in API group "" in the namespace "default"`.
std::string forbiddenMessage(const UserInfo& user, const RequestInfo& request);

}  // namespace kcpp::apiserver
