#include "apiserver/registry/services/node_port_allocator.h"

#include <gtest/gtest.h>

#include <set>

namespace kcpp::apiserver {
namespace {

NodePortAllocatorPtr make(const char* range) {
  auto created = NodePortAllocator::create(range);
  EXPECT_TRUE(created.ok()) << range;
  return std::move(created).value();
}

TEST(NodePortAllocator, ParsesUpstreamRangeForms) {
  EXPECT_EQ((*NodePortAllocator::create("30000-32767"))->range(), "30000-32767");
  EXPECT_EQ((*NodePortAllocator::create("30000+10"))->range(), "30000-30009");
  EXPECT_EQ((*NodePortAllocator::create("30000"))->range(), "30000-30000");
  for (const char* bad : {"", "abc", "32767-30000", "0-10", "65000-70000", "1-2-3"}) {
    auto created = NodePortAllocator::create(bad);
    ASSERT_FALSE(created.ok()) << bad;
    EXPECT_EQ(created.error().reason, Reason::BadRequest);
  }
}

TEST(NodePortAllocator, RequestedPortsWithUpstreamMessages) {
  auto ports = make("30000-32767");
  EXPECT_TRUE(ports->allocate(30080).ok());
  EXPECT_TRUE(ports->has(30080));
  auto again = ports->allocate(30080);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().reason, Reason::Invalid);
  EXPECT_EQ(again.error().message, "provided port is already allocated");
  for (std::int64_t outside : {29999, 32768, 0, -1}) {
    auto refused = ports->allocate(outside);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message,
              "provided port is not in the valid range. The range of valid ports is 30000-32767");
  }
  EXPECT_TRUE(ports->allocate(30000).ok());
  EXPECT_TRUE(ports->allocate(32767).ok());
  ports->release(30080);
  EXPECT_FALSE(ports->has(30080));
  EXPECT_TRUE(ports->allocate(30080).ok());
  ports->release(80);  // outside: ignored
}

TEST(NodePortAllocator, DynamicPortsPreferTheUpperBand) {
  auto ports = make("30000-32767");
  for (int i = 0; i < 100; ++i) {
    auto port = ports->allocateNext();
    ASSERT_TRUE(port.ok());
    EXPECT_GE(*port, 30086);  // 30000..30085 stay free for static requests first
    EXPECT_LE(*port, 32767);
  }
}

TEST(NodePortAllocator, ExhaustsTheRange) {
  auto ports = make("31000-31004");
  std::set<std::int64_t> seen;
  for (int i = 0; i < 5; ++i) seen.insert(*ports->allocateNext());
  EXPECT_EQ(seen, (std::set<std::int64_t>{31000, 31001, 31002, 31003, 31004}));
  auto full = ports->allocateNext();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().message, "range is full");
}

}  // namespace
}  // namespace kcpp::apiserver
