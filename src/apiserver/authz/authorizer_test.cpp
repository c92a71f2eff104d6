#include "apiserver/authz/authorizer.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver {

TEST(Authz, MastersAllowedOthersNoOpinion) {
  std::vector<AuthorizerPtr> list;
  list.push_back(std::make_unique<PrivilegedGroupAuthorizer>("system:masters"));
  UnionAuthorizer authz(std::move(list));
  RequestInfo req = parseRequestInfo("GET", "/api/v1/namespaces/default/configmaps/x", {});
  EXPECT_EQ(authz.authorize(UserInfo{"admin", "", {"system:masters"}}, req), Decision::Allow);
  EXPECT_EQ(authz.authorize(UserInfo{"bob", "", {}}, req), Decision::NoOpinion);
}

TEST(Authz, ForbiddenMessageAsUpstream) {
  RequestInfo req = parseRequestInfo("GET", "/api/v1/namespaces/default/configmaps/x", {});
  EXPECT_EQ(forbiddenMessage(UserInfo{"bob", "", {}}, req),
            "configmaps \"x\" is forbidden: User \"bob\" cannot get resource \"configmaps\" in "
            "API group \"\" in the namespace \"default\"");
  RequestInfo list = parseRequestInfo("GET", "/apis/apps/v1/deployments", {});
  EXPECT_EQ(forbiddenMessage(UserInfo{"bob", "", {}}, list),
            "deployments.apps is forbidden: User \"bob\" cannot list resource \"deployments\" in "
            "API group \"apps\" at the cluster scope");
}

}  // namespace kcpp::apiserver
