#include "api/validation/names.h"

#include <gtest/gtest.h>

namespace kcpp::api {

TEST(Names, SubdomainAcceptsDotsRejectsUpperCase) {
  EXPECT_TRUE(nameProblems(NameRule::Dns1123Subdomain, "a.b-c.d9").empty());
  auto problems = nameProblems(NameRule::Dns1123Subdomain, "Foo");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("a lowercase RFC 1123 subdomain"), std::string::npos);
}

TEST(Names, LabelRejectsDotsAndLength) {
  EXPECT_TRUE(nameProblems(NameRule::Dns1123Label, "kube-system").empty());
  EXPECT_EQ(nameProblems(NameRule::Dns1123Label, "a.b").size(), 1u);
  auto problems = nameProblems(NameRule::Dns1123Label, std::string(64, 'a'));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "must be no more than 63 characters");
}

TEST(Names, Dns1035NeedsLeadingLetter) {
  EXPECT_TRUE(nameProblems(NameRule::Dns1035Label, "redis-service").empty());
  EXPECT_EQ(nameProblems(NameRule::Dns1035Label, "1redis").size(), 1u);
}

TEST(Names, PathSegment) {
  EXPECT_TRUE(nameProblems(NameRule::PathSegment, "system:admin").empty());
  EXPECT_EQ(nameProblems(NameRule::PathSegment, "..").size(), 1u);
  EXPECT_EQ(nameProblems(NameRule::PathSegment, "a/b%c").size(), 2u);
}

}  // namespace kcpp::api
