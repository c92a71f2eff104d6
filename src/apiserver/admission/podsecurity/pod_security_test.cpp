#include "apiserver/admission/podsecurity/pod_security.h"

#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "apiserver/registry/pods/pod_strategy.h"
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

constexpr const char* kPrivilegedDetail =
    R"(privileged (container "c" must not set securityContext.privileged=true))";
constexpr const char* kRestrictedDetail =
    R"(privileged (container "c" must not set securityContext.privileged=true), )"
    R"(allowPrivilegeEscalation != false (container "c" must set )"
    R"(securityContext.allowPrivilegeEscalation=false), unrestricted capabilities )"
    R"((container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != )"
    R"(true (pod or container "c" must set securityContext.runAsNonRoot=true), )"
    R"(seccompProfile (pod or container "c" must set securityContext.seccompProfile.type )"
    R"(to "RuntimeDefault" or "Localhost"))";

class PodSecurityTest : public RegistryTest {
 protected:
  void SetUp() override {
    namespaces = &add("", "namespaces", std::make_unique<NamespaceStrategy>());
    pods = &add("", "pods", std::make_unique<PodStrategy>());
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<admission::PodSecurity>(*namespaces, *pods));
    chain = std::make_unique<admission::Chain>(std::move(plugins));
    namespaces->setAdmission(*chain);
    pods->setAdmission(*chain);
    asUser.requester.user = &user;
    asUser.requester.warnings = &warnings;
    asUser.requester.auditAnnotations = &annotations;
    makeNamespace("open", "{}");
    makeNamespace("locked", R"({"pod-security.kubernetes.io/enforce":"restricted"})");
    makeNamespace("warned", R"({"pod-security.kubernetes.io/warn":"baseline",
                                "pod-security.kubernetes.io/audit":"restricted",
                                "pod-security.kubernetes.io/audit-version":"v1.30"})");
  }

  void makeNamespace(const std::string& name, const std::string& labels) {
    json::object body = parse(R"({"metadata":{}})");
    json::object& meta = body["metadata"].as_object();
    meta["name"] = name;
    meta["labels"] = parse(labels);
    create(*namespaces, "", body);
  }

  static json::object pod(const std::string& name, bool privileged) {
    json::object p = parse(R"({"metadata":{},"spec":{"containers":[{"name":"c","image":"nginx"}]}})");
    p["metadata"].as_object()["name"] = name;
    if (privileged) {
      p["spec"].as_object()["containers"].as_array()[0].as_object()["securityContext"] =
          parse(R"({"privileged":true})");
    }
    return p;
  }

  static json::object restrictedPod(const std::string& name) {
    json::object p = parse(R"({"metadata":{},"spec":{
        "securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
        "containers":[{"name":"c","image":"nginx","securityContext":{
            "allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}})");
    p["metadata"].as_object()["name"] = name;
    return p;
  }

  Result<json::object> createAs(Registry& r, const std::string& inNs, json::object obj) {
    return await(r.create(inNs, std::move(obj), asUser));
  }

  std::string annotationValue(const std::string& key) {
    for (const auto& [k, v] : annotations) {
      if (k == key) return v;
    }
    return "<none>";
  }

  Registry* namespaces = nullptr;
  Registry* pods = nullptr;
  std::unique_ptr<admission::Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, std::string>> annotations;
};

TEST_F(PodSecurityTest, EnforceRefusesAViolatingPodWithUpstreamsMessage) {
  auto created = createAs(*pods, "locked", pod("p", true));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 403);
  EXPECT_EQ(created.error().message,
            std::string(R"(pods "p" is forbidden: violates PodSecurity "restricted:latest": )") +
                kRestrictedDetail);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(annotationValue("pod-security.kubernetes.io/enforce-policy"), "restricted:latest");
  EXPECT_EQ(count(*pods, "locked"), 0u);
}

TEST_F(PodSecurityTest, EnforceAdmitsACompliantPod) {
  auto created = createAs(*pods, "locked", restrictedPod("ok"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(warnings.empty());
}

TEST_F(PodSecurityTest, UnlabelledNamespaceAdmitsEverything) {
  EXPECT_TRUE(createAs(*pods, "open", pod("p", true)).ok());
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(annotationValue("pod-security.kubernetes.io/enforce-policy"), "privileged:latest");
}

TEST_F(PodSecurityTest, WarnAndAuditDoNotRefuse) {
  auto created = createAs(*pods, "warned", pod("p", true));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(warnings, std::vector<std::string>{std::string(
                          R"(would violate PodSecurity "baseline:latest": )") + kPrivilegedDetail});
  EXPECT_EQ(annotationValue("pod-security.kubernetes.io/audit-violations"),
            std::string(R"(would violate PodSecurity "restricted:v1.30": )") + kRestrictedDetail);
  EXPECT_EQ(annotationValue("pod-security.kubernetes.io/enforce-policy"), "privileged:latest");
}

TEST_F(PodSecurityTest, ServerWritesAreNotChecked) {
  EXPECT_TRUE(await(pods->create("locked", pod("p", true), noOptions)).ok());
}

TEST_F(PodSecurityTest, PodTemplatesAreWarnedButNeverRefused) {
  Registry& deployments = add("apps", "deployments");
  deployments.setAdmission(*chain);
  json::object d = deployment("web");
  d["spec"].as_object()["template"].as_object()["spec"].as_object()["hostNetwork"] = true;
  auto created = createAs(deployments, "locked", d);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(warnings.empty());  // locked only enforces
  auto warned = createAs(deployments, "warned", deployment("web2"));
  ASSERT_TRUE(warned.ok());
  EXPECT_TRUE(warnings.empty());  // baseline-clean template
  json::object bad = deployment("web3");
  bad["spec"].as_object()["template"].as_object()["spec"].as_object()["hostNetwork"] = true;
  ASSERT_TRUE(createAs(deployments, "warned", bad).ok());
  EXPECT_EQ(warnings, std::vector<std::string>{
                          R"(would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true))"});
}

TEST_F(PodSecurityTest, InsignificantPodUpdatesAreNotChecked) {
  ASSERT_TRUE(await(pods->create("locked", pod("old", true), noOptions)).ok());
  auto current = get(*pods, "locked", "old");
  ASSERT_TRUE(current.ok());
  json::object labelled = *current;
  api::ensureObject(api::ensureObject(labelled, "metadata"), "labels")["x"] = "y";
  auto updated = await(pods->update("locked", "old", labelled, Subresource::None, asUser));
  EXPECT_TRUE(updated.ok()) << updated.error().message;
  json::object reimaged = get(*pods, "locked", "old").value();
  reimaged["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "nginx:2";
  auto refused = await(pods->update("locked", "old", reimaged, Subresource::None, asUser));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), 403);
}

TEST_F(PodSecurityTest, NamespaceLabelsAreValidated) {
  json::object body = parse(R"({"metadata":{"name":"bad","labels":{
      "pod-security.kubernetes.io/enforce":"strict",
      "pod-security.kubernetes.io/warn-version":"v2"}}})");
  auto created = createAs(*namespaces, "", body);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 422);
  EXPECT_EQ(created.error().message,
            R"(Namespace "bad" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: )"
            R"(Invalid value: "strict": must be one of privileged, baseline, restricted, )"
            R"(metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "v2": )"
            R"(must be "latest" or "v1.x"])");
}

