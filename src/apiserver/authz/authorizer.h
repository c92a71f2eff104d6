#pragma once
// Authorizer: decides whether a user may perform a request, as upstream's
// authorizer chain (Allow / Deny / NoOpinion; the first non-NoOpinion wins). The
// server's chain, as upstream's `--authorization-mode=Node,RBAC`: members of
// system:masters may do anything, then the Node authorizer (authz/node), then
// RBAC (authz/rbac); NoOpinion at the end is a 403.

#include <memory>
#include <string>
#include <vector>

#include "apiserver/authn/authenticator.h"
#include "apiserver/request/request_info.h"

namespace kcpp::apiserver {

enum class Decision { Allow, Deny, NoOpinion };

// A decision with upstream's reason (appended to the 403 message, and a
// SubjectAccessReview's status.reason).
struct Verdict {
  Decision decision = Decision::NoOpinion;
  std::string reason;
};

// What a user may do in a namespace, as upstream's RuleResolver reports it to
// SelfSubjectRulesReview.
struct ResourceRuleInfo {
  std::vector<std::string> verbs, apiGroups, resources, resourceNames;
};
struct NonResourceRuleInfo {
  std::vector<std::string> verbs, nonResourceURLs;
};
struct UserRules {
  std::vector<ResourceRuleInfo> resourceRules;
  std::vector<NonResourceRuleInfo> nonResourceRules;
  bool incomplete = false;
  std::vector<std::string> errors;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual Decision authorize(const UserInfo& user, const RequestInfo& request) const = 0;
  // As authorize, with the reason; authorizers with reasons override it.
  virtual Verdict decide(const UserInfo& user, const RequestInfo& request) const {
    return Verdict{authorize(user, request), ""};
  }
  // Adds the rules this authorizer grants `user` in `ns` (cluster-wide rules
  // too) to `out`; the default contributes nothing.
  virtual void rulesFor(const UserInfo& /*user*/, const std::string& /*ns*/,
                        UserRules& /*out*/) const {}
};
using AuthorizerPtr = std::unique_ptr<Authorizer>;

// Allows every request of a member of one group (upstream: system:masters), and
// reports `*` rules for them.
class PrivilegedGroupAuthorizer : public Authorizer {
 public:
  explicit PrivilegedGroupAuthorizer(std::string group) : group_(std::move(group)) {}
  Decision authorize(const UserInfo& user, const RequestInfo& request) const override;
  void rulesFor(const UserInfo& user, const std::string& ns, UserRules& out) const override;

 private:
  std::string group_;
};

class UnionAuthorizer : public Authorizer {
 public:
  explicit UnionAuthorizer(std::vector<AuthorizerPtr> authorizers);
  Decision authorize(const UserInfo& user, const RequestInfo& request) const override;
  // The first non-NoOpinion decision; the reasons of every authorizer asked, one
  // a line, as upstream's union joins them.
  Verdict decide(const UserInfo& user, const RequestInfo& request) const override;
  void rulesFor(const UserInfo& user, const std::string& ns, UserRules& out) const override;

 private:
  std::vector<AuthorizerPtr> authorizers_;
};

// Upstream's 403 message, e.g. `configmaps "x" is forbidden: User "bob" cannot get
// resource "configmaps" in API group "" in the namespace "default"`, then
// `: <reason>` when the authorizers gave one.
std::string forbiddenMessage(const UserInfo& user, const RequestInfo& request,
                             const std::string& reason = "");

}  // namespace kcpp::apiserver
