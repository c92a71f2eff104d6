#include "apiserver/authz/authorizer.h"

namespace kcpp::apiserver {

static std::string forbiddenMessageWithoutReason(const UserInfo& user, const RequestInfo& request);

Decision PrivilegedGroupAuthorizer::authorize(const UserInfo& user, const RequestInfo&) const {
  return user.inGroup(group_) ? Decision::Allow : Decision::NoOpinion;
}

void PrivilegedGroupAuthorizer::rulesFor(const UserInfo& user, const std::string&,
                                         UserRules& out) const {
  if (!user.inGroup(group_)) return;
  out.resourceRules.push_back(ResourceRuleInfo{{"*"}, {"*"}, {"*"}, {}});
  out.nonResourceRules.push_back(NonResourceRuleInfo{{"*"}, {"*"}});
}

UnionAuthorizer::UnionAuthorizer(std::vector<AuthorizerPtr> authorizers)
    : authorizers_(std::move(authorizers)) {}

Decision UnionAuthorizer::authorize(const UserInfo& user, const RequestInfo& request) const {
  for (const auto& a : authorizers_) {
    Decision d = a->authorize(user, request);
    if (d != Decision::NoOpinion) return d;
  }
  return Decision::NoOpinion;
}

Verdict UnionAuthorizer::decide(const UserInfo& user, const RequestInfo& request) const {
  std::string reasons;
  for (const auto& a : authorizers_) {
    Verdict v = a->decide(user, request);
    if (!v.reason.empty()) reasons += (reasons.empty() ? "" : "\n") + v.reason;
    if (v.decision != Decision::NoOpinion) return Verdict{v.decision, std::move(reasons)};
  }
  return Verdict{Decision::NoOpinion, std::move(reasons)};
}

void UnionAuthorizer::rulesFor(const UserInfo& user, const std::string& ns, UserRules& out) const {
  for (const auto& a : authorizers_) a->rulesFor(user, ns, out);
}

std::string forbiddenMessage(const UserInfo& user, const RequestInfo& request,
                             const std::string& reason) {
  std::string message = forbiddenMessageWithoutReason(user, request);
  if (!reason.empty()) message += ": " + reason;
  return message;
}

static std::string forbiddenMessageWithoutReason(const UserInfo& user, const RequestInfo& request) {
  std::string who = "User \"" + user.name + "\"";
  if (!request.isResourceRequest) {
    return "forbidden: " + who + " cannot " + request.verb + " path \"" + request.path + "\"";
  }
  std::string resource = request.resource;
  if (!request.apiGroup.empty()) resource += "." + request.apiGroup;
  std::string subject = request.name.empty() ? resource : resource + " \"" + request.name + "\"";
  std::string target = request.subresource.empty() ? request.resource
                                                   : request.resource + "/" + request.subresource;
  std::string message = subject + " is forbidden: " + who + " cannot " + request.verb +
                        " resource \"" + target + "\" in API group \"" + request.apiGroup + "\"";
  if (!request.namespace_.empty()) {
    message += " in the namespace \"" + request.namespace_ + "\"";
  } else {
    message += " at the cluster scope";
  }
  return message;
}

}  // namespace kcpp::apiserver
