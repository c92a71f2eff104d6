#include <gtest/gtest.h>

#include "api/defaults/defaults.h"

namespace kcpp::api::defaults {
namespace {

namespace json = boost::json;

// The built-in schemas and resource types, with the full defaulting of each.
class Defaults : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto set = SchemaSet::loadBuiltin();
    ASSERT_TRUE(set) << set.error().message;
    schemas_ = new SchemaSet(std::move(*set));
  }
  static void TearDownTestSuite() {
    delete schemas_;
    schemas_ = nullptr;
  }

  static ResourceType type(std::string_view group, std::string_view kind) {
    for (const auto& t : builtinResources()) {
      if (t.group == group && t.kind == kind) return t;
    }
    ResourceType t;
    t.group = group;
    t.version = "v1";
    t.kind = kind;
    return t;
  }

  static json::object defaulted(std::string_view group, std::string_view kind, std::string_view text) {
    json::object obj = json::parse(text).as_object();
    applyDefaults(*schemas_, type(group, kind), obj);
    return obj;
  }

  static SchemaSet* schemas_;
};
SchemaSet* Defaults::schemas_ = nullptr;

// As `kubectl create deployment web --image=nginx` sends it.
constexpr std::string_view kCreateDeployment = R"({"kind":"Deployment","apiVersion":"apps/v1",
  "metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},
  "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},
    "strategy":{}},"status":{}})";

// Field by field what upstream v1.33 stores for it.
constexpr std::string_view kDefaultedDeploymentSpec = R"({"replicas":1,
  "selector":{"matchLabels":{"app":"web"}},
  "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
    "spec":{"containers":[{"name":"nginx","image":"nginx","resources":{},
        "imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log",
        "terminationMessagePolicy":"File"}],
      "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
      "securityContext":{},"schedulerName":"default-scheduler"}},
  "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
  "revisionHistoryLimit":10,"progressDeadlineSeconds":600})";

TEST_F(Defaults, DeploymentAsKubectlCreatesIt) {
  json::object d = defaulted("apps", "Deployment", kCreateDeployment);
  EXPECT_EQ(d.at("spec"), json::parse(kDefaultedDeploymentSpec));
  EXPECT_EQ(d.at("status"), json::object());
}

TEST_F(Defaults, IsIdempotent) {
  json::object once = defaulted("apps", "Deployment", kCreateDeployment);
  json::object twice = once;
  applyDefaults(*schemas_, type("apps", "Deployment"), twice);
  EXPECT_EQ(once, twice);
}

TEST_F(Defaults, RecreateDeploymentHasNoRollingUpdate) {
  json::object d = defaulted("apps", "Deployment", R"({"spec":{"replicas":0,
      "strategy":{"type":"Recreate"}}})");
  EXPECT_EQ(d.at("spec"), json::parse(R"({"replicas":0,"strategy":{"type":"Recreate"},
      "revisionHistoryLimit":10,"progressDeadlineSeconds":600})"));
}

TEST_F(Defaults, PodGetsEnableServiceLinksButTemplatesDoNot) {
  json::object pod = defaulted("", "Pod", R"({"metadata":{"name":"p"},
      "spec":{"containers":[{"name":"p","image":"nginx:1.25"}]}})");
  const json::object& spec = pod.at("spec").as_object();
  EXPECT_EQ(spec.at("enableServiceLinks"), true);
  EXPECT_EQ(spec.at("containers").at(0).at("imagePullPolicy"), "IfNotPresent");
  EXPECT_EQ(spec.at("restartPolicy"), "Always");
  json::object rs = defaulted("apps", "ReplicaSet", R"({"spec":{"template":{"spec":{
      "containers":[{"name":"c","image":"nginx"}]}}}})");
  const json::object& tmpl = rs.at("spec").at("template").at("spec").as_object();
  EXPECT_FALSE(tmpl.contains("enableServiceLinks"));
  EXPECT_EQ(tmpl.at("dnsPolicy"), "ClusterFirst");
  EXPECT_EQ(rs.at("spec").at("replicas"), 1);
}

TEST_F(Defaults, DaemonSet) {
  json::object ds = defaulted("apps", "DaemonSet", R"({"spec":{"template":{"spec":{
      "containers":[{"name":"c","image":"i:1"}]}}}})");
  const json::object& spec = ds.at("spec").as_object();
  EXPECT_EQ(spec.at("updateStrategy"), json::parse(R"({"type":"RollingUpdate",
      "rollingUpdate":{"maxUnavailable":1,"maxSurge":0}})"));
  EXPECT_EQ(spec.at("revisionHistoryLimit"), 10);
}

