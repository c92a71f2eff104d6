// Hand-built bodies: the objects the brief names, then the encoding rules one by one.

#include "api/protobuf/kubernetes_protobuf.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/protobuf/test_encoder.h"

namespace kcpp::protobuf {
namespace {

namespace json = boost::json;
using testing::envelope;
using testing::objectMeta;
using testing::TestMessage;

json::value decode(const std::string& body) {
  auto r = decodeKubernetesProtobuf(body);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : json::value();
}

std::string decodeError(const std::string& body) {
  auto r = decodeKubernetesProtobuf(body);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.error().reason, Reason::BadRequest);
  EXPECT_TRUE(r.error().causes.empty());
  return r.error().message;
}

TEST(DecodeKubernetesProtobuf, Namespace) {
  TestMessage ns;
  ns.message(1, objectMeta("x"));
  ns.message(2, TestMessage().bytes(1, "kubernetes"));
  ns.message(3, TestMessage());
  EXPECT_EQ(decode(envelope("v1", "Namespace", ns)), json::parse(R"({
    "apiVersion": "v1", "kind": "Namespace",
    "metadata": {"name": "x", "creationTimestamp": null},
    "spec": {"finalizers": ["kubernetes"]},
    "status": {}})"));
}

TEST(DecodeKubernetesProtobuf, ConfigMapWithDataAndLabels) {
  TestMessage meta = objectMeta("cfg");
  meta.bytes(3, "default");
  meta.message(8, testing::timestamp(1704164645));
  meta.entry(11, "tier", "web").entry(11, "app", "a");
  TestMessage cm;
  cm.message(1, meta);
  cm.entry(2, "b.txt", "two").entry(2, "a.txt", "one");
  cm.entry(3, "bin", std::string("\x00\x01\xff", 3));
  cm.varint(4, 1);
  EXPECT_EQ(decode(envelope("v1", "ConfigMap", cm)), json::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "cfg", "namespace": "default",
                 "creationTimestamp": "2024-01-02T03:04:05Z",
                 "labels": {"app": "a", "tier": "web"}},
    "immutable": true,
    "data": {"a.txt": "one", "b.txt": "two"},
    "binaryData": {"bin": "AAH/"}})"));
}

TEST(DecodeKubernetesProtobuf, SecretBytesAreBase64) {
  TestMessage secret;
  secret.message(1, objectMeta("s"));
  secret.entry(2, "password", "hunter2").entry(2, "empty", "");
  secret.entry(4, "plain", "text");
  secret.bytes(3, "Opaque");
  EXPECT_EQ(decode(envelope("v1", "Secret", secret)), json::parse(R"({
    "apiVersion": "v1", "kind": "Secret",
    "metadata": {"name": "s", "creationTimestamp": null},
    "data": {"empty": "", "password": "aHVudGVyMg=="},
    "stringData": {"plain": "text"},
    "type": "Opaque"})"));
}

TestMessage container() {
  TestMessage resources;
  resources.entry(1, "cpu", testing::quantity("500m"));
  resources.entry(2, "memory", testing::quantity("64Mi"));
  TestMessage c;
  c.bytes(1, "web").bytes(2, "nginx:1.25");
  c.message(6, TestMessage().bytes(1, "http").integer(3, 80).bytes(4, "TCP"));
  c.message(6, TestMessage().integer(3, 9090));
  c.message(8, resources);
  c.message(
      11,
      TestMessage()
          .message(
              1,
              TestMessage().message(
                  2, TestMessage().bytes(1, "/healthz").message(2, testing::intOrString("http"))))
          .integer(2, 5));
  return c;
}

