#include <gtest/gtest.h>

#include "kubelet/kuberuntime/env_vars.h"

namespace kcpp::kubelet::kuberuntime {
namespace {

std::map<std::string, std::string> asMap(const std::vector<EnvVar>& env) {
  std::map<std::string, std::string> out;
  for (const auto& v : env) out[v.name] = v.value;
  return out;
}

std::string expand(std::string_view in, std::map<std::string, std::string> vars) {
  return expandVariables(in, [&](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

TEST(Expand, UpstreamCases) {
  std::map<std::string, std::string> vars{{"VAR_A", "A"}, {"VAR_B", "B"}, {"VAR_EMPTY", ""}};
  EXPECT_EQ(expand("$(VAR_A)", vars), "A");
  EXPECT_EQ(expand("___$(VAR_B)___", vars), "___B___");
  EXPECT_EQ(expand("$(VAR_A)-$(VAR_B)", vars), "A-B");
  EXPECT_EQ(expand("$(VAR_EMPTY)x", vars), "x");
  EXPECT_EQ(expand("$(UNKNOWN)", vars), "$(UNKNOWN)");
  EXPECT_EQ(expand("$$(VAR_A)", vars), "$(VAR_A)");   // escaped
  EXPECT_EQ(expand("$$$(VAR_A)", vars), "$A");
  EXPECT_EQ(expand("$(VAR_A", vars), "$(VAR_A");     // unterminated
  EXPECT_EQ(expand("$VAR_A", vars), "$VAR_A");       // not a reference
  EXPECT_EQ(expand("x$", vars), "x$");               // trailing operator
  EXPECT_EQ(expand("$()", vars), "$()");
  EXPECT_EQ(expand("", vars), "");
}

json::object service(const std::string& name, const std::string& ns, const std::string& ip, json::array ports) {
  return json::object{{"metadata", json::object{{"name", name}, {"namespace", ns}}},
                      {"spec", json::object{{"clusterIP", ip}, {"ports", std::move(ports)}}}};
}

TEST(ServiceLinks, VariablesAsUpstream) {
  auto svc = service("my-db", "ns", "10.43.0.7",
                     json::array{json::object{{"name", "sql"}, {"port", 5432}, {"protocol", "TCP"}},
                                 json::object{{"name", "metrics"}, {"port", 9090}, {"protocol", "UDP"}}});
  auto env = asMap(serviceEnvVars(svc));
  EXPECT_EQ(env["MY_DB_SERVICE_HOST"], "10.43.0.7");
  EXPECT_EQ(env["MY_DB_SERVICE_PORT"], "5432");
  EXPECT_EQ(env["MY_DB_SERVICE_PORT_SQL"], "5432");
  EXPECT_EQ(env["MY_DB_SERVICE_PORT_METRICS"], "9090");
  EXPECT_EQ(env["MY_DB_PORT"], "tcp://10.43.0.7:5432");
  EXPECT_EQ(env["MY_DB_PORT_5432_TCP"], "tcp://10.43.0.7:5432");
  EXPECT_EQ(env["MY_DB_PORT_5432_TCP_PROTO"], "tcp");
  EXPECT_EQ(env["MY_DB_PORT_5432_TCP_PORT"], "5432");
  EXPECT_EQ(env["MY_DB_PORT_5432_TCP_ADDR"], "10.43.0.7");
  EXPECT_EQ(env["MY_DB_PORT_9090_UDP"], "udp://10.43.0.7:9090");
  EXPECT_EQ(env.size(), 13u);
  EXPECT_TRUE(serviceEnvVars(service("h", "ns", "None", json::array{json::object{{"port", 1}}})).empty());
  auto v6 = asMap(serviceEnvVars(service("v6", "ns", "fd00::1", json::array{json::object{{"port", 80}}})));
  EXPECT_EQ(v6["V6_PORT"], "tcp://[fd00::1]:80");
}

json::object basePod() {
  return json::object{
      {"metadata", json::object{{"name", "web"}, {"namespace", "ns"}, {"uid", "u-1"},
                                {"labels", json::object{{"app", "web"}}},
                                {"annotations", json::object{{"team", "a"}}}}},
      {"spec", json::object{{"nodeName", "n1"}, {"serviceAccountName", "default"}}}};
}

TEST(ServiceLinks, PodGetsItsNamespaceAndTheMasterService) {
  std::vector<json::object> all{service("kubernetes", "default", "10.43.0.1", json::array{json::object{{"name", "https"}, {"port", 443}}}),
                                service("other", "default", "10.43.0.2", json::array{json::object{{"port", 80}}}),
                                service("mine", "ns", "10.43.0.3", json::array{json::object{{"port", 80}}})};
  auto pod = basePod();
  auto picked = servicesForPod(pod, all);
  ASSERT_EQ(picked.size(), 2u);
  pod["spec"].as_object()["enableServiceLinks"] = false;
  picked = servicesForPod(pod, all);
  ASSERT_EQ(picked.size(), 1u);
  EXPECT_EQ(picked[0].at("metadata").at("name"), "kubernetes");
  EnvInputs inputs;
  inputs.services = picked;
  auto env = makeEnvironment(pod, json::object{{"name", "c"}}, inputs);
  ASSERT_TRUE(env.ok());
  auto m = asMap(env->env);
  EXPECT_EQ(m["KUBERNETES_SERVICE_HOST"], "10.43.0.1");
  EXPECT_EQ(m["KUBERNETES_SERVICE_PORT"], "443");
  EXPECT_EQ(m["KUBERNETES_SERVICE_PORT_HTTPS"], "443");
  EXPECT_EQ(m["KUBERNETES_PORT_443_TCP"], "tcp://10.43.0.1:443");
}

TEST(Environment, ValuesFieldRefsResourcesConfigMapsSecretsAndExpansion) {
  auto pod = basePod();
  json::object container = json::parse(R"J({
    "name": "c",
    "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
    "envFrom": [{"configMapRef": {"name": "cm"}, "prefix": "CM_"},
                {"secretRef": {"name": "missing", "optional": true}},
                {"secretRef": {"name": "sec"}}],
    "env": [
      {"name": "A", "value": "a"},
      {"name": "B", "value": "$(A)-$(CM_color)-$(NOPE)"},
      {"name": "NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
      {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
      {"name": "UID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.uid"}}},
      {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
      {"name": "TEAM", "valueFrom": {"fieldRef": {"fieldPath": "metadata.annotations['team']"}}},
      {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
      {"name": "SA", "valueFrom": {"fieldRef": {"fieldPath": "spec.serviceAccountName"}}},
      {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
      {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
      {"name": "POD_IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}},
      {"name": "CPU_REQ", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu", "divisor": "1m"}}},
      {"name": "CPU_REQ_CORES", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu"}}},
      {"name": "CPU_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
      {"name": "MEM_LIMIT_MI", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
      {"name": "COLOR", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "color"}}},
      {"name": "OPT", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "nokey", "optional": true}}},
      {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "password"}}}
    ]})J").as_object();
  EnvInputs inputs;
  inputs.configMaps["cm"] = json::parse(R"J({"metadata":{"name":"cm","namespace":"ns"},
      "data":{"color":"blue","bad key":"x"}})J").as_object();
  inputs.secrets["sec"] = json::parse(R"J({"metadata":{"name":"sec","namespace":"ns"},
      "data":{"password":"czNjcjN0","USER":"YWRtaW4="}})J").as_object();
  inputs.hostIp = "192.168.1.5";
  inputs.podIps = {"10.42.0.9", "fd00::9"};
  inputs.nodeAllocatableMilliCpu = 2000;
  auto env = makeEnvironment(pod, container, inputs);
  ASSERT_TRUE(env.ok()) << env.error().message;
  auto m = asMap(env->env);
  EXPECT_EQ(m["CM_color"], "blue");
  EXPECT_EQ(m.count("CM_bad key"), 0u);
  ASSERT_EQ(env->warnings.size(), 1u);
  EXPECT_NE(env->warnings[0].find("CM_bad key"), std::string::npos);
  EXPECT_EQ(m["USER"], "admin");
  EXPECT_EQ(m["A"], "a");
  EXPECT_EQ(m["B"], "a-blue-$(NOPE)");
  EXPECT_EQ(m["NAME"], "web");
  EXPECT_EQ(m["NS"], "ns");
  EXPECT_EQ(m["UID"], "u-1");
  EXPECT_EQ(m["APP"], "web");
  EXPECT_EQ(m["TEAM"], "a");
  EXPECT_EQ(m["NODE"], "n1");
  EXPECT_EQ(m["SA"], "default");
  EXPECT_EQ(m["HOST_IP"], "192.168.1.5");
  EXPECT_EQ(m["POD_IP"], "10.42.0.9");
  EXPECT_EQ(m["POD_IPS"], "10.42.0.9,fd00::9");
  EXPECT_EQ(m["CPU_REQ"], "250");
  EXPECT_EQ(m["CPU_REQ_CORES"], "1");  // rounded up
  EXPECT_EQ(m["CPU_LIMIT"], "2");      // node allocatable when unset
  EXPECT_EQ(m["MEM_LIMIT_MI"], "128");
  EXPECT_EQ(m["COLOR"], "blue");
  EXPECT_EQ(m.count("OPT"), 0u);
  EXPECT_EQ(m["PASS"], "s3cr3t");
  // Declaration order is kept (envFrom first, then env).
  EXPECT_EQ(env->env.front().name, "CM_color");
}

TEST(Environment, LaterDeclarationsSeeEarlierOnesOnly) {
  json::object container = json::parse(R"J({"name":"c","env":[
      {"name":"X","value":"$(Y)"},{"name":"Y","value":"y"},{"name":"Z","value":"$(Y)$(X)"}]})J").as_object();
  auto env = makeEnvironment(basePod(), container, EnvInputs{});
  ASSERT_TRUE(env.ok());
  auto m = asMap(env->env);
  EXPECT_EQ(m["X"], "$(Y)");
  EXPECT_EQ(m["Z"], "y$(Y)");
}

TEST(Environment, MissingRequiredSourcesAreErrors) {
  auto pod = basePod();
  auto missingCm = json::parse(R"J({"name":"c","env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"nope","key":"k"}}}]})J").as_object();
  auto r = makeEnvironment(pod, missingCm, EnvInputs{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "configmap \"nope\" not found");
  EnvInputs inputs;
  inputs.secrets["s"] = json::parse(R"J({"metadata":{"name":"s"},"data":{}})J").as_object();
  auto missingKey = json::parse(R"J({"name":"c","env":[{"name":"X","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]})J").as_object();
  r = makeEnvironment(pod, missingKey, inputs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "couldn't find key k in Secret ns/s");
  auto missingFrom = json::parse(R"J({"name":"c","envFrom":[{"secretRef":{"name":"gone"}}]})J").as_object();
  EXPECT_FALSE(makeEnvironment(pod, missingFrom, inputs).ok());
  auto refs = referencedObjects(json::parse(R"J({"envFrom":[{"configMapRef":{"name":"a"}},{"secretRef":{"name":"b"}}],
      "env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"a","key":"k"}}},{"name":"Y","valueFrom":{"secretKeyRef":{"name":"c","key":"k"}}}]})J").as_object());
  EXPECT_EQ(refs.configMaps, (std::vector<std::string>{"a"}));
  EXPECT_EQ(refs.secrets, (std::vector<std::string>{"b", "c"}));
}

TEST(Environment, ExplicitVariablesShadowServiceLinks) {
  EnvInputs inputs;
  inputs.services.push_back(service("kubernetes", "default", "10.43.0.1", json::array{json::object{{"port", 443}}}));
  auto container = json::parse(R"J({"name":"c","env":[{"name":"KUBERNETES_SERVICE_HOST","value":"mine"},
      {"name":"REF","value":"$(KUBERNETES_SERVICE_PORT)"}]})J").as_object();
  auto env = makeEnvironment(basePod(), container, inputs);
  ASSERT_TRUE(env.ok());
  int count = 0;
  for (const auto& v : env->env) count += v.name == "KUBERNETES_SERVICE_HOST";
  EXPECT_EQ(count, 1);
  auto m = asMap(env->env);
  EXPECT_EQ(m["KUBERNETES_SERVICE_HOST"], "mine");
  EXPECT_EQ(m["REF"], "443");
}

}  // namespace
}  // namespace kcpp::kubelet::kuberuntime
