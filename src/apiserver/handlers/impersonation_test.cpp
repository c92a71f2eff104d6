#include "apiserver/handlers/impersonation.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver {

namespace {

// "root" may impersonate anything; others nothing.
class RootOnly : public Authorizer {
 public:
  Decision authorize(const UserInfo& user, const RequestInfo& r) const override {
    if (user.name == "root" && r.verb == "impersonate") return Decision::Allow;
    return Decision::NoOpinion;
  }
};

ApiRequest as(const std::string& real, const std::string& user,
              std::vector<std::string> groups = {}) {
  ApiRequest r;
  r.user = UserInfo{real, "", {"system:authenticated"}};
  r.impersonateUser = user;
  r.impersonateGroups = std::move(groups);
  return r;
}

}  // namespace

TEST(Impersonation, ReplacesTheUserWhenAllowed) {
  RootOnly authz;
  ApiRequest r = as("root", "alice", {"devs"});
  ASSERT_TRUE(impersonate(r, authz));
  EXPECT_EQ(r.user->name, "alice");
  EXPECT_EQ(r.user->groups, (std::vector<std::string>{"devs", "system:authenticated"}));
  ApiRequest sa = as("root", "system:serviceaccount:ns1:builder");
  ASSERT_TRUE(impersonate(sa, authz));
  EXPECT_EQ(sa.user->groups, (std::vector<std::string>{"system:serviceaccounts",
                                                       "system:serviceaccounts:ns1",
                                                       "system:authenticated"}));
  ApiRequest none;
  none.user = UserInfo{"bob", "", {}};
  ASSERT_TRUE(impersonate(none, authz));
  EXPECT_EQ(none.user->name, "bob");
}

TEST(Impersonation, ForbiddenAsUpstream) {
  RootOnly authz;
  ApiRequest r = as("bob", "alice");
  auto ok = impersonate(r, authz);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().reason, Reason::Forbidden);
  EXPECT_EQ(ok.error().message, "users \"alice\" is forbidden: User \"bob\" cannot impersonate "
                                "resource \"users\" in API group \"\" at the cluster scope");
  ApiRequest sa = as("bob", "system:serviceaccount:ns1:builder");
  ok = impersonate(sa, authz);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().message,
            "serviceaccounts \"builder\" is forbidden: User \"bob\" cannot impersonate resource "
            "\"serviceaccounts\" in API group \"\" in the namespace \"ns1\"");
  ApiRequest groupsOnly = as("root", "");
  groupsOnly.impersonateGroups = {"g"};
  EXPECT_EQ(impersonate(groupsOnly, authz).error().reason, Reason::BadRequest);
}

}  // namespace kcpp::apiserver
