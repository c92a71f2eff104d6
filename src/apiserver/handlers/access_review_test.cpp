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

}  // namespace kcpp::apiserver
