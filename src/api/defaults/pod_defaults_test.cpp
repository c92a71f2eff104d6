#include <gtest/gtest.h>

#include "api/defaults/pod_defaults.h"

namespace kcpp::api::defaults {
namespace {

namespace json = boost::json;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(PodDefaults, PullPolicyForEveryKindOfContainer) {
  json::object spec = parse(R"({"containers":[{"name":"a","image":"nginx"},
      {"name":"b","image":"nginx:1.25"},{"name":"c","image":"nginx","imagePullPolicy":"Never"},
      {"name":"d","image":"nginx:1.25","imagePullPolicy":""},{"name":"e"}],
      "initContainers":[{"name":"i","image":"busybox:latest"}],
      "ephemeralContainers":[{"name":"x","image":"debian:12"}]})");
  defaultPodSpec(spec);
  const json::array& cs = spec.at("containers").as_array();
  EXPECT_EQ(cs[0].at("imagePullPolicy"), "Always");
  EXPECT_EQ(cs[1].at("imagePullPolicy"), "IfNotPresent");
  EXPECT_EQ(cs[2].at("imagePullPolicy"), "Never");
  EXPECT_EQ(cs[3].at("imagePullPolicy"), "IfNotPresent");
  EXPECT_EQ(cs[4].at("imagePullPolicy"), "IfNotPresent");  // no image: no "latest" tag
  EXPECT_EQ(spec.at("initContainers").at(0).at("imagePullPolicy"), "Always");
  EXPECT_EQ(spec.at("ephemeralContainers").at(0).at("imagePullPolicy"), "IfNotPresent");
}

TEST(PodDefaults, ProbeThresholdsGivenAsZero) {
  json::object spec = parse(R"({"containers":[{"name":"a","image":"i:1",
      "livenessProbe":{"timeoutSeconds":0,"periodSeconds":0,"successThreshold":0,
                       "failureThreshold":0,"initialDelaySeconds":0},
      "startupProbe":{"periodSeconds":5}}]})");
  defaultPodSpec(spec);
  const json::object& c = spec.at("containers").at(0).as_object();
  EXPECT_EQ(c.at("livenessProbe"), json::parse(R"({"timeoutSeconds":1,"periodSeconds":10,
      "successThreshold":1,"failureThreshold":3,"initialDelaySeconds":0})"));
  EXPECT_EQ(c.at("startupProbe"), json::parse(R"({"periodSeconds":5})"));
  EXPECT_FALSE(c.contains("readinessProbe"));
}

TEST(PodDefaults, Volumes) {
  json::object spec = parse(R"({"containers":[],"volumes":[{"name":"none"},
      {"name":"nulls","secret":null},{"name":"hp","hostPath":{"path":"/x"}},
      {"name":"hpt","hostPath":{"path":"/y","type":"Directory"}},
      {"name":"cm","configMap":{"name":"c"}}]})");
  defaultPodSpec(spec);
  const json::array& vs = spec.at("volumes").as_array();
  EXPECT_EQ(vs[0], json::parse(R"({"name":"none","emptyDir":{}})"));
  EXPECT_EQ(vs[1].at("emptyDir"), json::object());
  EXPECT_EQ(vs[2], json::parse(R"({"name":"hp","hostPath":{"path":"/x","type":""}})"));
  EXPECT_EQ(vs[3].at("hostPath").at("type"), "Directory");
  EXPECT_EQ(vs[4], json::parse(R"({"name":"cm","configMap":{"name":"c"}})"));
}

