// How the Endpoints subsets are computed from pods (no server needed).
#include "controllers/endpoint/endpoint_subsets.h"

#include <gtest/gtest.h>

namespace kcpp::controllers::endpoint {
namespace {

json::object service(const std::string& extraSpec = "") {
  std::string text = R"({"metadata":{"name":"web","namespace":"default"},
    "spec":{"clusterIP":"10.43.0.10","ipFamilies":["IPv4"],"selector":{"app":"web"},
            "ports":[{"name":"http","port":80,"targetPort":"web","protocol":"TCP"}])" +
                     extraSpec + "}}";
  return json::parse(text).as_object();
}

PodPtr pod(const std::string& name, const std::string& ip, bool ready, int webPort = 8080,
           const std::string& extraMeta = "") {
  std::string text = R"({"metadata":{"name":")" + name + R"(","namespace":"default","uid":"uid-)" + name +
                     R"(","labels":{"app":"web"})" + extraMeta + R"(},
    "spec":{"nodeName":"n1","containers":[{"name":"c","ports":[{"name":"web","containerPort":)" +
                     std::to_string(webPort) + R"(,"protocol":"TCP"}]}]},
    "status":{"phase":"Running","podIP":")" + ip + R"(","podIPs":[{"ip":")" + ip + R"("}],
      "conditions":[{"type":"Ready","status":")" + (ready ? "True" : "False") + R"("}]}})";
  return std::make_shared<const json::object>(json::parse(text).as_object());
}

TEST(EndpointSubsets, ReadyAndNotReadyAddressesWithResolvedPorts) {
  auto subsets = desiredSubsets(service(), {pod("b", "10.0.0.2", false), pod("a", "10.0.0.1", true)});
  json::array wire = subsetsToJson(subsets);
  ASSERT_EQ(wire.size(), 1u);
  EXPECT_EQ(json::serialize(wire[0]),
            R"({"addresses":[{"ip":"10.0.0.1","nodeName":"n1","targetRef":{"kind":"Pod","namespace":"default","name":"a","uid":"uid-a"}}],)"
            R"("notReadyAddresses":[{"ip":"10.0.0.2","nodeName":"n1","targetRef":{"kind":"Pod","namespace":"default","name":"b","uid":"uid-b"}}],)"
            R"("ports":[{"name":"http","port":8080,"protocol":"TCP"}]})");
}

TEST(EndpointSubsets, PodsWithDifferentPortNumbersGoToDifferentSubsets) {
  auto subsets = desiredSubsets(service(), {pod("a", "10.0.0.1", true, 8080), pod("b", "10.0.0.2", true, 9090),
                                            pod("c", "10.0.0.3", true, 8080)});
  ASSERT_EQ(subsets.size(), 2u);
  EXPECT_EQ(subsets[0].ports[0].port, 8080);
  ASSERT_EQ(subsets[0].addresses.size(), 2u);
  EXPECT_EQ(subsets[0].addresses[0].podName, "a");
  EXPECT_EQ(subsets[0].addresses[1].podName, "c");
  EXPECT_EQ(subsets[1].ports[0].port, 9090);
  EXPECT_EQ(subsets[1].addresses[0].podName, "b");
}

TEST(EndpointSubsets, PortsOfferedByTheSameAddressesShareASubset) {
  auto svc = service();
  svc["spec"].as_object()["ports"].as_array().push_back(
      json::parse(R"({"name":"admin","port":9000,"targetPort":9001,"protocol":"TCP"})"));
  auto subsets = desiredSubsets(svc, {pod("a", "10.0.0.1", true), pod("b", "10.0.0.2", true)});
  ASSERT_EQ(subsets.size(), 1u);
  ASSERT_EQ(subsets[0].ports.size(), 2u);
  EXPECT_EQ(subsets[0].addresses.size(), 2u);
}

TEST(EndpointSubsets, SkipsPodsWithoutIpOrPortTerminalOrTerminating) {
  auto noIp = json::parse(json::serialize(*pod("noip", "", true))).as_object();
  noIp["status"].as_object().erase("podIP");
  noIp["status"].as_object().erase("podIPs");
  auto failed = json::parse(json::serialize(*pod("failed", "10.0.0.5", false))).as_object();
  failed["status"].as_object()["phase"] = "Failed";
  auto noPort = json::parse(json::serialize(*pod("noport", "10.0.0.6", true))).as_object();
  noPort["spec"].as_object()["containers"].as_array()[0].as_object().erase("ports");
  std::vector<PodPtr> pods{std::make_shared<const json::object>(noIp),
                           std::make_shared<const json::object>(failed),
                           std::make_shared<const json::object>(noPort),
                           pod("gone", "10.0.0.7", true, 8080, R"(,"deletionTimestamp":"2026-01-01T00:00:00Z")"),
                           pod("ok", "10.0.0.8", true)};
  auto subsets = desiredSubsets(service(), pods);
  ASSERT_EQ(subsets.size(), 1u);
  ASSERT_EQ(subsets[0].addresses.size(), 1u);
  EXPECT_EQ(subsets[0].addresses[0].podName, "ok");

  // publishNotReadyAddresses keeps terminating and unready pods, all as ready.
  auto publishing = desiredSubsets(service(R"(,"publishNotReadyAddresses":true)"),
                                   {pod("gone", "10.0.0.7", false, 8080,
                                        R"(,"deletionTimestamp":"2026-01-01T00:00:00Z")"),
                                    pod("ok", "10.0.0.8", false)});
  ASSERT_EQ(publishing.size(), 1u);
  ASSERT_EQ(publishing[0].addresses.size(), 2u);
  EXPECT_TRUE(publishing[0].addresses[0].ready && publishing[0].addresses[1].ready);
}

TEST(EndpointSubsets, HostnameWhenSubdomainNamesTheServiceAndHeadlessWithoutPorts) {
  auto p = json::parse(json::serialize(*pod("a", "10.0.0.1", true))).as_object();
  p["spec"].as_object()["hostname"] = "a-host";
  p["spec"].as_object()["subdomain"] = "web";
  auto headless = json::parse(R"({"metadata":{"name":"web","namespace":"default"},
    "spec":{"clusterIP":"None","selector":{"app":"web"}}})").as_object();
  auto subsets = desiredSubsets(headless, {std::make_shared<const json::object>(p)});
  ASSERT_EQ(subsets.size(), 1u);
  EXPECT_TRUE(subsets[0].ports.empty());
  EXPECT_EQ(subsets[0].addresses[0].hostname, "a-host");
  // A Service with a clusterIP and no ports gets no addresses.
  auto portless = json::parse(R"({"metadata":{"name":"web","namespace":"default"},
    "spec":{"clusterIP":"10.43.0.1","selector":{"app":"web"}}})").as_object();
  EXPECT_TRUE(desiredSubsets(portless, {std::make_shared<const json::object>(p)}).empty());
}