TEST(DecodeKubernetesProtobuf, DeploymentWithPodTemplate) {
  TestMessage podSpec;
  podSpec.message(2, container());
  podSpec.bytes(3, "Always");
  TestMessage strategy;
  strategy.bytes(1, "RollingUpdate");
  strategy.message(
      2, TestMessage().message(1, testing::intOrString(0)).message(2, testing::intOrString("25%")));
  TestMessage spec;
  spec.integer(1, 3);
  spec.message(2, TestMessage().entry(1, "app", "web"));
  spec.message(3,
               TestMessage().message(1, TestMessage().entry(11, "app", "web")).message(2, podSpec));
  spec.message(4, strategy);
  TestMessage deployment;
  deployment.message(1, objectMeta("web"));
  deployment.message(2, spec);
  deployment.message(3, TestMessage());
  EXPECT_EQ(decode(envelope("apps/v1", "Deployment", deployment)), json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "creationTimestamp": null},
    "spec": {
      "replicas": 3,
      "selector": {"matchLabels": {"app": "web"}},
      "template": {
        "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
        "spec": {
          "containers": [{
            "name": "web", "image": "nginx:1.25",
            "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"},
                      {"containerPort": 9090}],
            "resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "64Mi"}},
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"},
                               "initialDelaySeconds": 5}}],
          "restartPolicy": "Always"}},
      "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}}},
    "status": {}})"));
}

TEST(DecodeKubernetesProtobuf, PointersKeepZeroValuesAndOmitemptyDropsThem) {
  // DeploymentSpec: replicas *int32 present as 0 stays; paused bool false goes;
  // selector *LabelSelector without omitempty is null when absent.
  TestMessage spec;
  spec.integer(1, 0).varint(7, 0).integer(5, 0);
  TestMessage deployment;
  deployment.message(2, spec);
  json::value out = decode(envelope("apps/v1", "Deployment", deployment));
  EXPECT_EQ(out.at("spec"), json::parse(R"({
    "replicas": 0, "selector": null,
    "template": {"metadata": {"creationTimestamp": null}, "spec": {"containers": null}},
    "strategy": {}})"));
}

TEST(DecodeKubernetesProtobuf, FieldsWithoutOmitemptyAreAlwaysWritten) {
  // ServicePort: port int32 `json:"port"` and targetPort (a struct) always appear.
  TestMessage spec;
  spec.message(1, TestMessage());
  TestMessage service;
  service.message(2, spec);
  json::value out = decode(envelope("v1", "Service", service));
  EXPECT_EQ(out.at("spec").at("ports"), json::parse(R"([{"port": 0, "targetPort": 0}])"));
  // PolicyRule.verbs has no omitempty: an empty list is null.
  TestMessage role;
  role.message(2, TestMessage().bytes(3, "pods"));
  EXPECT_EQ(decode(envelope("rbac.authorization.k8s.io/v1", "Role", role)).at("rules"),
            json::parse(R"([{"verbs": null, "resources": ["pods"]}])"));
}

TEST(DecodeKubernetesProtobuf, InlinedStructsJoinTheirParent) {
  TestMessage volume;
  volume.bytes(1, "cache");
  volume.message(2, TestMessage().message(
                        2, TestMessage().bytes(1, "Memory").message(2, testing::quantity("1Gi"))));
  TestMessage pod;
  pod.message(2, TestMessage().message(1, volume));
  EXPECT_EQ(decode(envelope("v1", "Pod", pod)).at("spec").at("volumes"), json::parse(R"([
    {"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}])"));
}

TEST(DecodeKubernetesProtobuf, UnknownFieldsAreSkippedAndLastScalarWins) {
  TestMessage meta = objectMeta("first");
  meta.varint(99, 7).fixed64(98, 1).bytes(97, "junk").bytes(1, "second");
  TestMessage ns;
  ns.message(1, meta).message(50, TestMessage().bytes(1, "x"));
  EXPECT_EQ(decode(envelope("v1", "Namespace", ns)).at("metadata"),
            json::parse(R"({"name": "second", "creationTimestamp": null})"));
}

TEST(DecodeKubernetesProtobuf, RepeatedMessageFieldOccurrencesMerge) {
  TestMessage ns;
  ns.message(1, objectMeta("x"));
  ns.message(1, TestMessage().entry(11, "a", "b"));
  EXPECT_EQ(decode(envelope("v1", "Namespace", ns)).at("metadata"),
            json::parse(R"({"name": "x", "creationTimestamp": null, "labels": {"a": "b"}})"));
}

TEST(DecodeKubernetesProtobuf, PackedAndUnpackedRepeatedIntegers) {
  // PodSecurityContext.supplementalGroups (repeated int64 = 4), packed and not.
  TestMessage context;
  context.bytes(4, "\x01\x02").integer(4, 65534);
  TestMessage pod;
  pod.message(2, TestMessage().message(14, context));
  EXPECT_EQ(decode(envelope("v1", "Pod", pod)).at("spec").at("securityContext"),
            json::parse(R"({"supplementalGroups": [1, 2, 65534]})"));
}

TEST(DecodeKubernetesProtobuf, MapsAreSortedAndRepeatedKeysKeepTheLastValue) {
  TestMessage meta = objectMeta("x");
  meta.entry(12, "z", "1").entry(12, "a", "1").entry(12, "z", "2");
  meta.message(12, TestMessage().bytes(1, "novalue"));
  TestMessage ns;
  ns.message(1, meta);
  json::value annotations =
      decode(envelope("v1", "Namespace", ns)).at("metadata").at("annotations");
  EXPECT_EQ(annotations, json::parse(R"({"a": "1", "novalue": "", "z": "2"})"));
  std::vector<std::string> keys;
  for (const auto& kv : annotations.as_object()) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "novalue", "z"}));
}

