#include "apiserver/handlers/access_review.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver {

namespace {

// Allows alice to create configmaps in namespace a, and GET /healthz.
class FakeAuthorizer : public Authorizer {
 public:
  Decision authorize(const UserInfo& user, const RequestInfo& r) const override {
    if (user.name != "alice") return Decision::NoOpinion;
    if (r.isResourceRequest && r.verb == "create" && r.resource == "configmaps" &&
        r.namespace_ == "a") {
      return Decision::Allow;
    }
    if (!r.isResourceRequest && r.verb == "get" && r.path == "/healthz") return Decision::Allow;
    return Decision::NoOpinion;
  }
  Verdict decide(const UserInfo& user, const RequestInfo& r) const override {
    Decision d = authorize(user, r);
    return Verdict{d, d == Decision::Allow ? "" : "not alice's"};
  }
  void rulesFor(const UserInfo& user, const std::string& ns, UserRules& out) const override {
    if (user.name != "alice" || ns != "a") return;
    out.resourceRules.push_back(ResourceRuleInfo{{"create"}, {""}, {"configmaps"}, {}});
    out.nonResourceRules.push_back(NonResourceRuleInfo{{"get"}, {"/healthz"}});
  }
};

ApiRequest review(const std::string& spec) {
  ApiRequest req;
  req.method = "POST";
  req.path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  req.contentType = "application/json";
  req.body = R"({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":)" +
             spec + "}";
  req.user = UserInfo{"alice", "", {"system:authenticated"}};
  return req;
}

std::optional<ApiResponse> answer(const ApiRequest& req) {
  FakeAuthorizer authz;
  return accessReview(req, parseRequestInfo(req.method, req.path, req.query), authz);
}

bool allowed(const ApiResponse& r) {
  return boost::json::parse(r.body).at("status").at("allowed").as_bool();
}

}  // namespace

