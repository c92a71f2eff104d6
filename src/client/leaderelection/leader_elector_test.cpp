// Leader election against a real in-process API server serving Leases.
#include "client/leaderelection/leader_elector.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "client/rest/test_api_server.h"

namespace kcpp::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class LeaderElectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    for (int i = 0; i < 2; ++i) {
      auto made = RestClient::create(io.get_executor(), server.kubeconfig());
      ASSERT_TRUE(made.ok());
      clients.push_back(std::move(*made));
    }
  }

  std::unique_ptr<LeaderElector> candidate(int i, std::vector<std::string>& log) {
    LeaderElectionConfig config;
    config.leaseName = "kcpp-test";
    config.identity = "c" + std::to_string(i);
    config.leaseDuration = 1500ms;
    config.renewDeadline = 1000ms;
    config.retryPeriod = 200ms;
    config.onStartedLeading = [&log, i] { log.push_back("c" + std::to_string(i) + " leads"); };
    config.onStoppedLeading = [&log, i] { log.push_back("c" + std::to_string(i) + " stops"); };
    return std::make_unique<LeaderElector>(*clients[i], std::move(config));
  }

  void spawn(LeaderElector& elector, bool& ended) {
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      co_await elector.run();
      ended = true;
    }, asio::detached);
  }

  json::object lease() {
    ResourcePath path{"coordination.k8s.io", "v1", "leases", "kube-system", "kcpp-test", "", ""};
    auto got = server.await(clients[0]->get(path));
    EXPECT_TRUE(got.ok());
    return got ? *got : json::object();
  }

  asio::io_context io;
  testing::TestApiServer server{io, {"/configmaps", "/namespaces", "coordination.k8s.io/leases"}};
  std::vector<RestClientPtr> clients;
};

TEST_F(LeaderElectorTest, OneLeaderAtATimeAndHandoverOnRelease) {
  std::vector<std::string> log;
  auto a = candidate(0, log);
  auto b = candidate(1, log);
  bool aEnded = false, bEnded = false;
  spawn(*a, aEnded);
  server.runFor(3s, [&] { return a->isLeader(); });
  ASSERT_TRUE(a->isLeader());
  spawn(*b, bEnded);
  server.runFor(2s);  // b keeps trying; a keeps renewing
  EXPECT_TRUE(a->isLeader());
  EXPECT_FALSE(b->isLeader());
  json::object held = lease();
  EXPECT_EQ(held["spec"].at("holderIdentity"), "c0");
  EXPECT_EQ(held["spec"].at("leaseDurationSeconds"), 1);
  EXPECT_EQ(held["spec"].at("leaseTransitions"), 0);

  a->stop();  // releases the lease: b takes it without waiting for expiry
  auto stopped = std::chrono::steady_clock::now();
  server.runFor(3s, [&] { return b->isLeader(); });
  EXPECT_TRUE(b->isLeader());
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, 1000ms);
  EXPECT_TRUE(aEnded);
  EXPECT_EQ(lease()["spec"].at("holderIdentity"), "c1");
  EXPECT_EQ(lease()["spec"].at("leaseTransitions"), 1);
  EXPECT_EQ(log, (std::vector<std::string>{"c0 leads", "c0 stops", "c1 leads"}));
  b->stop();
  server.runFor(2s, [&] { return bEnded; });
  EXPECT_TRUE(bEnded);
}

TEST_F(LeaderElectorTest, AnExpiredLeaseIsTakenOver) {
  // A holder that vanished without releasing: its lease is taken once it has
  // not been renewed for leaseDuration.
  ResourcePath leases{"coordination.k8s.io", "v1", "leases", "kube-system", "", "", ""};
  json::object stale = json::parse(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
      "metadata":{"name":"kcpp-test","namespace":"kube-system"},
      "spec":{"holderIdentity":"gone","leaseDurationSeconds":1,
              "renewTime":"2020-01-01T00:00:00.000000Z","leaseTransitions":3}})").as_object();
  ASSERT_TRUE(server.await(clients[0]->create(leases, stale)).ok());
  std::vector<std::string> log;
  auto b = candidate(1, log);
  bool ended = false;
  auto start = std::chrono::steady_clock::now();
  spawn(*b, ended);
  server.runFor(5s, [&] { return b->isLeader(); });
  ASSERT_TRUE(b->isLeader());
  // Judged by the local clock from when b first saw the record, not its timestamp.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_EQ(lease()["spec"].at("leaseTransitions"), 4);
  b->stop();
  server.runFor(2s, [&] { return ended; });
}

TEST_F(LeaderElectorTest, ALeaderThatCannotRenewStepsDown) {
  std::vector<std::string> log;
  auto a = candidate(0, log);
  bool ended = false;
  spawn(*a, ended);
  server.runFor(3s, [&] { return a->isLeader(); });
  ASSERT_TRUE(a->isLeader());
  server.stop();  // the API server goes away
  server.runFor(3s, [&] { return !a->isLeader(); });
  EXPECT_FALSE(a->isLeader());
  EXPECT_EQ(log, (std::vector<std::string>{"c0 leads", "c0 stops"}));
  server.start();
  server.runFor(5s, [&] { return a->isLeader(); });
  EXPECT_TRUE(a->isLeader());  // campaigns again
  a->stop();
  server.runFor(2s, [&] { return ended; });
}

}  // namespace
}  // namespace kcpp::client
