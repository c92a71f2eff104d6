#include "kubelet/podworkers/pod_workers.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kcpp::kubelet::podworkers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

json::object pod(const std::string& uid, bool deleting = false) {
  json::object meta{{"name", "p-" + uid}, {"namespace", "ns"}, {"uid", uid}};
  if (deleting) meta["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  return json::object{{"metadata", meta}, {"spec", json::object{}}};
}

// Records the steps; each takes `stepTime` so overlapping steps would show.
class FakeSyncer : public PodSyncer {
 public:
  explicit FakeSyncer(asio::io_context& io) : io_(io) {}
  std::vector<std::string> log;
  int active = 0, maxActive = 0;
  bool terminal = false;
  int failTerminations = 0;
  std::optional<std::chrono::milliseconds> retry;

  Awaitable<void> busy() {
    ++active;
    maxActive = std::max(maxActive, active);
    asio::steady_timer t(io_, 5ms);
    co_await t.async_wait(asio::use_awaitable);
    --active;
  }
  Awaitable<SyncOutcome> syncPod(const json::object& p) override {
    co_await busy();
    log.push_back("sync " + std::string(p.at("metadata").at("uid").as_string()));
    co_return SyncOutcome{terminal, retry};
  }
  Awaitable<Result<void>> terminatePod(const json::object& p) override {
    co_await busy();
    if (failTerminations > 0) {
      --failTerminations;
      log.push_back("terminate-failed");
      co_return makeError(Reason::InternalError, "stop failed");
    }
    log.push_back("terminate " + std::string(p.at("metadata").at("uid").as_string()));
    co_return Result<void>{};
  }
  Awaitable<Result<void>> terminatedPod(const json::object& p, bool gone) override {
    co_await busy();
    log.push_back(std::string(gone ? "gone " : "terminated ") + std::string(p.at("metadata").at("uid").as_string()));
    co_return Result<void>{};
  }
  int count(const std::string& entry) const { return static_cast<int>(std::count(log.begin(), log.end(), entry)); }

 private:
  asio::io_context& io_;
};

class PodWorkersTest : public ::testing::Test {
 protected:
  void runUntil(std::function<bool()> done, std::chrono::milliseconds limit = 3s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_one_for(10ms);
    }
  }
  asio::io_context io;
  FakeSyncer syncer{io};
  PodWorkers workers{io.get_executor(), syncer, PodWorkersOptions{200ms, 20ms}};
};

TEST_F(PodWorkersTest, SyncsNewPodsAndResyncsPeriodically) {
  workers.updatePod(pod("a"), PodOperation::Add);
  workers.updatePod(pod("b"), PodOperation::Add);
  runUntil([&] { return syncer.count("sync a") >= 3; }, 2s);
  EXPECT_GE(syncer.count("sync a"), 3);
  EXPECT_GE(syncer.count("sync b"), 2);
  EXPECT_EQ(workers.state("a"), WorkerState::Syncing);
  EXPECT_EQ(workers.size(), 2u);
}

TEST_F(PodWorkersTest, OneStepAtATimePerPod) {
  workers.updatePod(pod("a"), PodOperation::Add);
  for (int i = 0; i < 20; ++i) {
    workers.updatePod(pod("a"), PodOperation::Update);
    workers.notify("a");
    io.run_one_for(1ms);
  }
  runUntil([&] { return syncer.count("sync a") >= 3; });
  EXPECT_EQ(syncer.maxActive, 1);
  // Many wake-ups while busy collapse into few syncs.
  EXPECT_LT(syncer.count("sync a"), 20);
}

TEST_F(PodWorkersTest, ReconcileDoesNotWakeASyncingWorker) {
  workers.updatePod(pod("a"), PodOperation::Add);
  runUntil([&] { return syncer.count("sync a") == 1; });
  workers.updatePod(pod("a"), PodOperation::Reconcile);
  runUntil([] { return false; }, 100ms);
  EXPECT_EQ(syncer.count("sync a"), 1);
}

TEST_F(PodWorkersTest, DeletedPodTerminatesThenIsCleanedUpAndForgotten) {
  workers.updatePod(pod("a"), PodOperation::Add);
  runUntil([&] { return syncer.count("sync a") == 1; });
  syncer.failTerminations = 2;
  workers.updatePod(pod("a", true), PodOperation::Delete);
  runUntil([&] { return workers.size() == 0; });
  EXPECT_EQ(workers.size(), 0u);
  std::vector<std::string> expected{"sync a", "terminate-failed", "terminate-failed", "terminate a", "gone a"};
  EXPECT_EQ(syncer.log, expected);
  // The source's late Remove does not start it again.
  EXPECT_TRUE(workers.finished("a"));
  workers.updatePod(pod("a", true), PodOperation::Remove);
  runUntil([] { return false; }, 100ms);
  EXPECT_EQ(syncer.log, expected);
}

TEST_F(PodWorkersTest, TerminalPodStaysTerminatedUntilDeleted) {
  syncer.terminal = true;
  workers.updatePod(pod("a"), PodOperation::Add);
  runUntil([&] { return syncer.count("terminated a") == 1; });
  runUntil([] { return false; }, 300ms);
  EXPECT_EQ(workers.state("a"), WorkerState::Terminated);
  EXPECT_EQ(syncer.count("sync a"), 1);
  EXPECT_EQ(syncer.count("terminate a"), 1);
  workers.updatePod(pod("a", true), PodOperation::Delete);
  runUntil([&] { return workers.size() == 0; });
  EXPECT_EQ(syncer.count("gone a"), 1);
  EXPECT_EQ(syncer.count("sync a"), 1);  // never synced again
}

TEST_F(PodWorkersTest, RemovedPodWithoutWorkerIsStillStopped) {
  workers.updatePod(pod("orphan"), PodOperation::Remove);
  runUntil([&] { return workers.size() == 0; });
  std::vector<std::string> expected{"terminate orphan", "gone orphan"};
  EXPECT_EQ(syncer.log, expected);
}

TEST_F(PodWorkersTest, RetryAfterShortensTheWait) {
  syncer.retry = 20ms;
  workers.updatePod(pod("a"), PodOperation::Add);
  runUntil([] { return false; }, 150ms);
  EXPECT_GE(syncer.count("sync a"), 4);
}

TEST_F(PodWorkersTest, StopEndsWorkers) {
  workers.updatePod(pod("a"), PodOperation::Add);
  runUntil([&] { return syncer.count("sync a") == 1; });
  workers.stop();
  int syncs = syncer.count("sync a");
  runUntil([] { return false; }, 400ms);
  EXPECT_EQ(syncer.count("sync a"), syncs);
  EXPECT_EQ(workers.live(), 0);
}

}  // namespace
}  // namespace kcpp::kubelet::podworkers
