#include "scheduler/plugins/defaultpreemption/default_preemption.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "scheduler/framework/framework.h"
#include "scheduler/framework/test_objects.h"
#include "scheduler/plugins/defaultbinder/default_binder.h"
#include "scheduler/plugins/noderesources/fit.h"
#include "scheduler/plugins/queuesort/priority_sort.h"

namespace kcpp::scheduler::plugins {
namespace {

// A handle over a fixed snapshot; deletes are recorded, not sent.
class FakeHandle : public Handle {
 public:
  const Snapshot& snapshot() const override { return snapshot_; }
  Framework& framework() override { return *framework_; }
  boost::asio::awaitable<Status> bindPod(const PodInfo&, const std::string&) override { co_return Status::success(); }
  boost::asio::awaitable<Status> deletePod(const PodInfo& pod, const PodInfo&, const std::string&) override {
    deleted.push_back(pod.name);
    co_return Status::success();
  }
  boost::asio::awaitable<Status> setNominatedNode(const PodInfo&, const std::string&) override {
    co_return Status::success();
  }
  std::vector<PodInfoPtr> nominatedPods(const std::string&) const override { return {}; }
  ObjectPtr lookup(const std::string&, const std::string&, const std::string&) const override { return nullptr; }

  Snapshot snapshot_;
  FrameworkPtr framework_;
  std::vector<std::string> deleted;
};

PodInfoPtr pod(const std::string& name, int priority, const std::string& cpu) {
  return testing::pod(R"({"metadata":{"name":")" + name + R"(","namespace":"d"},"spec":{"priority":)" +
                      std::to_string(priority) + R"(,"containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":")" +
                      cpu + R"("}}}]}})");
}

class PreemptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PluginRegistry registry;
    registry["PrioritySort"] = [](const boost::json::object&, Handle&) -> Result<PluginPtr> { return PluginPtr(std::make_shared<PrioritySort>()); };
    registry["NodeResourcesFit"] = [](const boost::json::object& a, Handle&) { return NodeResourcesFit::create(a); };
    registry["DefaultBinder"] = [](const boost::json::object&, Handle& h) -> Result<PluginPtr> { return PluginPtr(std::make_shared<DefaultBinder>(h)); };
    Profile p;
    p.queueSort = {"PrioritySort"};
    p.preFilter = {"NodeResourcesFit"};
    p.filter = {"NodeResourcesFit"};
    p.bind = {"DefaultBinder"};
    auto made = Framework::create(registry, p, handle);
    ASSERT_TRUE(made.ok()) << made.error().message;
    handle.framework_ = std::move(*made);
  }
  FakeHandle handle;
};

TEST_F(PreemptionTest, EvictsTheFewestLowestPriorityPods) {
  NodeInfo a = testing::node("a", "2"), b = testing::node("b", "2");
  a.addPod(pod("a-low", 1, "1"));
  a.addPod(pod("a-mid", 5, "1"));
  b.addPod(pod("b-mid1", 5, "1"));
  b.addPod(pod("b-mid2", 5, "1"));
  handle.snapshot_.nodes = {&a, &b};
  DefaultPreemption preemption(handle);
  CycleState state;
  std::map<std::string, Status> filtered{{"a", Status::unschedulable("Insufficient cpu")},
                                         {"b", Status::unschedulable("Insufficient cpu")}};
  std::map<std::string, Status> why;
  auto c = preemption.findCandidate(state, *pod("high", 10, "1"), filtered, why);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->node, "a");  // its victim has priority 1, b's would be 5
  ASSERT_EQ(c->victims.size(), 1u);
  EXPECT_EQ(c->victims[0]->name, "a-low");
}

TEST_F(PreemptionTest, NoCandidateGivesUpstreamsMessages) {
  NodeInfo a = testing::node("a", "2"), b = testing::node("b", "2");
  a.addPod(pod("a-high", 100, "2"));
  handle.snapshot_.nodes = {&a, &b};
  DefaultPreemption preemption(handle);
  CycleState state;
  std::map<std::string, Status> filtered{{"a", Status::unschedulable("Insufficient cpu")},
                                         {"b", Status::unresolvable("Insufficient cpu")}};
  boost::asio::io_context io;
  std::optional<PostFilterResult> result;
  boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
    result = co_await preemption.postFilter(state, pod("p", 10, "3"), filtered);
  }, boost::asio::detached);
  io.run();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->nominatedNodeName, "");
  EXPECT_EQ(result->status.message(),
            "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, "
            "1 Preemption is not helpful for scheduling.");
  auto never = testing::pod(R"({"metadata":{"name":"n","namespace":"d"},"spec":{"preemptionPolicy":"Never"}})");
  result.reset();
  boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
    result = co_await preemption.postFilter(state, never, filtered);
  }, boost::asio::detached);
  io.restart();
  io.run();
  EXPECT_EQ(result->status.message(), "not eligible due to preemptionPolicy=Never.");
}

TEST_F(PreemptionTest, DeletesVictimsAndNominatesTheNode) {
  NodeInfo a = testing::node("a", "2");
  a.addPod(pod("low", 1, "2"));
  handle.snapshot_.nodes = {&a};
  DefaultPreemption preemption(handle);
  CycleState state;
  std::map<std::string, Status> filtered{{"a", Status::unschedulable("Insufficient cpu")}};
  boost::asio::io_context io;
  std::optional<PostFilterResult> result;
  boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
    result = co_await preemption.postFilter(state, pod("high", 10, "2"), filtered);
  }, boost::asio::detached);
  io.run();
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->status.ok());
  EXPECT_EQ(result->nominatedNodeName, "a");
  EXPECT_EQ(handle.deleted, std::vector<std::string>{"low"});
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
