#include "scheduler/plugins/queuesort/priority_sort.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

TEST(PrioritySort, HigherPriorityFirstThenEarlierTimestamp) {
  auto now = std::chrono::steady_clock::now();
  QueuedPodInfo low{testing::pod(R"({"metadata":{"name":"a","namespace":"d"},"spec":{"priority":1}})"), now, now, 0};
  QueuedPodInfo high{testing::pod(R"({"metadata":{"name":"b","namespace":"d"},"spec":{"priority":10}})"),
                     now + std::chrono::seconds(1), now, 0};
  QueuedPodInfo lowLater{low.pod, now + std::chrono::seconds(2), now, 0};
  PrioritySort sort;
  EXPECT_TRUE(sort.less(high, low));
  EXPECT_FALSE(sort.less(low, high));
  EXPECT_TRUE(sort.less(low, lowLater));
  EXPECT_FALSE(sort.less(lowLater, low));
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
