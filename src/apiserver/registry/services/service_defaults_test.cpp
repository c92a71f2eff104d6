#include "apiserver/registry/services/service_defaults.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver::service {
namespace {

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

const json::object& spec(const json::object& svc) { return svc.at("spec").as_object(); }

TEST(ServiceDefaults, ClusterIPService) {
  json::object svc = parse(R"({"metadata":{"name":"web"},
      "spec":{"selector":{"app":"web"},"ports":[{"port":80},{"port":53,"protocol":"UDP","targetPort":"dns"}]}})");
  prepareServiceCreate(svc);
  json::object s = spec(svc);
  EXPECT_EQ(s.at("type"), "ClusterIP");
  EXPECT_EQ(s.at("sessionAffinity"), "None");
  EXPECT_EQ(s.at("internalTrafficPolicy"), "Cluster");
  EXPECT_EQ(s.at("ipFamilies"), json::parse(R"(["IPv4"])"));
  EXPECT_EQ(s.at("ipFamilyPolicy"), "SingleStack");
  EXPECT_FALSE(s.contains("externalTrafficPolicy"));
  EXPECT_FALSE(s.contains("allocateLoadBalancerNodePorts"));
  EXPECT_FALSE(s.contains("clusterIP")) << "allocated later";
  auto ports = s.at("ports").as_array();
  EXPECT_EQ(ports[0], json::parse(R"({"port":80,"protocol":"TCP","targetPort":80})"));
  EXPECT_EQ(ports[1], json::parse(R"({"port":53,"protocol":"UDP","targetPort":"dns"})"));
  EXPECT_EQ(svc.at("status"), json::parse(R"({"loadBalancer":{}})"));
}

TEST(ServiceDefaults, SessionAffinity) {
  json::object clientIP = parse(R"({"spec":{"sessionAffinity":"ClientIP","ports":[{"port":1}]}})");
  applyServiceDefaults(clientIP);
  EXPECT_EQ(spec(clientIP).at("sessionAffinityConfig"),
            json::parse(R"({"clientIP":{"timeoutSeconds":10800}})"));
  json::object kept = parse(R"({"spec":{"sessionAffinity":"ClientIP",
      "sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}}}})");
  applyServiceDefaults(kept);
  EXPECT_EQ(spec(kept).at("sessionAffinityConfig").at("clientIP").at("timeoutSeconds"), 60);
  json::object none =
      parse(R"({"spec":{"sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}}}})");
  applyServiceDefaults(none);
  EXPECT_FALSE(spec(none).contains("sessionAffinityConfig"));
}

TEST(ServiceDefaults, NodePortAndLoadBalancer) {
  json::object np = parse(R"({"spec":{"type":"NodePort","ports":[{"port":80,"targetPort":0}]}})");
  prepareServiceCreate(np);
  EXPECT_EQ(spec(np).at("externalTrafficPolicy"), "Cluster");
  EXPECT_EQ(spec(np).at("ports").at(0).at("targetPort"), 80);
  EXPECT_FALSE(spec(np).contains("allocateLoadBalancerNodePorts"));
  json::object lb = parse(R"({"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local",
      "ports":[{"port":443}]}})");
  prepareServiceCreate(lb);
  EXPECT_EQ(spec(lb).at("externalTrafficPolicy"), "Local");
  EXPECT_EQ(spec(lb).at("allocateLoadBalancerNodePorts"), true);
  EXPECT_EQ(spec(lb).at("internalTrafficPolicy"), "Cluster");
  json::object external = parse(R"({"spec":{"externalIPs":["1.2.3.4"],"ports":[{"port":1}]}})");
  applyServiceDefaults(external);
  EXPECT_EQ(spec(external).at("externalTrafficPolicy"), "Cluster") << "externally accessible";
}

TEST(ServiceDefaults, ExternalNameGetsNoIpFields) {
  json::object svc = parse(R"({"spec":{"type":"ExternalName","externalName":"example.com"}})");
  prepareServiceCreate(svc);
  for (const char* absent :
       {"ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy", "clusterIPs"}) {
    EXPECT_FALSE(spec(svc).contains(absent)) << absent;
  }
}

