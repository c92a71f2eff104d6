#include <gtest/gtest.h>

#include "api/defaults/workload_defaults.h"

namespace kcpp::api::defaults {
namespace {

namespace json = boost::json;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

constexpr std::string_view kTemplate =
    R"({"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}})";

json::object withTemplate(std::string_view text) {
  json::object obj = parse(text);
  obj["spec"].as_object()["template"] = json::parse(kTemplate);
  return obj;
}

std::string_view pullPolicy(const json::object& podTemplateSpec) {
  return podTemplateSpec.at("spec").at("containers").at(0).at("imagePullPolicy").as_string();
}

TEST(WorkloadDefaults, DeploymentRollingUpdateStructure) {
  json::object d = withTemplate(R"({"spec":{}})");
  defaultDeployment(d);
  EXPECT_EQ(d.at("spec").at("strategy"), json::parse(R"({"rollingUpdate":{}})"));
  EXPECT_EQ(pullPolicy(d.at("spec").at("template").as_object()), "Always");

  d = parse(R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})");
  defaultDeployment(d);
  EXPECT_EQ(d.at("spec").at("strategy").at("rollingUpdate"), json::parse(R"({"maxSurge":1})"));

  d = parse(R"({"spec":{"strategy":{"type":"Recreate"}}})");
  defaultDeployment(d);
  EXPECT_EQ(d.at("spec").at("strategy"), json::parse(R"({"type":"Recreate"})"));

  d = parse(R"({"metadata":{"name":"n"}})");  // spec is a struct upstream: always there
  defaultDeployment(d);
  EXPECT_EQ(d.at("spec"), json::parse(R"({"strategy":{"rollingUpdate":{}}})"));
}

TEST(WorkloadDefaults, DaemonSetRollingUpdateStructure) {
  json::object ds = withTemplate(R"({"spec":{"updateStrategy":{"type":"OnDelete"}}})");
  defaultDaemonSet(ds);
  EXPECT_EQ(ds.at("spec").at("updateStrategy"), json::parse(R"({"type":"OnDelete"})"));
  EXPECT_EQ(pullPolicy(ds.at("spec").at("template").as_object()), "Always");
  ds = parse(R"({"spec":{"updateStrategy":{"type":""}}})");
  defaultDaemonSet(ds);
  EXPECT_EQ(ds.at("spec").at("updateStrategy").at("rollingUpdate"), json::object());
}

TEST(WorkloadDefaults, StatefulSetRollingUpdateOnlyForAnUnsetType) {
  json::object sts = withTemplate(R"({"spec":{"volumeClaimTemplates":[{"metadata":{"name":"d"}}]}})");
  defaultStatefulSet(sts);
  EXPECT_EQ(sts.at("spec").at("updateStrategy"), json::parse(R"({"rollingUpdate":{}})"));
  EXPECT_EQ(sts.at("spec").at("volumeClaimTemplates").at(0),
            json::parse(R"({"metadata":{"name":"d"},"status":{}})"));
  EXPECT_EQ(pullPolicy(sts.at("spec").at("template").as_object()), "Always");
  // Given as RollingUpdate without rollingUpdate: upstream leaves it so.
  sts = parse(R"({"spec":{"updateStrategy":{"type":"RollingUpdate"}}})");
  defaultStatefulSet(sts);
  EXPECT_EQ(sts.at("spec").at("updateStrategy"), json::parse(R"({"type":"RollingUpdate"})"));
}

TEST(WorkloadDefaults, ReplicaSetAndPodTemplate) {
  json::object rs = withTemplate(R"({"spec":{}})");
  defaultReplicaSet(rs);
  EXPECT_EQ(pullPolicy(rs.at("spec").at("template").as_object()), "Always");
  json::object pt = parse(R"({"template":{}})");
  pt["template"] = json::parse(kTemplate);
  defaultPodTemplate(pt);
  EXPECT_EQ(pullPolicy(pt.at("template").as_object()), "Always");
}