TEST(DecodeKubernetesProtobuf, ManagedFieldsAndOwnerReferences) {
  TestMessage entry;
  entry.bytes(1, "kubectl").bytes(2, "Apply").bytes(3, "v1");
  entry.message(4, testing::timestamp(1704164645));
  entry.bytes(6, "FieldsV1");
  entry.message(7, TestMessage().bytes(1, R"({"f:data":{"f:k":{}}})"));
  TestMessage owner;
  owner.bytes(5, "apps/v1")
      .bytes(1, "ReplicaSet")
      .bytes(3, "rs")
      .bytes(4, "uid-1")
      .varint(6, 1)
      .varint(7, 0);
  TestMessage meta = objectMeta("x");
  meta.message(9, testing::timestamp(1704164700)).integer(10, 30);
  meta.message(13, owner).bytes(14, "example.com/f").message(17, entry);
  TestMessage cm;
  cm.message(1, meta);
  EXPECT_EQ(decode(envelope("v1", "ConfigMap", cm)).at("metadata"), json::parse(R"({
    "name": "x", "creationTimestamp": null,
    "deletionTimestamp": "2024-01-02T03:05:00Z", "deletionGracePeriodSeconds": 30,
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                         "uid": "uid-1", "controller": true, "blockOwnerDeletion": false}],
    "finalizers": ["example.com/f"],
    "managedFields": [{"manager": "kubectl", "operation": "Apply", "apiVersion": "v1",
                       "time": "2024-01-02T03:04:05Z", "fieldsType": "FieldsV1",
                       "fieldsV1": {"f:data": {"f:k": {}}}}]})"));
}

TEST(DecodeKubernetesProtobuf, RawExtensionsEmbedJsonOrANestedEnvelope) {
  TestMessage revision;
  revision.message(1, objectMeta("r1"));
  revision.message(2, TestMessage().bytes(1, R"({"spec":{"a":1}})"));
  revision.integer(3, 2);
  EXPECT_EQ(decode(envelope("apps/v1", "ControllerRevision", revision)), json::parse(R"({
    "apiVersion": "apps/v1", "kind": "ControllerRevision",
    "metadata": {"name": "r1", "creationTimestamp": null},
    "data": {"spec": {"a": 1}}, "revision": 2})"));

  TestMessage nested;
  nested.message(1, objectMeta("r2"));
  nested.message(
      2, TestMessage().bytes(1, envelope("v1", "ConfigMap", TestMessage().entry(2, "k", "v"))));
  EXPECT_EQ(decode(envelope("apps/v1", "ControllerRevision", nested)).at("data"), json::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"creationTimestamp": null}, "data": {"k": "v"}})"));

  TestMessage absent;
  EXPECT_EQ(decode(envelope("apps/v1", "ControllerRevision", absent)).at("data"),
            json::value(nullptr));
}