TEST(AccessReview, AnswersForTheRequestingUser) {
  auto r = answer(review(
      R"({"resourceAttributes":{"namespace":"a","verb":"create","resource":"configmaps"}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_TRUE(allowed(*r));
  r = answer(review(
      R"({"resourceAttributes":{"namespace":"b","verb":"create","resource":"configmaps"}})"));
  ASSERT_TRUE(r);
  EXPECT_FALSE(allowed(*r));
  r = answer(review(R"({"nonResourceAttributes":{"path":"/healthz","verb":"get"}})"));
  ASSERT_TRUE(r);
  EXPECT_TRUE(allowed(*r));
  auto other = review(
      R"({"resourceAttributes":{"namespace":"a","verb":"create","resource":"configmaps"}})");
  other.user = UserInfo{"bob", "", {}};
  r = answer(other);
  ASSERT_TRUE(r);
  EXPECT_FALSE(allowed(*r));
}

TEST(AccessReview, ValidatesAndIgnoresOtherPaths) {
  auto r = answer(review("{}"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  r = answer(review(R"({"resourceAttributes":{"verb":"get"},"nonResourceAttributes":{"path":"/"}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  auto get = review("{}");
  get.method = "GET";
  r = answer(get);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  ApiRequest cm;
  cm.method = "POST";
  cm.path = "/api/v1/namespaces/a/configmaps";
  cm.user = UserInfo{"alice", "", {}};
  EXPECT_FALSE(answer(cm));
}

namespace {

ApiRequest post(const std::string& path, const std::string& kind, const std::string& rest) {
  ApiRequest req;
  req.method = "POST";
  req.path = path;
  req.contentType = "application/json";
  req.body = R"({"apiVersion":"authorization.k8s.io/v1","kind":")" + kind + "\"," + rest + "}";
  req.user = UserInfo{"admin", "", {"system:masters"}};
  return req;
}

std::string message(const ApiResponse& r) {
  return std::string(boost::json::parse(r.body).at("message").as_string());
}

}  // namespace

TEST(AccessReview, SubjectAccessReviewAsksAboutTheSpecUser) {
  const std::string path = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
  auto r = answer(post(path, "SubjectAccessReview",
                       R"("spec":{"user":"alice","resourceAttributes":{"namespace":"a","verb":"create","resource":"configmaps"}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_TRUE(allowed(*r));
  r = answer(post(path, "SubjectAccessReview",
                  R"("spec":{"user":"bob","resourceAttributes":{"namespace":"a","verb":"create","resource":"configmaps"}})"));
  ASSERT_TRUE(r);
  EXPECT_FALSE(allowed(*r));
  EXPECT_EQ(boost::json::parse(r->body).at("status").at("reason").as_string(), "not alice's");
  r = answer(post(path, "SubjectAccessReview", R"("spec":{"resourceAttributes":{"verb":"get"}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(message(*r), "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: "
                         "Invalid value: \"\": at least one of user or group must be specified");
  r = answer(post(path, "SubjectAccessReview", R"("spec":{})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(message(*r), "SubjectAccessReview.authorization.k8s.io \"\" is invalid: ["
                         "spec.resourceAttributes: Invalid value: \"null\": exactly one of "
                         "nonResourceAttributes or resourceAttributes must be specified, spec.user: "
                         "Invalid value: \"\": at least one of user or group must be specified]");
  r = answer(post(path, "SubjectAccessReview",
                  R"("spec":{"groups":["g"],"nonResourceAttributes":{"path":"/healthz","verb":"get"}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  // Cluster-scoped: not under a namespace.
  r = answer(post("/apis/authorization.k8s.io/v1/namespaces/a/subjectaccessreviews",
                  "SubjectAccessReview", R"("spec":{})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST(AccessReview, LocalSubjectAccessReviewStaysInItsNamespace) {
  const std::string path = "/apis/authorization.k8s.io/v1/namespaces/a/localsubjectaccessreviews";
  auto r = answer(post(path, "LocalSubjectAccessReview",
                       R"("spec":{"user":"alice","resourceAttributes":{"namespace":"a","verb":"create","resource":"configmaps"}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_TRUE(allowed(*r));
  EXPECT_EQ(boost::json::parse(r->body).at("metadata").at("namespace").as_string(), "a");
  r = answer(post(path, "LocalSubjectAccessReview",
                  R"("spec":{"user":"alice","resourceAttributes":{"namespace":"b","verb":"create","resource":"configmaps"}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(message(*r), "LocalSubjectAccessReview.authorization.k8s.io \"\" is invalid: "
                         "spec.resourceAttributes.namespace: Invalid value: \"b\": must match "
                         "metadata.namespace");
  r = answer(post(path, "LocalSubjectAccessReview",
                  R"("metadata":{"namespace":"b"},"spec":{"user":"alice","resourceAttributes":{"namespace":"a"}})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(message(*r), "the namespace of the provided object does not match the namespace sent on the request");
}

TEST(AccessReview, SelfSubjectRulesReviewListsTheRequestersRules) {
  const std::string path = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
  ApiRequest req = post(path, "SelfSubjectRulesReview", R"("spec":{"namespace":"a"})");
  req.user = UserInfo{"alice", "", {}};
  auto r = answer(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  auto body = boost::json::parse(r->body).as_object();
  EXPECT_EQ(body.at("status").at("resourceRules").as_array().size(), 1u);
  EXPECT_EQ(body.at("status").at("resourceRules").at(0).at("resources").at(0).as_string(), "configmaps");
  EXPECT_EQ(body.at("status").at("nonResourceRules").at(0).at("nonResourceURLs").at(0).as_string(), "/healthz");
  EXPECT_EQ(body.at("status").at("incomplete").as_bool(), false);
  req.user = UserInfo{"bob", "", {}};
  body = boost::json::parse(answer(req)->body).as_object();
  EXPECT_TRUE(body.at("status").at("resourceRules").as_array().empty());
  ApiRequest noNs = post(path, "SelfSubjectRulesReview", R"("spec":{})");
  r = answer(noNs);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(message(*r), "no namespace on request");
}

TEST(PrivilegedGroup, ReportsStarRulesForMembers) {
  PrivilegedGroupAuthorizer masters("system:masters");
  UserRules rules;
  masters.rulesFor(UserInfo{"x", "", {"system:masters"}}, "a", rules);
  ASSERT_EQ(rules.resourceRules.size(), 1u);
  EXPECT_EQ(rules.resourceRules[0].resources, std::vector<std::string>{"*"});
  EXPECT_EQ(rules.nonResourceRules[0].nonResourceURLs, std::vector<std::string>{"*"});
  UserRules none;
  masters.rulesFor(UserInfo{"y", "", {}}, "a", none);
  EXPECT_TRUE(none.resourceRules.empty());
}

}  // namespace kcpp::apiserver