TEST_F(Defaults, StatefulSet) {
  json::object sts = defaulted("apps", "StatefulSet", R"({"spec":{"serviceName":"s",
      "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"]}}],
      "template":{"spec":{"containers":[{"name":"c","image":"i:1"}]}}}})");
  json::object spec = sts.at("spec").as_object();
  EXPECT_EQ(spec.at("volumeClaimTemplates").at(0), json::parse(R"({"metadata":{"name":"data"},
      "spec":{"accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"},"status":{"phase":"Pending"}})"));
  spec.erase("template");
  spec.erase("volumeClaimTemplates");
  EXPECT_EQ(spec, json::parse(R"({"serviceName":"s","replicas":1,"podManagementPolicy":"OrderedReady",
      "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}},
      "revisionHistoryLimit":10,
      "persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Retain"}})"));
}

TEST_F(Defaults, JobAndCronJob) {
  json::object job = defaulted("batch", "Job", R"({"metadata":{"name":"j"},"spec":{"template":{
      "spec":{"containers":[{"name":"c","image":"busybox"}],"restartPolicy":"Never"}}}})");
  const json::object& spec = job.at("spec").as_object();
  EXPECT_EQ(spec.at("backoffLimit"), 6);
  EXPECT_EQ(spec.at("completions"), 1);
  EXPECT_EQ(spec.at("podReplacementPolicy"), "TerminatingOrFailed");
  EXPECT_EQ(spec.at("template").at("spec").at("restartPolicy"), "Never");

  json::object cj = defaulted("batch", "CronJob", R"({"spec":{"schedule":"*/5 * * * *",
      "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox"}],
        "restartPolicy":"OnFailure"}}}}}})");
  const json::object& cspec = cj.at("spec").as_object();
  EXPECT_EQ(cspec.at("concurrencyPolicy"), "Allow");
  EXPECT_EQ(cspec.at("suspend"), false);
  EXPECT_EQ(cspec.at("successfulJobsHistoryLimit"), 3);
  EXPECT_EQ(cspec.at("failedJobsHistoryLimit"), 1);
  const json::object& jobSpec = cspec.at("jobTemplate").at("spec").as_object();
  EXPECT_EQ(jobSpec.size(), 1u);  // no Job defaults inside a jobTemplate
  EXPECT_EQ(jobSpec.at("template").at("spec").at("containers").at(0).at("imagePullPolicy"), "Always");
}

TEST_F(Defaults, CoreStorageAndPolicyKinds) {
  json::object pv = defaulted("", "PersistentVolume", R"({"spec":{"capacity":{"storage":"1Gi"},
      "hostPath":{"path":"/d"}},"status":{}})");
  EXPECT_EQ(pv.at("spec").at("persistentVolumeReclaimPolicy"), "Retain");
  EXPECT_EQ(pv.at("spec").at("volumeMode"), "Filesystem");
  EXPECT_EQ(pv.at("spec").at("hostPath").at("type"), "");
  EXPECT_EQ(pv.at("status"), json::parse(R"({"phase":"Pending"})"));
  json::object pvc = defaulted("", "PersistentVolumeClaim", R"({"spec":{}})");
  EXPECT_EQ(pvc, json::parse(R"({"spec":{"volumeMode":"Filesystem"},"status":{"phase":"Pending"}})"));
  json::object pc = defaulted("scheduling.k8s.io", "PriorityClass", R"({"value":100})");
  EXPECT_EQ(pc.at("preemptionPolicy"), "PreemptLowerPriority");
  json::object sc = defaulted("storage.k8s.io", "StorageClass", R"({"provisioner":"p"})");
  EXPECT_EQ(sc.at("reclaimPolicy"), "Delete");
  EXPECT_EQ(sc.at("volumeBindingMode"), "Immediate");
  json::object secret = defaulted("", "Secret", R"({"type":""})");
  EXPECT_EQ(secret.at("type"), "Opaque");
}

TEST_F(Defaults, NetworkingAndRbac) {
  json::object np = defaulted("networking.k8s.io", "NetworkPolicy", R"({"spec":{
      "ingress":[{"ports":[{"port":80}]}]}})");
  EXPECT_EQ(np.at("spec"), json::parse(R"({"ingress":[{"ports":[{"port":80,"protocol":"TCP"}]}],
      "policyTypes":["Ingress"],"podSelector":{}})"));
  json::object rb = defaulted("rbac.authorization.k8s.io", "RoleBinding", R"({
      "roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"u"}]})");
  EXPECT_EQ(rb.at("roleRef").at("apiGroup"), "rbac.authorization.k8s.io");
  EXPECT_EQ(rb.at("subjects").at(0).at("apiGroup"), "rbac.authorization.k8s.io");
}

TEST_F(Defaults, NoDefaulterWithoutSchemaOrRule) {
  EXPECT_FALSE(defaulterFor(*schemas_, type("example.com", "Widget")));
  EXPECT_TRUE(defaulterFor(*schemas_, type("", "ConfigMap")));
  json::object cm = defaulted("", "ConfigMap", R"({"data":{"a":"b"}})");
  EXPECT_EQ(cm, json::parse(R"({"data":{"a":"b"}})"));
}

}  // namespace
}  // namespace kcpp::api::defaults
