#include "apiserver/audit/auditor.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace kcpp::apiserver::audit {
namespace {

namespace json = boost::json;

class CapturingSink : public Sink {
 public:
  void write(std::string line) override { lines.push_back(std::move(line)); }
  json::object at(std::size_t i) const { return json::parse(lines.at(i)).get_object(); }
  std::vector<std::string> lines;
};

RequestFacts facts() {
  return RequestFacts{"id-1", Clock::now(), "/api/v1/namespaces/a/configmaps/x?watch=true",
                      {"10.0.0.1", "127.0.0.1"}, "test/1.0"};
}

RequestInfo configMap(std::string verb) {
  RequestInfo r;
  r.isResourceRequest = true;
  r.verb = std::move(verb);
  r.apiVersion = "v1";
  r.resource = "configmaps";
  r.namespace_ = "a";
  r.name = "x";
  return r;
}

const UserInfo kAlice{"alice", "", {"system:authenticated"}};

Policy policy(const std::string& rules) {
  auto p = Policy::parse("apiVersion: audit.k8s.io/v1\nkind: Policy\n" + rules, "p");
  EXPECT_TRUE(p) << (p ? "" : p.error().message);
  return std::move(*p);
}

TEST(RequestAudit, AnsweredRequestWritesReceivedThenComplete) {
  CapturingSink sink;
  Auditor auditor(Policy::metadataForEverything(), sink);
  {
    RequestAudit audit(&auditor, facts());
    audit.begin(&kAlice, configMap("get"));
    audit.annotate("authorization.k8s.io/decision", "allow");
    audit.responded(404, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"configmaps"},"code":404})", true);
    audit.complete();
  }
  ASSERT_EQ(sink.lines.size(), 2u);
  EXPECT_EQ(sink.at(0)["stage"], "RequestReceived");
  json::object done = sink.at(1);
  EXPECT_EQ(done["stage"], "ResponseComplete");
  EXPECT_EQ(done["auditID"], "id-1");
  EXPECT_EQ(done["user"].at("username"), "alice");
  EXPECT_EQ(done["objectRef"].at("name"), "x");
  EXPECT_EQ(done["responseStatus"].at("reason"), "NotFound");
  EXPECT_EQ(done["responseStatus"].at("code"), 404);
  EXPECT_EQ(done["annotations"].at("authorization.k8s.io/decision"), "allow");
  EXPECT_FALSE(done.contains("responseObject"));  // Metadata level
}

TEST(RequestAudit, WatchWritesResponseStartedWhenTheStreamBegins) {
  CapturingSink sink;
  Auditor auditor(Policy::metadataForEverything(), sink);
  RequestAudit audit(&auditor, facts());
  audit.begin(&kAlice, configMap("watch"));
  audit.streamStarted(200);
  EXPECT_EQ(sink.lines.size(), 2u);
  audit.complete();
  ASSERT_EQ(sink.lines.size(), 3u);
  EXPECT_EQ(sink.at(1)["stage"], "ResponseStarted");
  EXPECT_EQ(sink.at(2)["stage"], "ResponseComplete");
  EXPECT_EQ(sink.at(2)["responseStatus"].at("code"), 200);
}

TEST(RequestAudit, FailedAuthenticationIsOneResponseStartedEvent) {
  CapturingSink sink;
  Auditor auditor(Policy::metadataForEverything(), sink);
  {
    RequestAudit audit(&auditor, facts());
    audit.begin(nullptr, configMap("get"));
    audit.responded(401, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})", true);
  }  // the destructor completes it
  ASSERT_EQ(sink.lines.size(), 1u);
  json::object o = sink.at(0);
  EXPECT_EQ(o["stage"], "ResponseStarted");
  EXPECT_EQ(o["user"], json::object());
  EXPECT_EQ(o["responseStatus"].at("message"), "Unauthorized");
}

TEST(RequestAudit, LevelsDecideWhatIsKept) {
  CapturingSink sink;
  Auditor auditor(policy("omitStages: [RequestReceived]\nrules:\n"
                         "- level: RequestResponse\n  verbs: [create]\n  omitManagedFields: true\n"
                         "- level: Request\n  verbs: [update]\n"
                         "- level: None\n"),
                  sink);
  json::object body = json::parse(R"({"kind":"ConfigMap","metadata":{"name":"x","managedFields":[{}]}})").get_object();
  for (const char* verb : {"create", "update", "get"}) {
    RequestAudit audit(&auditor, facts());
    audit.begin(&kAlice, configMap(verb));
    audit.setRequestObject(body);
    audit.responded(200, R"({"kind":"ConfigMap","metadata":{"name":"x","managedFields":[{}]}})", true);
    EXPECT_EQ(audit.annotations() != nullptr, std::string(verb) != "get");
    audit.complete();
  }
  ASSERT_EQ(sink.lines.size(), 2u);  // RequestReceived omitted; get not logged
  json::object created = sink.at(0);
  EXPECT_EQ(created["level"], "RequestResponse");
  EXPECT_FALSE(created["requestObject"].at("metadata").as_object().contains("managedFields"));
  EXPECT_FALSE(created["responseObject"].at("metadata").as_object().contains("managedFields"));
  json::object updated = sink.at(1);
  EXPECT_EQ(updated["level"], "Request");
  EXPECT_TRUE(updated["requestObject"].at("metadata").as_object().contains("managedFields"));
  EXPECT_FALSE(updated.contains("responseObject"));
}

TEST(RequestAudit, PrettyResponsesStayOnOneLine) {
  CapturingSink sink;
  Auditor auditor(policy("rules:\n- level: RequestResponse\n"), sink);
  RequestAudit audit(&auditor, facts());
  audit.begin(&kAlice, configMap("get"));
  audit.responded(200, "{\n  \"kind\": \"ConfigMap\"\n}\n", true);
  audit.complete();
  ASSERT_EQ(sink.lines.size(), 2u);
  EXPECT_EQ(sink.lines[1].find('\n'), std::string::npos);
  EXPECT_EQ(sink.at(1)["responseObject"].at("kind"), "ConfigMap");
}

TEST(RequestAudit, WithoutAnAuditorNothingIsWrittenButTheIdStays) {
  RequestAudit audit(nullptr, facts());
  audit.begin(&kAlice, configMap("get"));
  EXPECT_EQ(audit.id(), "id-1");
  EXPECT_EQ(audit.annotations(), nullptr);
  audit.complete();
}

TEST(RequestAudit, AbandonedRequestIsCompletedAsClosedEarly) {
  CapturingSink sink;
  Auditor auditor(Policy::metadataForEverything(), sink);
  {
    RequestAudit audit(&auditor, facts());
    audit.begin(&kAlice, configMap("get"));
  }
  ASSERT_EQ(sink.lines.size(), 2u);
  EXPECT_EQ(sink.at(1)["responseStatus"].at("message"), "Connection closed early");
}

}  // namespace
}  // namespace kcpp::apiserver::audit
