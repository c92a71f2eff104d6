#include "apiserver/authz/authorizer.h"

namespace kcpp::apiserver {

Decision PrivilegedGroupAuthorizer::authorize(const UserInfo& user, const RequestInfo&) const {
  return user.inGroup(group_) ? Decision::Allow : Decision::NoOpinion;
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

std::string forbiddenMessage(const UserInfo& user, const RequestInfo& request) {
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
