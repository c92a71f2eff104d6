#include "apiserver/registry/services/range_allocation_map.h"

#include <gtest/gtest.h>

#include <set>

namespace kcpp::apiserver {
namespace {

TEST(RangeAllocationMap, AllocateHasRelease) {
  RangeAllocationMap map(10, 0);
  EXPECT_TRUE(map.allocate(3));
  EXPECT_FALSE(map.allocate(3));
  EXPECT_TRUE(map.has(3));
  EXPECT_EQ(map.freeCount(), 9u);
  map.release(3);
  map.release(3);  // releasing a free index does nothing
  EXPECT_FALSE(map.has(3));
  EXPECT_EQ(map.freeCount(), 10u);
  EXPECT_FALSE(map.has(99));
}

TEST(RangeAllocationMap, DynamicPrefersTheUpperBand) {
  RangeAllocationMap map(100, 20);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 80; ++i) {
    auto index = map.allocateNext();
    ASSERT_TRUE(index);
    EXPECT_GE(*index, 20u) << "upper band first";
    EXPECT_TRUE(seen.insert(*index).second);
  }
  for (int i = 0; i < 20; ++i) {
    auto index = map.allocateNext();
    ASSERT_TRUE(index);
    EXPECT_LT(*index, 20u) << "then the lower band";
    EXPECT_TRUE(seen.insert(*index).second);
  }
  EXPECT_FALSE(map.allocateNext()) << "full";
  map.release(42);
  EXPECT_EQ(map.allocateNext(), 42u);
}

TEST(RangeAllocationMap, DynamicIsRandom) {
  RangeAllocationMap a(65534, 256), b(65534, 256);
  std::set<std::uint64_t> first;
  for (int i = 0; i < 5; ++i) first.insert(*a.allocateNext());
  EXPECT_EQ(first.size(), 5u);
  EXPECT_FALSE(first.count(256) && first.count(257) && first.count(258)) << "not sequential";
}

TEST(RangeAllocationMap, UpstreamBandSizes) {
  // Service CIDRs: min(max(16, size/16), 256) on the CIDR's size.
  EXPECT_EQ(rangeOffset(65536, 16, 256, 16), 256u);  // /16
  EXPECT_EQ(rangeOffset(256, 16, 256, 16), 16u);     // /24
  EXPECT_EQ(rangeOffset(16, 16, 256, 16), 0u);       // /28
  EXPECT_EQ(rangeOffset(1024, 16, 256, 16), 64u);    // /22
  // Node ports: min(max(16, size/32), 128).
  EXPECT_EQ(rangeOffset(2768, 16, 128, 32), 86u);  // 30000-32767
  EXPECT_EQ(rangeOffset(100, 16, 128, 32), 16u);
  EXPECT_EQ(rangeOffset(10, 16, 128, 32), 0u);
}

}  // namespace
}  // namespace kcpp::apiserver
