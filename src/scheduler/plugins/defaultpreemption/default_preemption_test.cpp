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
  std::vector<ObjectPtr> list(const std::string& resource, const std::string& ns) const override {
    std::vector<ObjectPtr> out;
    if (resource != "poddisruptionbudgets") return out;
    for (const auto& pdb : pdbs) {
      if (pdb->at("metadata").at("namespace").as_string() == ns) out.push_back(pdb);
    }
    return out;
  }
  void addBudget(const std::string& selectorApp, int allowed, const std::string& disrupted = "") {
    std::string text = R"({"metadata":{"name":"b","namespace":"d"},"spec":{"selector":{"matchLabels":{"app":")" +
                       selectorApp + R"("}}},"status":{"disruptionsAllowed":)" + std::to_string(allowed) +
                       (disrupted.empty() ? "" : R"(,"disruptedPods":{")" + disrupted + R"(":"2026-01-01T00:00:00Z"})") +
                       "}}";
    pdbs.push_back(std::make_shared<const boost::json::object>(boost::json::parse(text).as_object()));
  }
  std::vector<ObjectPtr> pdbs;

  Snapshot snapshot_;
  FrameworkPtr framework_;
  std::vector<std::string> deleted;
};

PodInfoPtr pod(const std::string& name, int priority, const std::string& cpu, const std::string& app = "x") {
  return testing::pod(R"({"metadata":{"name":")" + name + R"(","namespace":"d","labels":{"app":")" + app +
                      R"("}},"spec":{"priority":)" +
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

TEST_F(PreemptionTest, PrefersTheNodeWhoseVictimsViolateNoBudget) {
  NodeInfo a = testing::node("a", "2"), b = testing::node("b", "2");
  a.addPod(pod("a-db", 1, "2", "db"));     // protected: no disruption allowed
  b.addPod(pod("b-web", 5, "2", "web"));  // higher priority, but unprotected
  handle.snapshot_.nodes = {&a, &b};
  handle.addBudget("db", 0);
  DefaultPreemption preemption(handle);
  CycleState state;
  std::map<std::string, Status> filtered{{"a", Status::unschedulable("Insufficient cpu")},
                                         {"b", Status::unschedulable("Insufficient cpu")}};
  std::map<std::string, Status> why;
  auto c = preemption.findCandidate(state, *pod("high", 10, "1"), filtered, why);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->node, "b");
  EXPECT_EQ(c->numPDBViolations, 0);
  // With room allowed by the budget, the lower priority victim wins again.
  handle.pdbs.clear();
  handle.addBudget("db", 1);
  why.clear();
  c = preemption.findCandidate(state, *pod("high", 10, "1"), filtered, why);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->node, "a");
}

TEST_F(PreemptionTest, ViolatingPodsAreReprievedFirst) {
  // Either pod's eviction makes room; evicting the protected one would violate.
  NodeInfo a = testing::node("a", "2");
  a.addPod(pod("protected", 1, "1", "db"));
  a.addPod(pod("plain", 3, "1", "web"));
  handle.snapshot_.nodes = {&a};
  handle.addBudget("db", 0);
  DefaultPreemption preemption(handle);
  CycleState state;
  std::map<std::string, Status> filtered{{"a", Status::unschedulable("Insufficient cpu")}};
  std::map<std::string, Status> why;
  auto c = preemption.findCandidate(state, *pod("high", 10, "1"), filtered, why);
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(c->victims.size(), 1u);
  EXPECT_EQ(c->victims[0]->name, "plain");
  EXPECT_EQ(c->numPDBViolations, 0);
  // When the protected pod must go anyway, the violation is counted.
  auto c2 = preemption.findCandidate(state, *pod("bigger", 10, "2"), filtered, why);
  ASSERT_TRUE(c2.has_value());
  EXPECT_EQ(c2->victims.size(), 2u);
  EXPECT_EQ(c2->numPDBViolations, 1);
}

TEST(DisruptionBudgets, SplitCountsDownAllowedAndSkipsDisruptedPods) {
  auto budget = [](int allowed, const std::string& disrupted) {
    std::string text = R"({"metadata":{"name":"b","namespace":"d"},"spec":{"selector":{"matchLabels":{"app":"db"}}},
        "status":{"disruptionsAllowed":)" + std::to_string(allowed) + R"(,"disruptedPods":{")" + disrupted +
                       R"(":"2026-01-01T00:00:00Z"}}})";
    return parseDisruptionBudget(boost::json::parse(text).as_object());
  };
  std::vector<PodInfoPtr> pods{pod("d1", 1, "1", "db"), pod("d2", 1, "1", "db"), pod("w", 1, "1", "web"),
                               pod("gone", 1, "1", "db")};
  std::vector<PodInfoPtr> violating, nonViolating;
  splitByBudgetViolation(pods, {budget(1, "gone")}, violating, nonViolating);
  ASSERT_EQ(violating.size(), 1u);
  EXPECT_EQ(violating[0]->name, "d2");
  ASSERT_EQ(nonViolating.size(), 3u);
  // An empty selector protects nothing (upstream skips it).
  auto empty = parseDisruptionBudget(boost::json::parse(
      R"({"metadata":{"name":"e","namespace":"d"},"spec":{"selector":{}}})").as_object());
  violating.clear();
  nonViolating.clear();
  splitByBudgetViolation(pods, {empty}, violating, nonViolating);
  EXPECT_TRUE(violating.empty());
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