TEST(PodDefaults, PodOnlyRules) {
  json::object pod = parse(R"({"spec":{"hostNetwork":true,
      "containers":[{"name":"a","image":"i:1","ports":[{"containerPort":80},
        {"containerPort":81,"hostPort":9000},{"containerPort":82,"hostPort":0},{"name":"x"}],
        "resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m"}}}],
      "initContainers":[{"name":"i","image":"i:1","ports":[{"containerPort":90}],
        "resources":{"limits":{"cpu":"2"}}}]}})");
  defaultPod(pod);
  const json::object& spec = pod.at("spec").as_object();
  EXPECT_EQ(spec.at("enableServiceLinks"), true);
  const json::object& c = spec.at("containers").at(0).as_object();
  EXPECT_EQ(c.at("ports"), json::parse(R"([{"containerPort":80,"hostPort":80},
      {"containerPort":81,"hostPort":9000},{"containerPort":82,"hostPort":82},{"name":"x"}])"));
  EXPECT_EQ(c.at("resources").at("requests"), json::parse(R"({"cpu":"500m","memory":"1Gi"})"));
  EXPECT_EQ(c.at("imagePullPolicy"), "IfNotPresent");
  const json::object& i = spec.at("initContainers").at(0).as_object();
  EXPECT_EQ(i.at("ports").at(0).at("hostPort"), 90);
  EXPECT_EQ(i.at("resources").at("requests"), json::parse(R"({"cpu":"2"})"));
}

TEST(PodDefaults, PodKeepsGivenValuesAndNeedsHostNetworkForHostPorts) {
  json::object pod = parse(R"({"spec":{"enableServiceLinks":false,
      "containers":[{"name":"a","image":"i:1","ports":[{"containerPort":80}],
        "resources":{"limits":{}}}]}})");
  defaultPod(pod);
  const json::object& spec = pod.at("spec").as_object();
  EXPECT_EQ(spec.at("enableServiceLinks"), false);
  const json::object& c = spec.at("containers").at(0).as_object();
  EXPECT_FALSE(c.at("ports").at(0).as_object().contains("hostPort"));
  EXPECT_FALSE(c.at("resources").as_object().contains("requests"));
}

// v1's deprecated serviceAccount names the account when serviceAccountName is
// empty, as upstream's conversion reads it.
TEST(PodDefaults, DeprecatedServiceAccountFillsServiceAccountName) {
  json::object pod = parse(R"({"spec":{"serviceAccount":"old","containers":[]}})");
  defaultPod(pod);
  EXPECT_EQ(pod.at("spec").at("serviceAccountName"), "old");
  json::object both = parse(R"({"spec":{"serviceAccount":"old","serviceAccountName":"new",
                                        "containers":[]}})");
  defaultPod(both);
  EXPECT_EQ(both.at("spec").at("serviceAccountName"), "new");
  json::object neither = parse(R"({"spec":{"containers":[]}})");
  defaultPod(neither);
  EXPECT_FALSE(neither.at("spec").as_object().contains("serviceAccountName"));
}

TEST(PodDefaults, TemplatesGetSpecRulesButNotPodRules) {
  json::object tmpl = parse(R"({"metadata":{"labels":{"a":"b"}},"spec":{"hostNetwork":true,
      "containers":[{"name":"a","image":"nginx","ports":[{"containerPort":80}],
        "resources":{"limits":{"cpu":"1"}}}]}})");
  defaultPodTemplateSpec(tmpl);
  const json::object& spec = tmpl.at("spec").as_object();
  EXPECT_FALSE(spec.contains("enableServiceLinks"));
  const json::object& c = spec.at("containers").at(0).as_object();
  EXPECT_EQ(c.at("imagePullPolicy"), "Always");
  EXPECT_FALSE(c.at("ports").at(0).as_object().contains("hostPort"));
  EXPECT_FALSE(c.at("resources").as_object().contains("requests"));
}

TEST(PodDefaults, ToleratesMissingAndMistypedParts) {
  json::object pod = parse(R"({"metadata":{}})");
  defaultPod(pod);
  EXPECT_EQ(pod, parse(R"({"metadata":{}})"));
  json::object spec = parse(R"({"containers":"x","volumes":[1,null],"initContainers":[{"name":"i",
      "livenessProbe":"p","resources":"r"}]})");
  defaultPodSpec(spec);
  EXPECT_EQ(spec.at("containers"), "x");
  EXPECT_EQ(spec.at("volumes"), json::parse("[1,null]"));
  EXPECT_EQ(spec.at("initContainers").at(0).at("imagePullPolicy"), "IfNotPresent");
}

}  // namespace
}  // namespace kcpp::api::defaults