TEST_F(PodSecurityTest, TighteningEnforceWarnsAboutExistingPods) {
  makeNamespace("apps", "{}");
  for (const char* name : {"b", "a", "c"}) {
    ASSERT_TRUE(await(pods->create("apps", pod(name, true), noOptions)).ok());
  }
  ASSERT_TRUE(await(pods->create("apps", pod("d", false), noOptions)).ok());
  ASSERT_TRUE(await(pods->create("apps", restrictedPod("e"), noOptions)).ok());
  json::object ns = get(*namespaces, "", "apps").value();
  api::ensureObject(api::ensureObject(ns, "metadata"), "labels")["pod-security.kubernetes.io/enforce"] =
      "restricted";
  auto updated = await(namespaces->update("", "apps", ns, Subresource::None, asUser));
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(warnings,
            (std::vector<std::string>{
                R"(existing pods in namespace "apps" violate the new PodSecurity enforce level "restricted:latest")",
                "a (and 2 other pods): privileged, allowPrivilegeEscalation != false, unrestricted "
                "capabilities, runAsNonRoot != true, seccompProfile",
                "d: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != "
                "true, seccompProfile"}));
  // Relaxing it again warns about nothing.
  warnings.clear();
  json::object relaxed = get(*namespaces, "", "apps").value();
  relaxed["metadata"].as_object()["labels"].as_object()["pod-security.kubernetes.io/enforce"] = "baseline";
  ASSERT_TRUE(await(namespaces->update("", "apps", relaxed, Subresource::None, asUser)).ok());
  EXPECT_TRUE(warnings.empty());
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
