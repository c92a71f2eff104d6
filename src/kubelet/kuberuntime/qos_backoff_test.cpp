#include <gtest/gtest.h>

#include "kubelet/kuberuntime/backoff.h"
#include "kubelet/kuberuntime/container_hash.h"
#include "kubelet/kuberuntime/qos.h"

namespace kcpp::kubelet::kuberuntime {
namespace {

json::object podWith(json::array containers) {
  return json::object{{"spec", json::object{{"containers", std::move(containers)}}}};
}

json::object container(json::object requests, json::object limits) {
  return json::object{{"name", "c"}, {"resources", json::object{{"requests", requests}, {"limits", limits}}}};
}

TEST(Qos, BestEffortWithoutRequestsOrLimits) {
  EXPECT_EQ(computePodQos(podWith({json::object{{"name", "c"}}})), "BestEffort");
  EXPECT_EQ(computePodQos(podWith({container({{"cpu", "0"}}, {})})), "BestEffort");
}

TEST(Qos, GuaranteedWhenEveryContainerHasEqualCpuAndMemory) {
  auto c = container({{"cpu", "500m"}, {"memory", "64Mi"}}, {{"cpu", "0.5"}, {"memory", "64Mi"}});
  EXPECT_EQ(computePodQos(podWith({c, c})), "Guaranteed");
}

TEST(Qos, BurstableCases) {
  EXPECT_EQ(computePodQos(podWith({container({{"cpu", "100m"}}, {})})), "Burstable");
  EXPECT_EQ(computePodQos(podWith({container({{"cpu", "100m"}, {"memory", "1Gi"}}, {{"cpu", "200m"}, {"memory", "1Gi"}})})),
            "Burstable");
  // Limits for cpu only: not Guaranteed.
  EXPECT_EQ(computePodQos(podWith({container({{"cpu", "1"}}, {{"cpu", "1"}})})), "Burstable");
  auto guaranteed = container({{"cpu", "1"}, {"memory", "1Gi"}}, {{"cpu", "1"}, {"memory", "1Gi"}});
  EXPECT_EQ(computePodQos(podWith({guaranteed, json::object{{"name", "b"}}})), "Burstable");
}

TEST(Qos, StatusQosClassWins) {
  auto pod = podWith({json::object{{"name", "c"}}});
  pod["status"] = json::object{{"qosClass", "Burstable"}};
  EXPECT_EQ(podQosClass(pod), "Burstable");
}

TEST(Qos, OomScoreAdjIsNeverNegative) {
  auto g = container({{"cpu", "1"}, {"memory", "1Gi"}}, {{"cpu", "1"}, {"memory", "1Gi"}});
  EXPECT_EQ(oomScoreAdj(podWith({g}), g, 4LL << 30), 0);  // upstream -997, clamped
  auto be = json::object{{"name", "c"}};
  EXPECT_EQ(oomScoreAdj(podWith({be}), be, 4LL << 30), 1000);
  auto b = container({{"memory", "1Gi"}}, {});
  EXPECT_EQ(oomScoreAdj(podWith({b}), b, 4LL << 30), 750);
  auto huge = container({{"memory", "8Gi"}}, {});
  EXPECT_EQ(oomScoreAdj(podWith({huge}), huge, 4LL << 30), 3);
  auto tiny = container({{"memory", "1"}}, {});
  EXPECT_EQ(oomScoreAdj(podWith({tiny}), tiny, 4LL << 30), 999);
}

TEST(Qos, CpuSharesAndQuota) {
  EXPECT_EQ(milliCpuToShares(0), 2);
  EXPECT_EQ(milliCpuToShares(1), 2);
  EXPECT_EQ(milliCpuToShares(100), 102);
  EXPECT_EQ(milliCpuToShares(1000), 1024);
  EXPECT_EQ(milliCpuToShares(1000000), 262144);
  EXPECT_EQ(milliCpuToQuota(0, 100000), 0);
  EXPECT_EQ(milliCpuToQuota(5, 100000), 1000);
  EXPECT_EQ(milliCpuToQuota(250, 100000), 25000);
  auto c = container({{"cpu", "250m"}, {"memory", "64Mi"}}, {{"cpu", "500m"}, {"memory", "128Mi"}});
  LinuxResources r = containerResources(podWith({c}), c, 4LL << 30);
  EXPECT_EQ(r.cpuShares, 256);
  EXPECT_EQ(r.cpuPeriod, 100000);
  EXPECT_EQ(r.cpuQuota, 50000);
  EXPECT_EQ(r.memoryLimitBytes, 128LL << 20);
  auto limitOnly = container({}, {{"cpu", "1"}});
  EXPECT_EQ(containerResources(podWith({limitOnly}), limitOnly, 1).cpuShares, 1024);
  auto none = json::object{{"name", "c"}};
  LinuxResources n = containerResources(podWith({none}), none, 1);
  EXPECT_EQ(n.cpuShares, 2);
  EXPECT_EQ(n.cpuQuota, 0);
  EXPECT_EQ(n.memoryLimitBytes, 0);
}

TEST(Backoff, DoublesToTheMaximumAndExpiresAfterTwiceIt) {
  using namespace std::chrono;
  Backoff b;
  auto t0 = Backoff::Clock::now();
  b.next("k", t0);
  EXPECT_EQ(b.get("k"), seconds(10));
  EXPECT_TRUE(b.inBackOffSince("k", t0, t0 + seconds(9)));
  EXPECT_FALSE(b.inBackOffSince("k", t0, t0 + seconds(10)));
  std::vector<seconds> seen;
  auto t = t0;
  for (int i = 0; i < 7; ++i) {
    t += seconds(1);
    b.next("k", t);
    seen.push_back(duration_cast<seconds>(b.get("k")));
  }
  EXPECT_EQ(seen, (std::vector<seconds>{seconds(20), seconds(40), seconds(80), seconds(160), seconds(300),
                                        seconds(300), seconds(300)}));
  // Ten minutes without a new exit: the back-off starts over.
  b.next("k", t + minutes(10) + seconds(1));
  EXPECT_EQ(b.get("k"), seconds(10));
  EXPECT_FALSE(b.inBackOffSince("other", t0, t0));
  b.collect(t + minutes(30));
  EXPECT_EQ(b.get("k"), seconds(0));
}

TEST(ContainerHash, StableUnderKeyOrderAndChangedByValues) {
  json::object a{{"name", "c"}, {"image", "busybox"}, {"args", json::array{"sleep", "1"}}};
  json::object b{{"args", json::array{"sleep", "1"}}, {"image", "busybox"}, {"name", "c"}};
  EXPECT_EQ(containerHash(a), containerHash(b));
  b["image"] = "busybox:2";
  EXPECT_NE(containerHash(a), containerHash(b));
  EXPECT_FALSE(containerHash(a).empty());
}

}  // namespace
}  // namespace kcpp::kubelet::kuberuntime