TEST(EndpointSubsets, PicksThePodIpOfTheServiceFamily) {
  auto p = json::parse(json::serialize(*pod("a", "10.0.0.1", true))).as_object();
  p["status"].as_object()["podIPs"] = json::parse(R"([{"ip":"10.0.0.1"},{"ip":"fd00::1"}])");
  auto v6 = service();
  v6["spec"].as_object()["ipFamilies"] = json::parse(R"(["IPv6"])");
  auto subsets = desiredSubsets(v6, {std::make_shared<const json::object>(p)});
  ASSERT_EQ(subsets.size(), 1u);
  EXPECT_EQ(subsets[0].addresses[0].ip, "fd00::1");
}

TEST(EndpointSubsets, TruncatesToCapacityReadyFirst) {
  std::vector<PodPtr> pods;
  for (int i = 0; i < 8; ++i) pods.push_back(pod("r" + std::to_string(i), "10.0.1." + std::to_string(i), true));
  for (int i = 0; i < 4; ++i) pods.push_back(pod("u" + std::to_string(i), "10.0.2." + std::to_string(i), false));
  auto subsets = desiredSubsets(service(), pods);
  EXPECT_FALSE(truncateSubsets(subsets, 12));
  EXPECT_TRUE(truncateSubsets(subsets, 10));
  std::size_t ready = 0, notReady = 0;
  for (const auto& a : subsets[0].addresses) (a.ready ? ready : notReady)++;
  EXPECT_EQ(ready, 8u);
  EXPECT_EQ(notReady, 2u);
  EXPECT_TRUE(truncateSubsets(subsets, 5));
  ready = notReady = 0;
  for (const auto& a : subsets[0].addresses) (a.ready ? ready : notReady)++;
  EXPECT_EQ(ready, 5u);
  EXPECT_EQ(notReady, 0u);
}

}  // namespace
}  // namespace kcpp::controllers::endpoint
