// The pod rules both endpoint controllers share, and the sync pacing.
#include <gtest/gtest.h>

#include "controllers/endpointutil/pod_endpoints.h"
#include "controllers/endpointutil/sync_pacer.h"

namespace kcpp::controllers::endpointutil {
namespace {

using namespace std::chrono_literals;

json::object pod(const std::string& extra = "") {
  return json::parse(R"({"metadata":{"name":"a","namespace":"default","labels":{"app":"web","tier":"x"}},
    "spec":{"containers":[{"name":"c","ports":[{"name":"web","containerPort":8080},
                                                {"name":"dns","containerPort":53,"protocol":"UDP"}]}],
            "initContainers":[{"name":"side","restartPolicy":"Always","ports":[{"name":"metrics","containerPort":9100}]},
                              {"name":"init","ports":[{"name":"setup","containerPort":7000}]}]},
    "status":{"phase":"Running","podIP":"10.0.0.1"}})" + extra).as_object();
}

TEST(PodEndpoints, FindPortResolvesNamesByProtocolAndSidecars) {
  auto p = pod();
  EXPECT_EQ(findPort(p, json::parse(R"({"port":80,"targetPort":"web"})").as_object()), 8080);
  EXPECT_EQ(findPort(p, json::parse(R"({"port":80,"targetPort":8081})").as_object()), 8081);
  EXPECT_EQ(findPort(p, json::parse(R"({"port":80})").as_object()), 80);
  EXPECT_EQ(findPort(p, json::parse(R"({"port":53,"targetPort":"dns","protocol":"UDP"})").as_object()), 53);
  EXPECT_FALSE(findPort(p, json::parse(R"({"port":53,"targetPort":"dns"})").as_object()));  // TCP: no
  EXPECT_EQ(findPort(p, json::parse(R"({"port":1,"targetPort":"metrics"})").as_object()), 9100);
  EXPECT_FALSE(findPort(p, json::parse(R"({"port":1,"targetPort":"setup"})").as_object()));  // not a sidecar
}

TEST(PodEndpoints, SelectorsAndPodIps) {
  auto p = pod();
  EXPECT_TRUE(selectorPicks({{"app", "web"}}, p));
  EXPECT_FALSE(selectorPicks({{"app", "web"}, {"tier", "y"}}, p));
  EXPECT_EQ(podIPs(p), std::vector<std::string>{"10.0.0.1"});
  EXPECT_TRUE(shouldPodBeInEndpoints(p, false));
  p["status"].as_object()["phase"] = "Succeeded";
  EXPECT_FALSE(shouldPodBeInEndpoints(p, true));
  auto svc = json::parse(R"({"spec":{"selector":{}}})").as_object();
  EXPECT_FALSE(serviceSelector(svc).has_value());  // an empty selector is none
}

TEST(SyncPacer, SmallServicesSyncAtOnceBigOnesWaitTwiceTheirCostCapped) {
  SyncPacer pacer(0ms);
  EXPECT_EQ(pacer.delayFor("ns/a"), SyncPacer::Duration::zero());
  pacer.record("ns/a", 30ms);
  EXPECT_EQ(pacer.delayFor("ns/a"), std::chrono::duration_cast<SyncPacer::Duration>(60ms));
  pacer.record("ns/a", 5s);
  EXPECT_EQ(pacer.delayFor("ns/a"), std::chrono::duration_cast<SyncPacer::Duration>(1s));
  pacer.forget("ns/a");
  EXPECT_EQ(pacer.delayFor("ns/a"), SyncPacer::Duration::zero());
  SyncPacer batched(200ms);
  EXPECT_EQ(batched.delayFor("ns/b"), std::chrono::duration_cast<SyncPacer::Duration>(200ms));
}

}  // namespace
}  // namespace kcpp::controllers::endpointutil
