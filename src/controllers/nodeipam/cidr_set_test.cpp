#include "controllers/nodeipam/cidr_set.h"

#include <gtest/gtest.h>

namespace kcpp::controllers::nodeipam {
namespace {

TEST(CidrSet, HandsOutSubnetsInOrderAndReportsFull) {
  auto set = CidrSet::create("10.99.0.0/23", 24);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->capacity(), 2);
  EXPECT_EQ(*set->allocateNext(), "10.99.0.0/24");
  EXPECT_EQ(*set->allocateNext(), "10.99.1.0/24");
  auto full = set->allocateNext();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().message, "CIDR range is full");
  ASSERT_TRUE(set->release("10.99.0.0/24").ok());
  EXPECT_EQ(*set->allocateNext(), "10.99.0.0/24");
}

TEST(CidrSet, GoesRoundFromTheLastAllocationAsUpstream) {
  auto set = CidrSet::create("10.42.0.0/16", 24);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->capacity(), 256);
  EXPECT_EQ(*set->allocateNext(), "10.42.0.0/24");
  EXPECT_EQ(*set->allocateNext(), "10.42.1.0/24");
  ASSERT_TRUE(set->release("10.42.0.0/24").ok());
  EXPECT_EQ(*set->allocateNext(), "10.42.2.0/24");
  EXPECT_EQ(set->allocated(), 2);
}

TEST(CidrSet, OccupiedSubnetsAreSkipped) {
  auto set = CidrSet::create("10.42.0.0/16", 24);
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE(set->occupy("10.42.0.0/24").ok());
  ASSERT_TRUE(set->occupy("10.42.2.7/24").ok());  // host bits are cleared
  EXPECT_EQ(*set->allocateNext(), "10.42.1.0/24");
  EXPECT_EQ(*set->allocateNext(), "10.42.3.0/24");
  // A wider CIDR covers several node subnets; one overlapping the edge only its part.
  ASSERT_TRUE(set->occupy("10.42.4.0/23").ok());
  EXPECT_EQ(*set->allocateNext(), "10.42.6.0/24");
  EXPECT_EQ(set->allocated(), 7);
  auto outside = set->occupy("10.43.0.0/24");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message, "cidr 10.43.0.0/24 is out the range of cluster cidr 10.42.0.0/16");
}

TEST(CidrSet, RejectsInvalidConfiguration) {
  auto bad = CidrSet::create("10.42.0.0", 24);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "invalid --cluster-cidr \"10.42.0.0\": invalid CIDR address: 10.42.0.0 (kcpp allocates IPv4 node CIDRs only)");
  EXPECT_FALSE(CidrSet::create("10.42.0.300/16", 24).ok());
  EXPECT_FALSE(CidrSet::create("10.42.0.0/33", 24).ok());
  EXPECT_FALSE(CidrSet::create("fd00::/48", 64).ok());
  auto tooSmall = CidrSet::create("10.42.0.0/16", 12);
  ASSERT_FALSE(tooSmall.ok());
  EXPECT_EQ(tooSmall.error().message,
            "mask size of cluster CIDR 10.42.0.0/16 must be less than or equal to --node-cidr-mask-size (12)");
  EXPECT_FALSE(CidrSet::create("10.0.0.0/8", 28).ok());  // 2^20 subnets
  EXPECT_TRUE(CidrSet::create("10.0.0.0/8", 24).ok());
}

}  // namespace
}  // namespace kcpp::controllers::nodeipam
