#include "apiserver/audit/event.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <regex>

namespace kcpp::apiserver::audit {
namespace {

namespace json = boost::json;

Clock::time_point at(long long micros) {
  return Clock::time_point(std::chrono::microseconds(micros));
}

Event sampleEvent() {
  Event e;
  e.level = Level::Metadata;
  e.auditId = "6a4b0d2e-0000-4000-8000-000000000001";
  e.requestUri = "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create";
  e.verb = "create";
  e.user = UserInfo{"alice", "u-1", {"devs", "system:authenticated"}};
  e.sourceIps = {"127.0.0.1"};
  e.userAgent = "kubectl/v1.33.0";
  e.objectRef = ObjectRef{"configmaps", "default", "", "", "v1", ""};
  e.requestReceived = at(1714557600123456);
  e.annotations = {{"authorization.k8s.io/reason", ""}, {"authorization.k8s.io/decision", "allow"}};
  return e;
}

TEST(AuditEvent, EncodesUpstreamsFieldsInUpstreamsOrder) {
  Event e = sampleEvent();
  e.code = 201;
  std::string line = encodeEvent(e, Stage::ResponseComplete, at(1714557600223456));
  EXPECT_EQ(line,
            "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\","
            "\"auditID\":\"6a4b0d2e-0000-4000-8000-000000000001\",\"stage\":\"ResponseComplete\","
            "\"requestURI\":\"/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create\","
            "\"verb\":\"create\",\"user\":{\"username\":\"alice\",\"uid\":\"u-1\",\"groups\":"
            "[\"devs\",\"system:authenticated\"]},\"sourceIPs\":[\"127.0.0.1\"],\"userAgent\":"
            "\"kubectl/v1.33.0\",\"objectRef\":{\"resource\":\"configmaps\",\"namespace\":"
            "\"default\",\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":201},"
            "\"requestReceivedTimestamp\":\"2024-05-01T10:00:00.123456Z\",\"stageTimestamp\":"
            "\"2024-05-01T10:00:00.223456Z\",\"annotations\":{\"authorization.k8s.io/decision\":"
            "\"allow\",\"authorization.k8s.io/reason\":\"\"}}");
  EXPECT_TRUE(json::parse(line).is_object());
}

TEST(AuditEvent, RequestReceivedHasNoStatusAndTheReceivedTime) {
  std::string line = encodeEvent(sampleEvent(), Stage::RequestReceived, at(1714557609000000));
  json::object o = json::parse(line).get_object();
  EXPECT_EQ(o["stage"], "RequestReceived");
  EXPECT_FALSE(o.contains("responseStatus"));
  EXPECT_EQ(o["stageTimestamp"], o["requestReceivedTimestamp"]);
}

TEST(AuditEvent, FailedAuthenticationHasAnEmptyUser) {
  Event e = sampleEvent();
  e.user.reset();
  e.annotations.clear();
  e.code = 401;
  e.statusFields = statusFieldsOf(
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
  json::object o = json::parse(encodeEvent(e, Stage::ResponseStarted, at(0))).get_object();
  EXPECT_EQ(o["user"], json::object());
  EXPECT_FALSE(o.contains("annotations"));
  EXPECT_EQ(json::serialize(o["responseStatus"]),
            R"({"metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
}

TEST(AuditEvent, ImpersonatedUserAndObjectsAreEmbedded) {
  Event e = sampleEvent();
  e.level = Level::RequestResponse;
  e.impersonatedUser = UserInfo{"bob", "", {"system:authenticated"}};
  e.requestObject = R"({"kind":"ConfigMap"})";
  e.responseObject = R"({"kind":"ConfigMap","metadata":{"name":"x"}})";
  e.code = 201;
  json::object o = json::parse(encodeEvent(e, Stage::ResponseComplete, at(0))).get_object();
  EXPECT_EQ(o["impersonatedUser"].at("username"), "bob");
  EXPECT_EQ(o["requestObject"].at("kind"), "ConfigMap");
  EXPECT_EQ(o["responseObject"].at("metadata").at("name"), "x");
}

TEST(AuditEvent, FirstAnnotationValueWinsAndKeysAreSorted) {
  Event e = sampleEvent();
  e.annotations = {{"z", "1"}, {"a", "2"}, {"z", "3"}};
  std::string line = encodeEvent(e, Stage::ResponseComplete, at(0));
  EXPECT_NE(line.find(R"("annotations":{"a":"2","z":"1"})"), std::string::npos);
}

TEST(AuditEvent, StringsAreEscapedAsGoDoes) {
  std::string out;
  appendJsonString(out, "a\"b\\c\n<&>\x01 \xE2\x80\xA8 \xC3\xA9 \xFF\xC3");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u003c\\u0026\\u003e\\u0001 \\u2028 \xC3\xA9 \\ufffd\\ufffd\"");
  EXPECT_TRUE(json::parse(out).is_string());
}

TEST(AuditEvent, StatusFieldsOnlyFromAStatus) {
  EXPECT_EQ(statusFieldsOf(R"({"kind":"ConfigMap","data":{"kind":"Status"}})"), "");
  EXPECT_EQ(statusFieldsOf("not json \"Status\""), "");
  EXPECT_EQ(statusFieldsOf(R"({"kind":"Status","status":"Failure","message":"x","reason":"NotFound","details":{"name":"a","kind":"pods"},"code":404})"),
            R"("status":"Failure","message":"x","reason":"NotFound","details":{"name":"a","kind":"pods"})");
}

TEST(AuditEvent, MicroTimeAndUuidFormats) {
  EXPECT_EQ(microTime(at(0)), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(microTime(at(1714557600000007)), "2024-05-01T10:00:00.000007Z");
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::string a = newUuid();
  EXPECT_TRUE(std::regex_match(a, uuid)) << a;
  EXPECT_NE(a, newUuid());
}

}  // namespace
}  // namespace kcpp::apiserver::audit
