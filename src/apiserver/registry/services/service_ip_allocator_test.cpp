#include "apiserver/registry/services/service_ip_allocator.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace kcpp::apiserver {
namespace {

ServiceIpAllocatorPtr make(const char* cidr) {
  auto created = ServiceIpAllocator::create(cidr);
  EXPECT_TRUE(created.ok()) << cidr;
  return std::move(created).value();
}

TEST(ServiceIpAllocator, ParsesTheCidr) {
  auto ips = make("10.43.7.9/16");
  EXPECT_EQ(ips->cidr(), "10.43.0.0/16");
  EXPECT_EQ(ips->firstAddress(), "10.43.0.1");
  EXPECT_EQ(ips->freeCount(), 65534u);
  for (const char* bad :
       {"10.43.0.0", "10.43.0.0/31", "10.43.0.0/0", "fd00::/112", "x/16", "10.43.0.0/16x"}) {
    auto created = ServiceIpAllocator::create(bad);
    ASSERT_FALSE(created.ok()) << bad;
    EXPECT_EQ(created.error().reason, Reason::BadRequest);
  }
}

TEST(ServiceIpAllocator, RequestedIpsWithUpstreamMessages) {
  auto ips = make("10.43.0.0/16");
  EXPECT_TRUE(ips->allocate("10.43.0.5").ok());
  EXPECT_TRUE(ips->has("10.43.0.5"));
  auto again = ips->allocate("10.43.0.5");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().reason, Reason::Invalid);
  EXPECT_EQ(again.error().message, "provided IP is already allocated");
  auto outside = ips->allocate("10.44.0.5");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message, "the provided network does not match the current range");
  for (const char* edge : {"10.43.0.0", "10.43.255.255"}) {
    auto refused = ips->allocate(edge);
    ASSERT_FALSE(refused.ok()) << edge;
    EXPECT_EQ(refused.error().message, std::string("the provided IP (") + edge +
                                           ") is not in the valid range. The range of valid IPs "
                                           "is 10.43.0.0/16");
  }
  EXPECT_TRUE(ips->allocate("10.43.255.254").ok());
  EXPECT_EQ(ips->allocate("not-an-ip").error().reason, Reason::InternalError);
  ips->release("10.43.0.5");
  EXPECT_FALSE(ips->has("10.43.0.5"));
  EXPECT_TRUE(ips->allocate("10.43.0.5").ok());
  ips->release("192.168.0.1");  // outside: ignored
}

TEST(ServiceIpAllocator, DynamicIpsAreInRangeAndAvoidTheStaticBand) {
  auto ips = make("10.43.0.0/16");
  for (int i = 0; i < 200; ++i) {
    auto ip = ips->allocateNext();
    ASSERT_TRUE(ip.ok());
    auto address = parseIpv4(*ip);
    ASSERT_TRUE(address);
    // The first 256 addresses after the network address are kept for static requests.
    EXPECT_GE(*address, *parseIpv4("10.43.1.1")) << *ip;
    EXPECT_LE(*address, *parseIpv4("10.43.255.254")) << *ip;
  }
}

TEST(ServiceIpAllocator, ExhaustsASmallRange) {
  auto ips = make("192.168.5.0/29");  // .1 to .6
  std::set<std::string> seen;
  for (int i = 0; i < 6; ++i) {
    auto ip = ips->allocateNext();
    ASSERT_TRUE(ip.ok());
    EXPECT_TRUE(seen.insert(*ip).second);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"192.168.5.1", "192.168.5.2", "192.168.5.3", "192.168.5.4",
                                         "192.168.5.5", "192.168.5.6"}));
  auto full = ips->allocateNext();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().message, "range is full");
  ips->release("192.168.5.4");
  EXPECT_EQ(*ips->allocateNext(), "192.168.5.4");
}

TEST(ServiceIpAllocator, ConcurrentAllocationsNeverCollide) {
  auto ips = make("10.96.0.0/22");
  std::mutex mutex;
  std::set<std::string> seen;
  int duplicates = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto ip = ips->allocateNext();
        if (!ip) continue;
        std::lock_guard lock(mutex);
        if (!seen.insert(*ip).second) ++duplicates;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(seen.size(), 800u);
}

}  // namespace
}  // namespace kcpp::apiserver
