#include "apiserver/registry/services/service_validation.h"

#include <gtest/gtest.h>

#include "api/meta/status.h"
#include "apiserver/registry/services/service_defaults.h"

namespace kcpp::apiserver::service {
namespace {

json::object created(std::string_view spec) {
  json::object svc = json::parse(R"({"metadata":{"name":"s","namespace":"default"},"spec":)" +
                                 std::string(spec) + "}")
                         .as_object();
  prepareServiceCreate(svc);
  return svc;
}

// "field: message" of each cause, as upstream's aggregate prints them.
std::vector<std::string> messages(const std::vector<Cause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) out.push_back(c.field + ": " + c.message);
  return out;
}

using Strings = std::vector<std::string>;

TEST(ServiceValidation, ValidServices) {
  for (
      const char* spec :
      {R"({"selector":{"app":"web"},"ports":[{"port":80}]})",
       R"({"type":"NodePort","ports":[{"name":"a","port":80},{"name":"b","port":81,"protocol":"UDP"}]})",
       R"({"type":"LoadBalancer","ports":[{"port":443,"targetPort":"https"}]})",
       R"({"type":"ExternalName","externalName":"db.example.com."})",
       R"({"clusterIP":"None","selector":{"app":"db"}})", R"({"clusterIP":"None"})",
       R"({"ports":[{"port":53,"protocol":"TCP","name":"tcp"},{"port":53,"protocol":"UDP","name":"udp"}],
               "sessionAffinity":"ClientIP"})"}) {
    EXPECT_EQ(messages(validateService(created(spec))), Strings()) << spec;
  }
}

TEST(ServiceValidation, PortsAreRequired) {
  auto causes = validateService(created(R"({"selector":{"app":"x"}})"));
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].type, "FieldValueRequired");
  EXPECT_EQ(causes[0].field, "spec.ports");
  EXPECT_EQ(causes[0].message, "Required value");
  Error e = api::invalid("Service", "", "noports", causes);
  EXPECT_EQ(e.message, "Service \"noports\" is invalid: spec.ports: Required value");
}

TEST(ServiceValidation, PortFields) {
  auto causes = validateService(created(R"({"ports":[
      {"port":0,"name":"http"},
      {"port":70000,"name":"http","protocol":"ICMP","targetPort":"Not_A_Name"},
      {"port":80}]})"));
  EXPECT_EQ(
      messages(causes),
      (Strings{"spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
               "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
               "spec.ports[1].name: Duplicate value: \"http\"",
               "spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
               "spec.ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", "
               "\"TCP\", \"UDP\"",
               "spec.ports[1].targetPort: Invalid value: \"Not_A_Name\": must contain only "
               "alpha-numeric "
               "characters (a-z, 0-9), and hyphens (-)",
               "spec.ports[2].name: Required value"}));
}

TEST(ServiceValidation, DuplicatePortsAndNodePorts) {
  auto causes = validateService(created(R"({"type":"NodePort","ports":[
      {"name":"a","port":80,"nodePort":30080},{"name":"b","port":80,"nodePort":30080}]})"));
  EXPECT_EQ(
      messages(causes),
      (Strings{
          "spec.ports[1].nodePort: Duplicate value: 30080",
          "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
          "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
          "StrVal:\"\"}, NodePort:0}"}));
}

TEST(ServiceValidation, TypeAndExternalName) {
  EXPECT_EQ(messages(validateService(created(R"({"type":"Magic","ports":[{"port":1}]})"))),
            (Strings{"spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", "
                     "\"ExternalName\", \"LoadBalancer\", \"NodePort\""}));
  EXPECT_EQ(messages(validateService(created(R"({"type":"ExternalName"})"))),
            (Strings{"spec.externalName: Required value"}));
  EXPECT_EQ(
      messages(validateService(created(R"({"type":"ExternalName","externalName":"Bad_Host"})")))[0],
      "spec.externalName: Invalid value: \"Bad_Host\": a lowercase RFC 1123 subdomain must "
      "consist of lower case alphanumeric characters, '-' or '.', and must start and end "
      "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_EQ(messages(validateService(created(
                R"({"type":"ExternalName","externalName":"a.b","clusterIP":"10.43.0.9"})"))),
            (Strings{"spec.clusterIPs: Forbidden: may not be set for ExternalName services"}));
  EXPECT_EQ(
      messages(validateService(
          created(R"({"type":"ClusterIP","ports":[{"port":1,"nodePort":30001}]})"))),
      (Strings{"spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"}));
  EXPECT_EQ(messages(validateService(
                created(R"({"type":"NodePort","clusterIP":"None","ports":[{"port":1}]})"))),
            (Strings{"spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for "
                     "NodePort services"}));
}