TEST(ServiceDefaults, HeadlessFamilies) {
  json::object withSelector = parse(R"({"spec":{"clusterIP":"None","selector":{"a":"b"}}})");
  prepareServiceCreate(withSelector);
  EXPECT_EQ(spec(withSelector).at("clusterIPs"), json::parse(R"(["None"])"));
  EXPECT_EQ(spec(withSelector).at("ipFamilyPolicy"), "SingleStack");
  EXPECT_EQ(spec(withSelector).at("ipFamilies"), json::parse(R"(["IPv4"])"));
  json::object selectorless = parse(R"({"spec":{"clusterIP":"None"}})");
  prepareServiceCreate(selectorless);
  EXPECT_EQ(spec(selectorless).at("ipFamilyPolicy"), "RequireDualStack");
  EXPECT_EQ(spec(selectorless).at("ipFamilies"), json::parse(R"(["IPv4","IPv6"])"));
}

TEST(ServiceDefaults, RequestedClusterIPIsMirrored) {
  json::object svc = parse(R"({"spec":{"clusterIP":"10.43.0.5","ports":[{"port":1}]}})");
  prepareServiceCreate(svc);
  EXPECT_EQ(spec(svc).at("clusterIPs"), json::parse(R"(["10.43.0.5"])"));
  EXPECT_EQ(spec(svc).at("ipFamilies"), json::parse(R"(["IPv4"])"));
}

const char* kStored = R"({"metadata":{"name":"s"},"spec":{"type":"NodePort",
    "clusterIP":"10.43.9.9","clusterIPs":["10.43.9.9"],"ipFamilies":["IPv4"],
    "ipFamilyPolicy":"SingleStack","sessionAffinity":"None","internalTrafficPolicy":"Cluster",
    "externalTrafficPolicy":"Cluster",
    "ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":80,"nodePort":30080},
             {"name":"https","port":443,"protocol":"TCP","targetPort":443,"nodePort":30443}]}})";

TEST(ServiceDefaults, UpdateKeepsAllocatedValuesLeftOut) {
  json::object old = parse(kStored);
  json::object next = parse(R"({"metadata":{"name":"s"},"spec":{"type":"NodePort",
      "ports":[{"name":"http","port":8080},{"name":"https","port":443}]}})");
  prepareServiceUpdate(next, old);
  EXPECT_EQ(spec(next).at("clusterIP"), "10.43.9.9");
  EXPECT_EQ(spec(next).at("clusterIPs"), json::parse(R"(["10.43.9.9"])"));
  EXPECT_EQ(spec(next).at("ports").at(0).at("nodePort"), 30080);
  EXPECT_EQ(spec(next).at("ports").at(1).at("nodePort"), 30443);
  EXPECT_EQ(spec(next).at("ipFamilyPolicy"), "SingleStack");
}

TEST(ServiceDefaults, ChangingOnlyClusterIPMovesClusterIPs) {
  json::object old = parse(kStored);
  json::object next = old;
  next["spec"].as_object()["clusterIP"] = "10.43.1.1";
  prepareServiceUpdate(next, old);
  EXPECT_EQ(spec(next).at("clusterIPs"), json::parse(R"(["10.43.1.1"])"));
}

TEST(ServiceDefaults, TypeChangeWipesWhatNoLongerApplies) {
  json::object old = parse(kStored);
  json::object toClusterIP = old;
  toClusterIP["spec"].as_object()["type"] = "ClusterIP";
  toClusterIP["spec"].as_object().erase("externalTrafficPolicy");
  prepareServiceUpdate(toClusterIP, old);
  for (const auto& p : spec(toClusterIP).at("ports").as_array()) {
    EXPECT_FALSE(p.as_object().contains("nodePort"));
  }
  EXPECT_EQ(spec(toClusterIP).at("clusterIP"), "10.43.9.9");
  json::object toExternal = old;
  toExternal["spec"].as_object()["type"] = "ExternalName";
  toExternal["spec"].as_object()["externalName"] = "example.com";
  prepareServiceUpdate(toExternal, old);
  for (const char* absent : {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"}) {
    EXPECT_FALSE(spec(toExternal).contains(absent)) << absent;
  }
}

}  // namespace
}  // namespace kcpp::apiserver::service