TEST(WorkloadDefaults, JobSpec) {
  json::object job = withTemplate(R"({"metadata":{"name":"j"},"spec":{}})");
  defaultJob(job);
  json::object spec = job.at("spec").as_object();
  spec.erase("template");
  EXPECT_EQ(spec, json::parse(R"({"completions":1,"parallelism":1,"backoffLimit":6,
      "completionMode":"NonIndexed","suspend":false,"podReplacementPolicy":"TerminatingOrFailed",
      "manualSelector":false})"));
  EXPECT_EQ(job.at("metadata").at("labels"), json::parse(R"({"app":"x"})"));
  EXPECT_EQ(pullPolicy(job.at("spec").at("template").as_object()), "Always");
}

TEST(WorkloadDefaults, JobCountsAndPolicies) {
  json::object job = parse(R"({"metadata":{"labels":{"own":"y"}},"spec":{"completions":5,
      "backoffLimitPerIndex":2,"completionMode":"Indexed","podFailurePolicy":{"rules":[]},
      "suspend":true,"manualSelector":true}})");
  job["spec"].as_object()["template"] = json::parse(kTemplate);
  defaultJob(job);
  const json::object& spec = job.at("spec").as_object();
  EXPECT_EQ(spec.at("completions"), 5);
  EXPECT_EQ(spec.at("parallelism"), 1);
  EXPECT_EQ(spec.at("backoffLimit"), 2147483647);
  EXPECT_EQ(spec.at("completionMode"), "Indexed");
  EXPECT_EQ(spec.at("podReplacementPolicy"), "Failed");
  EXPECT_EQ(spec.at("suspend"), true);
  EXPECT_EQ(spec.at("manualSelector"), true);
  EXPECT_EQ(job.at("metadata").at("labels"), json::parse(R"({"own":"y"})"));

  job = parse(R"({"spec":{"parallelism":3}})");
  defaultJob(job);
  EXPECT_FALSE(job.at("spec").as_object().contains("completions"));
  EXPECT_EQ(job.at("spec").at("parallelism"), 3);
  EXPECT_FALSE(job.contains("metadata"));  // no template labels to copy
}

TEST(WorkloadDefaults, CronJobTemplateGetsPodRulesButNotJobRules) {
  json::object cj = parse(R"({"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{}}}})");
  cj["spec"].as_object()["jobTemplate"].as_object()["spec"].as_object()["template"] =
      json::parse(kTemplate);
  defaultCronJob(cj);
  const json::object& jobSpec = cj.at("spec").at("jobTemplate").at("spec").as_object();
  EXPECT_EQ(jobSpec.size(), 1u);
  EXPECT_EQ(pullPolicy(jobSpec.at("template").as_object()), "Always");
}

TEST(WorkloadDefaults, ReplicationControllerSelectorAndLabelsFromTemplate) {
  json::object rc = withTemplate(R"({"metadata":{"name":"r"},"spec":{}})");
  defaultReplicationController(rc);
  EXPECT_EQ(rc.at("spec").at("selector"), json::parse(R"({"app":"x"})"));
  EXPECT_EQ(rc.at("metadata").at("labels"), json::parse(R"({"app":"x"})"));
  EXPECT_EQ(pullPolicy(rc.at("spec").at("template").as_object()), "Always");

  rc = withTemplate(R"({"metadata":{"labels":{"l":"1"}},"spec":{"selector":{"s":"2"}}})");
  defaultReplicationController(rc);
  EXPECT_EQ(rc.at("spec").at("selector"), json::parse(R"({"s":"2"})"));
  EXPECT_EQ(rc.at("metadata").at("labels"), json::parse(R"({"l":"1"})"));

  rc = parse(R"({"spec":{"replicas":2}})");  // no template: nothing to copy
  defaultReplicationController(rc);
  EXPECT_EQ(rc, json::parse(R"({"spec":{"replicas":2}})"));
}

}  // namespace
}  // namespace kcpp::api::defaults
