#include "apiserver/handlers/impersonation.h"

namespace kcpp::apiserver {

namespace {

constexpr std::string_view kServiceAccountPrefix = "system:serviceaccount:";

RequestInfo impersonation(const std::string& group, const std::string& resource,
                          const std::string& ns, const std::string& name) {
  RequestInfo r;
  r.isResourceRequest = true;
  r.verb = "impersonate";
  r.apiGroup = group;
  r.resource = resource;
  r.namespace_ = ns;
  r.name = name;
  return r;
}

Result<void> check(const UserInfo& user, const RequestInfo& asked, const Authorizer& authorizer) {
  if (authorizer.authorize(user, asked) == Decision::Allow) return {};
  Error e = makeError(Reason::Forbidden, forbiddenMessage(user, asked));
  e.name = asked.name;
  e.group = asked.apiGroup;
  e.kind = asked.resource;
  return e;
}

}  // namespace

Result<void> impersonate(ApiRequest& request, const Authorizer& authorizer) {
  if (request.impersonateUser.empty()) {
    if (!request.impersonateGroups.empty() || !request.impersonateUid.empty()) {
      return makeError(Reason::BadRequest,
                       "requested impersonation of groups or uid without impersonating a user");
    }
    return {};
  }
  const UserInfo& real = *request.user;
  UserInfo as;
  as.name = request.impersonateUser;
  as.uid = request.impersonateUid;
  if (as.name.starts_with(kServiceAccountPrefix)) {
    std::string rest = as.name.substr(kServiceAccountPrefix.size());
    auto colon = rest.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
      return makeError(Reason::InternalError, "Internal error occurred: invalid service account "
                                              "name \"" + as.name + "\"");
    }
    std::string ns = rest.substr(0, colon);
    if (auto ok = check(real, impersonation("", "serviceaccounts", ns, rest.substr(colon + 1)),
                        authorizer);
        !ok) {
      return ok;
    }
    // Without requested groups, a service account gets its usual ones.
    if (request.impersonateGroups.empty()) {
      as.groups = {"system:serviceaccounts", "system:serviceaccounts:" + ns};
    }
  } else if (auto ok = check(real, impersonation("", "users", "", as.name), authorizer); !ok) {
    return ok;
  }
  for (const auto& g : request.impersonateGroups) {
    if (auto ok = check(real, impersonation("", "groups", "", g), authorizer); !ok) return ok;
    as.groups.push_back(g);
  }
  if (!as.uid.empty()) {
    if (auto ok = check(real, impersonation("authentication.k8s.io", "uids", "", as.uid), authorizer);
        !ok) {
      return ok;
    }
  }
  // Upstream adds the authenticated (or, for anonymous, unauthenticated) group.
  std::string implied = as.name == "system:anonymous" ? "system:unauthenticated"
                                                      : "system:authenticated";
  if (!as.inGroup(implied)) as.groups.push_back(implied);
  request.user = std::move(as);
  return {};
}

}  // namespace kcpp::apiserver