TEST(ServiceValidation, ClusterIPsAndFamilies) {
  EXPECT_EQ(
      messages(validateService(created(R"({"clusterIP":"10.43.0.300","ports":[{"port":1}]})"))),
      (Strings{"spec.clusterIPs[0]: Invalid value: \"10.43.0.300\": must be a valid IP "
               "address, (e.g. 10.9.8.7 or 2001:db8::ffff)"}));
  EXPECT_EQ(messages(validateService(created(
                R"({"clusterIP":"10.43.0.5","clusterIPs":["10.43.0.6"],"ports":[{"port":1}]})"))),
            (Strings{"spec.clusterIPs: Invalid value: []string{\"10.43.0.6\"}: first value must "
                     "match `clusterIP`"}));
  EXPECT_EQ(messages(validateService(created(R"({"clusterIP":"fd00::5","ports":[{"port":1}]})"))),
            (Strings{"spec.clusterIPs[0]: Invalid value: []string{\"fd00::5\"}: IPv6 is not "
                     "configured on this cluster"}));
  EXPECT_EQ(
      messages(validateService(created(
          R"({"ipFamilyPolicy":"RequireDualStack","selector":{"a":"b"},"ports":[{"port":1}]})"))),
      (Strings{"spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is "
               "not configured for dual-stack services"}));
  EXPECT_EQ(
      messages(validateService(created(R"({"ipFamilies":["IPv6"],"ports":[{"port":1}]})"))),
      (Strings{"spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster"}));
  EXPECT_EQ(messages(validateService(created(R"({"ipFamilyPolicy":"Both","ports":[{"port":1}]})"))),
            (Strings{"spec.ipFamilyPolicy: Unsupported value: \"Both\": supported values: "
                     "\"PreferDualStack\", \"RequireDualStack\", \"SingleStack\""}));
}

TEST(ServiceValidation, SessionAffinityAndTrafficPolicies) {
  auto causes = validateService(created(R"({"ports":[{"port":1}],"sessionAffinity":"ClientIP",
      "sessionAffinityConfig":{"clientIP":{"timeoutSeconds":90000}},
      "externalTrafficPolicy":"Local","internalTrafficPolicy":"Nearby"})"));
  EXPECT_EQ(
      messages(causes),
      (Strings{"spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: must be "
               "greater than 0 and less than 86400",
               "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for "
               "externally-accessible services",
               "spec.internalTrafficPolicy: Unsupported value: \"Nearby\": supported values: "
               "\"Cluster\", \"Local\""}));
  EXPECT_EQ(
      messages(validateService(created(R"({"ports":[{"port":1}],"sessionAffinity":"Sticky"})"))),
      (Strings{"spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: "
               "\"ClientIP\", \"None\""}));
  EXPECT_EQ(messages(validateService(
                created(R"({"ports":[{"port":1}],"allocateLoadBalancerNodePorts":false})"))),
            (Strings{"spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when "
                     "`type` is 'LoadBalancer'"}));
  EXPECT_EQ(
      messages(validateService(created(R"({"ports":[{"port":1}],"externalIPs":["127.0.0.1"]})"))),
      (Strings{"spec.externalIPs[0]: Invalid value: \"127.0.0.1\": may not be in the "
               "loopback range (127.0.0.0/8, ::1/128)"}));
}

json::object stored() {
  json::object svc = created(R"({"selector":{"app":"web"},"ports":[{"port":80}]})");
  svc["spec"].as_object()["clusterIP"] = "10.43.7.7";
  svc["spec"].as_object()["clusterIPs"] = json::array{"10.43.7.7"};
  return svc;
}

json::object updated(const json::object& old, std::string_view patch) {
  json::object next = old;
  json::value changes = json::parse(patch);
  for (const auto& kv : changes.as_object()) next["spec"].as_object()[kv.key()] = kv.value();
  prepareServiceUpdate(next, old);
  return next;
}

TEST(ServiceValidation, ClusterIPIsImmutable) {
  json::object old = stored();
  json::object next = updated(old, R"({"clusterIP":"10.43.8.8"})");
  auto causes = validateServiceUpdate(next, old);
  EXPECT_EQ(messages(causes),
            (Strings{"spec.clusterIPs[0]: Invalid value: []string{\"10.43.8.8\"}: "
                     "may not change once set"}));
  EXPECT_EQ(messages(validateServiceUpdate(updated(old, R"({"ports":[{"port":81}]})"), old)),
            Strings());
}

TEST(ServiceValidation, TypeChangesMayMoveClusterIPs) {
  json::object old = stored();
  json::object external = updated(old, R"({"type":"ExternalName","externalName":"a.example"})");
  EXPECT_EQ(messages(validateServiceUpdate(external, old)), Strings());
  EXPECT_EQ(messages(validateService(external)), Strings());
  json::object back = updated(external, R"({"type":"ClusterIP"})");
  EXPECT_EQ(messages(validateServiceUpdate(back, external)), Strings());
}

TEST(ServiceValidation, HealthCheckNodePortIsImmutable) {
  json::object old =
      created(R"({"type":"LoadBalancer","externalTrafficPolicy":"Local","ports":[{"port":1}]})");
  old["spec"].as_object()["healthCheckNodePort"] = 31000;
  json::object next = updated(old, R"({"healthCheckNodePort":31001})");
  EXPECT_EQ(messages(validateServiceUpdate(next, old)),
            (Strings{"spec.healthCheckNodePort: Forbidden: field is immutable"}));
}

}  // namespace
}  // namespace kcpp::apiserver::service
