#include "scheduler/scheduling_queue.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "scheduler/framework/test_objects.h"
#include "scheduler/plugins/queuesort/priority_sort.h"

namespace kcpp::scheduler {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class QueueTest : public ::testing::Test {
 protected:
  SchedulingQueue::Less less() {
    return [this](const QueuedPodInfo& a, const QueuedPodInfo& b) { return sort.less(a, b); };
  }
  PodInfoPtr pod(const std::string& name, int priority = 0) {
    return testing::pod(R"({"metadata":{"name":")" + name + R"(","namespace":"d"},"spec":{"priority":)" +
                        std::to_string(priority) + "}}");
  }
  QueuedPodInfo pop(SchedulingQueue& q) {
    auto f = asio::co_spawn(io, q.pop(), asio::use_future);
    io.restart();
    io.run_for(100ms);
    EXPECT_EQ(f.wait_for(0s), std::future_status::ready);
    return *f.get();
  }
  asio::io_context io;
  plugins::PrioritySort sort;
};

TEST_F(QueueTest, PopsByPriorityThenArrival) {
  SchedulingQueue q(io.get_executor(), less());
  q.add(pod("a", 1));
  q.add(pod("b", 5));
  q.add(pod("c", 1));
  EXPECT_EQ(pop(q).pod->name, "b");
  EXPECT_EQ(pop(q).pod->name, "a");
  EXPECT_EQ(pop(q).pod->name, "c");
}

TEST_F(QueueTest, BackoffDoublesFromOneToTenSeconds) {
  SchedulingQueue q(io.get_executor(), less());
  EXPECT_EQ(q.backoffDuration(1), 1s);
  EXPECT_EQ(q.backoffDuration(2), 2s);
  EXPECT_EQ(q.backoffDuration(4), 8s);
  EXPECT_EQ(q.backoffDuration(5), 10s);
  EXPECT_EQ(q.backoffDuration(20), 10s);
}

TEST_F(QueueTest, UnschedulablePodsWaitForAnEventThenBackOff) {
  SchedulingQueue q(io.get_executor(), less());
  q.add(pod("a"));
  QueuedPodInfo a = pop(q);
  q.requeueFailed(a, true, q.schedulingCycle());
  EXPECT_EQ(q.unschedulableCount(), 1u);
  EXPECT_EQ(q.activeCount(), 0u);
  // A node was added: still backing off (1 s), so to backoffQ, then active once it ends.
  q.moveAllToActiveOrBackoff();
  EXPECT_EQ(q.unschedulableCount(), 0u);
  EXPECT_EQ(q.backoffCount(), 1u);
  q.flushBackoffCompleted(SchedulingQueue::Clock::now() + 2s);
  EXPECT_EQ(q.activeCount(), 1u);
  EXPECT_EQ(pop(q).attempts, 2);
}

TEST_F(QueueTest, AnEventDuringTheAttemptSendsThePodToBackoffNotUnschedulable) {
  SchedulingQueue q(io.get_executor(), less());
  q.add(pod("a"));
  QueuedPodInfo a = pop(q);
  std::uint64_t cycle = q.schedulingCycle();
  q.moveAllToActiveOrBackoff();
  q.requeueFailed(a, true, cycle);
  EXPECT_EQ(q.unschedulableCount(), 0u);
  EXPECT_EQ(q.backoffCount(), 1u);
}

TEST_F(QueueTest, LeftoverUnschedulablePodsAreFlushedAfterFiveMinutes) {
  SchedulingQueue q(io.get_executor(), less());
  q.add(pod("a"));
  QueuedPodInfo a = pop(q);
  q.requeueFailed(a, true, q.schedulingCycle());
  q.flushUnschedulableLeftover(SchedulingQueue::Clock::now() + 4min);
  EXPECT_EQ(q.unschedulableCount(), 1u);
  q.flushUnschedulableLeftover(SchedulingQueue::Clock::now() + 6min);
  EXPECT_EQ(q.unschedulableCount(), 0u);
  EXPECT_EQ(q.activeCount(), 1u);
}

TEST_F(QueueTest, DeletedWhileInFlightIsDropped) {
  SchedulingQueue q(io.get_executor(), less());
  q.add(pod("a"));
  QueuedPodInfo a = pop(q);
  q.remove("d/a");
  q.requeueFailed(a, true, q.schedulingCycle());
  EXPECT_EQ(q.unschedulableCount() + q.backoffCount() + q.activeCount(), 0u);
}

}  // namespace
}  // namespace kcpp::scheduler
