#include "apiserver/audit/policy.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver::audit {
namespace {

RequestInfo resource(std::string verb, std::string group, std::string res, std::string ns = "",
                     std::string name = "", std::string sub = "") {
  RequestInfo r;
  r.isResourceRequest = true;
  r.verb = std::move(verb);
  r.apiGroup = std::move(group);
  r.apiVersion = "v1";
  r.resource = std::move(res);
  r.namespace_ = std::move(ns);
  r.name = std::move(name);
  r.subresource = std::move(sub);
  return r;
}

RequestInfo nonResource(std::string path) {
  RequestInfo r;
  r.verb = "get";
  r.path = std::move(path);
  return r;
}

const UserInfo kAlice{"alice", "", {"devs", "system:authenticated"}};

Policy mustParse(const std::string& yaml) {
  auto p = Policy::parse(yaml, "policy.yaml");
  EXPECT_TRUE(p) << (p ? "" : p.error().message);
  return p ? std::move(*p) : Policy::metadataForEverything();
}

constexpr const char* kPolicy = R"(apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
  - level: None
    nonResourceURLs: ["/healthz*", "/version"]
  - level: RequestResponse
    resources:
    - group: ""
      resources: ["pods/log", "secrets"]
      resourceNames: ["top"]
  - level: Request
    userGroups: ["devs"]
    namespaces: ["team"]
  - level: Metadata
    resources:
    - group: "apps"
      resources: ["*/scale"]
    - group: "*"
      resources: ["deployments/*"]
    omitStages: ["ResponseStarted"]
)";

TEST(AuditPolicy, FirstMatchingRuleWins) {
  Policy p = mustParse(kPolicy);
  UserInfo proxy{"system:kube-proxy", "", {}};
  EXPECT_EQ(p.evaluate(&proxy, resource("watch", "", "endpoints")).level, Level::None);
  EXPECT_EQ(p.evaluate(&kAlice, resource("get", "", "secrets", "team", "top")).level,
            Level::RequestResponse);
  // Same namespace but a name the third rule does not list: the group rule.
  EXPECT_EQ(p.evaluate(&kAlice, resource("get", "", "secrets", "team", "other")).level,
            Level::Request);
}

TEST(AuditPolicy, NoMatchIsNoneWithThePolicysStages) {
  Policy p = mustParse(kPolicy);
  auto config = p.evaluate(&kAlice, resource("get", "", "configmaps", "default", "x"));
  EXPECT_EQ(config.level, Level::None);
  EXPECT_TRUE(config.omits(Stage::RequestReceived));
}

TEST(AuditPolicy, SubresourcesMatchCombinedNamesAndWildcards) {
  Policy p = mustParse(kPolicy);
  EXPECT_EQ(p.evaluate(&kAlice, resource("get", "", "pods", "a", "top", "log")).level,
            Level::RequestResponse);
  EXPECT_EQ(p.evaluate(&kAlice, resource("get", "", "pods", "a", "top")).level, Level::None);
  EXPECT_EQ(p.evaluate(&kAlice, resource("update", "apps", "replicasets", "a", "r", "scale")).level,
            Level::Metadata);
  EXPECT_EQ(p.evaluate(&kAlice, resource("update", "apps", "replicasets", "a", "r")).level,
            Level::None);
  EXPECT_EQ(p.evaluate(&kAlice, resource("get", "x.io", "deployments", "a", "d", "status")).level,
            Level::Metadata);
}

TEST(AuditPolicy, RuleStagesJoinThePolicysStages) {
  Policy p = mustParse(kPolicy);
  auto config = p.evaluate(&kAlice, resource("update", "apps", "deployments", "a", "d", "scale"));
  EXPECT_TRUE(config.omits(Stage::RequestReceived));
  EXPECT_TRUE(config.omits(Stage::ResponseStarted));
  EXPECT_FALSE(config.omits(Stage::ResponseComplete));
}

TEST(AuditPolicy, NonResourceUrlsWithPrefixes) {
  Policy p = mustParse(kPolicy);
  EXPECT_EQ(p.evaluate(&kAlice, nonResource("/healthz/etcd")).level, Level::None);
  PolicyRule rule;
  rule.level = Level::Metadata;
  rule.nonResourceURLs = {"/apis*"};
  EXPECT_TRUE(ruleMatches(rule, &kAlice, nonResource("/apis/apps")));
  EXPECT_FALSE(ruleMatches(rule, &kAlice, nonResource("/api")));
  EXPECT_FALSE(ruleMatches(rule, &kAlice, resource("get", "apps", "deployments")));
}

TEST(AuditPolicy, UserRulesNeverMatchAFailedAuthentication) {
  PolicyRule byGroup;
  byGroup.userGroups = {"system:authenticated"};
  EXPECT_FALSE(ruleMatches(byGroup, nullptr, resource("get", "", "pods")));
  PolicyRule anyone;
  EXPECT_TRUE(ruleMatches(anyone, nullptr, resource("get", "", "pods")));
}

TEST(AuditPolicy, DefaultLogsEverythingAtMetadata) {
  Policy p = Policy::metadataForEverything();
  EXPECT_EQ(p.evaluate(nullptr, nonResource("/api")).level, Level::Metadata);
  EXPECT_EQ(p.evaluate(&kAlice, resource("create", "", "pods", "a")).level, Level::Metadata);
}

TEST(AuditPolicy, RejectsBadDocumentsWithUpstreamsMessages) {
  auto bad = [](const std::string& yaml) {
    auto p = Policy::parse(yaml, "p.yaml");
    EXPECT_FALSE(p);
    return p ? std::string() : p.error().message;
  };
  const std::string head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";
  EXPECT_EQ(bad(head + "rules:\n- level: Everything\n"),
            "rules[0].level: Unsupported value: \"Everything\": supported values: \"None\", "
            "\"Metadata\", \"Request\", \"RequestResponse\"");
  EXPECT_EQ(bad(head + "rules:\n- verbs: [get]\n"), "rules[0].level: Required value");
  EXPECT_EQ(bad(head + "rules: []\n"), "loaded illegal policy with 0 rules: from file p.yaml");
  EXPECT_NE(bad(head + "omitStages: [Sometimes]\nrules:\n- level: None\n")
                .find("omitStages[0]: Invalid value: \"Sometimes\": allowed stages are"),
            std::string::npos);
  EXPECT_NE(bad(head + "rules:\n- level: None\n  nonResourceURLs: [/x]\n  namespaces: [a]\n")
                .find("rules cannot apply to both regular resources and non-resource URLs"),
            std::string::npos);
  EXPECT_NE(bad(head + "rules:\n- level: None\n  nonResourceURLs: [x*y]\n")
                .find("must begin with a '/' character"),
            std::string::npos);
  EXPECT_NE(bad("apiVersion: audit.k8s.io/v2\nkind: Policy\nrules:\n- level: None\n")
                .find("unknown group version"),
            std::string::npos);
  EXPECT_NE(bad("rules: [").find("failed decoding"), std::string::npos);
  EXPECT_NE(bad(head + "rules:\n- level: None\n  users: notalist\n").find("users"),
            std::string::npos);
}

}  // namespace
}  // namespace kcpp::apiserver::audit