TEST(DecodeKubernetesProtobuf, OptionKindsDecodeUnderAnyGroupVersion) {
  TestMessage options;
  options.integer(1, 0)
      .message(2, TestMessage().bytes(1, "uid-1"))
      .bytes(4, "Foreground")
      .bytes(5, "All");
  EXPECT_EQ(decode(envelope("apps/v1", "DeleteOptions", options)), json::parse(R"({
    "apiVersion": "apps/v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0,
    "preconditions": {"uid": "uid-1"}, "propagationPolicy": "Foreground", "dryRun": ["All"]})"));
}

TEST(DecodeKubernetesProtobuf, InvalidUtf8IsRepairedAsGoDoes) {
  TestMessage cm;
  cm.entry(2, "k", "a\xff");
  EXPECT_EQ(decode(envelope("v1", "ConfigMap", cm)).at("data").at("k"),
            json::value("a\xEF\xBF\xBD"));
}

TEST(DecodeKubernetesProtobufErrors, EnvelopeProblems) {
  EXPECT_EQ(decodeError("{\"kind\":\"ConfigMap\"}"),
            "unable to decode protobuf body: provided data does not appear to be a protobuf "
            "message, expected prefix [107 56 115 0]");
  EXPECT_EQ(decodeError(envelope("v1", "Frobnicator", TestMessage())),
            "unable to decode protobuf body: no kind \"Frobnicator\" is registered for version "
            "\"v1\" in the protobuf decoder");
  EXPECT_EQ(decodeError(envelope("apps/v1", "ConfigMap", TestMessage())),
            "unable to decode protobuf body: no kind \"ConfigMap\" is registered for version "
            "\"apps/v1\" in the protobuf decoder");
  EXPECT_EQ(decodeError(envelope("v1", "", TestMessage())),
            "unable to decode protobuf body: Object 'Kind' is missing in the envelope");
  std::string gzipped =
      envelope("v1", "ConfigMap", TestMessage()) + TestMessage().bytes(3, "gzip").data();
  EXPECT_EQ(decodeError(gzipped),
            "unable to decode protobuf body: unsupported content encoding \"gzip\"");
  EXPECT_EQ(decodeError(std::string(kProtobufMagic) + "\x0a\x05\x0a"),
            "unable to decode protobuf body: length exceeds the remaining data");
}

TEST(DecodeKubernetesProtobufErrors, NameTheFailingField) {
  TestMessage badPort;
  badPort.bytes(1, "web").message(6, TestMessage()).message(6, TestMessage().bytes(3, "eighty"));
  TestMessage pod;
  pod.message(2, TestMessage().message(2, badPort));
  EXPECT_EQ(decodeError(envelope("v1", "Pod", pod)),
            "unable to decode protobuf body: spec.containers[0].ports[1].containerPort: wrong "
            "wire type length-delimited (expected varint)");

  TestMessage meta = objectMeta("x");
  meta.message(11, TestMessage().bytes(1, "app").varint(2, 1));
  TestMessage cm;
  cm.message(1, meta);
  EXPECT_EQ(decodeError(envelope("v1", "ConfigMap", cm)),
            "unable to decode protobuf body: metadata.labels[app]: wrong wire type varint "
            "(expected length-delimited)");

  TestMessage truncated;
  truncated.message(1, TestMessage().raw("\x0a\x09short"));
  EXPECT_EQ(decodeError(envelope("v1", "Namespace", truncated)),
            "unable to decode protobuf body: metadata: length exceeds the remaining data");

  TestMessage quantity;
  quantity.message(2, TestMessage().entry(1, "pods", testing::quantity("")));
  EXPECT_EQ(decodeError(envelope("v1", "ResourceQuota", quantity))
                .rfind("unable to decode protobuf body: spec.hard[pods]: quantities must match", 0),
            0u);
}

TEST(DecodeKubernetesProtobufErrors, DeepNestingIsRefused) {
  // Envelopes nested through RawExtension, deeper than any real object.
  std::string body = envelope("apps/v1", "ControllerRevision", TestMessage());
  for (int i = 0; i < 120; ++i) {
    body = envelope("apps/v1", "ControllerRevision",
                    TestMessage().message(2, TestMessage().bytes(1, body)));
  }
  EXPECT_NE(decodeError(body).find("nested too deeply"), std::string::npos);
}

}  // namespace
}  // namespace kcpp::protobuf
