// apps/v1 and batch/v1 Table cells: deployments, replicasets, daemonsets,
// statefulsets, controllerrevisions, jobs and cronjobs.

#include <gtest/gtest.h>

#include "apiserver/handlers/table_test_util.h"

namespace kcpp::apiserver {
namespace {

using namespace tabletest;  // NOLINT

const char* const kTemplate =
    R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
        {"name":"nginx","image":"nginx:1.27"},{"name":"sidecar","image":"envoy:v1.30"}]}})";

TEST(AppsTable, Deployments) {
  Table t("apps", "deployments",
          {R"({"metadata":{"name":"web","creationTimestamp":"AGO[45]"},"spec":{"replicas":3,
              "selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier",
              "operator":"In","values":["fe","be"]}]},)" +
               std::string(kTemplate) +
               R"(},"status":{"replicas":3,"updatedReplicas":3,"readyReplicas":2,
              "availableReplicas":2}})",
           R"({"metadata":{"name":"new","creationTimestamp":"AGO[45]"},"spec":{"selector":{}}})"});
  EXPECT_EQ(t.headers(),
            "Name | Ready | Up-to-date | Available | Age | Containers* | Images* | Selector*");
  EXPECT_EQ(t.row(0),
            "web | 2/3 | 3 | 2 | 45s | nginx,sidecar | nginx:1.27,envoy:v1.30 | "
            "app=web,tier in (be,fe)");
  EXPECT_EQ(t.row(1), "new | 0/1 | 0 | 0 | 45s |  |  | ");
  EXPECT_TRUE(t.cell("Up-to-date").is_int64());
}

TEST(AppsTable, ReplicaSetsDaemonSetsStatefulSets) {
  Table rs("apps", "replicasets",
           {R"({"metadata":{"name":"web-5d8f","creationTimestamp":"AGO[45]"},"spec":{"replicas":3,
               "selector":{"matchLabels":{"app":"web","pod-template-hash":"5d8f"}},)" +
            std::string(kTemplate) + R"(},"status":{"replicas":3,"readyReplicas":3}})"});
  EXPECT_EQ(rs.headers(),
            "Name | Desired | Current | Ready | Age | Containers* | Images* | Selector*");
  EXPECT_EQ(rs.row(),
            "web-5d8f | 3 | 3 | 3 | 45s | nginx,sidecar | nginx:1.27,envoy:v1.30 | "
            "app=web,pod-template-hash=5d8f");
  Table ds("apps", "daemonsets",
           {R"({"metadata":{"name":"agent","creationTimestamp":"AGO[45]"},"spec":{
               "selector":{"matchLabels":{"app":"agent"}},"template":{"spec":{
               "nodeSelector":{"kubernetes.io/os":"linux"},"containers":[{"name":"a",
               "image":"agent:1"}]}}},"status":{"desiredNumberScheduled":3,
               "currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":1,
               "numberAvailable":2}})"});
  EXPECT_EQ(ds.headers(),
            "Name | Desired | Current | Ready | Up-to-date | Available | Node Selector | Age | "
            "Containers* | Images* | Selector*");
  EXPECT_EQ(ds.row(), "agent | 3 | 3 | 2 | 1 | 2 | kubernetes.io/os=linux | 45s | a | agent:1 | "
                      "app=agent");
  Table sts("apps", "statefulsets",
            {R"({"metadata":{"name":"db","creationTimestamp":"AGO[45]"},"spec":{"replicas":2,)" +
             std::string(kTemplate) + R"(},"status":{"replicas":2,"readyReplicas":1}})"});
  EXPECT_EQ(sts.headers(), "Name | Ready | Age | Containers* | Images*");
  EXPECT_EQ(sts.row(), "db | 1/2 | 45s | nginx,sidecar | nginx:1.27,envoy:v1.30");
}

TEST(AppsTable, ControllerRevisions) {
  Table t("apps", "controllerrevisions",
          {R"({"metadata":{"name":"db-7c9","creationTimestamp":"AGO[45]","ownerReferences":[
              {"apiVersion":"v1","kind":"Pod","name":"other","uid":"1"},
              {"apiVersion":"apps/v1","kind":"StatefulSet","name":"db","uid":"2",
               "controller":true}]},"revision":2})",
           R"({"metadata":{"name":"orphan","creationTimestamp":"AGO[45]"},"revision":1})"});
  EXPECT_EQ(t.headers(), "Name | Controller | Revision | Age");
  EXPECT_EQ(t.row(0), "db-7c9 | statefulset.apps/db | 2 | 45s");
  EXPECT_EQ(t.row(1), "orphan | <none> | 1 | 45s");
}

std::string job(const std::string& name, const std::string& spec, const std::string& status,
                const std::string& meta = "") {
  return R"({"metadata":{"name":")" + name + R"(","creationTimestamp":"AGO[600]")" + meta +
         R"(},"spec":{"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u1"}},)"
         R"("template":{"spec":{"containers":[{"name":"pi","image":"perl:5.34"}]}})" +
         spec + R"(},"status":)" + status + "}";
}

TEST(BatchTable, Jobs) {
  Table t("batch", "jobs",
          {job("pi", R"(,"completions":1,"parallelism":1)",
               R"({"succeeded":1,"startTime":"AGO[600]","completionTime":"AGO[530]",
                  "conditions":[{"type":"SuccessCriteriaMet","status":"True"},
                                {"type":"Complete","status":"True"}]})"),
           job("queue", R"(,"parallelism":3)", R"({"active":3,"startTime":"AGO[125]"})"),
           job("bad", R"(,"completions":5)", R"({"failed":6,"succeeded":2,"conditions":[
               {"type":"FailureTarget","status":"True"},{"type":"Failed","status":"True"}]})"),
           job("paused", "", R"({"conditions":[{"type":"Suspended","status":"True"}]})"),
           job("gone", "", "{}", R"(,"deletionTimestamp":"AGO[1]")"),
           job("failing", "", R"({"conditions":[{"type":"FailureTarget","status":"True"}]})")});
  EXPECT_EQ(t.headers(),
            "Name | Status | Completions | Duration | Age | Containers* | Images* | Selector*");
  EXPECT_EQ(t.row(0),
            "pi | Complete | 1/1 | 70s | 10m | pi | perl:5.34 | "
            "batch.kubernetes.io/controller-uid=u1");
  EXPECT_EQ(t.text("Completions", 1), "0/1 of 3");
  EXPECT_EQ(t.text("Duration", 1), "2m5s");
  EXPECT_EQ(t.text("Status", 1), "Running");
  EXPECT_EQ(t.text("Status", 2), "Failed");
  EXPECT_EQ(t.text("Completions", 2), "2/5");
  EXPECT_EQ(t.text("Duration", 2), "");
  EXPECT_EQ(t.text("Status", 3), "Suspended");
  EXPECT_EQ(t.text("Completions", 3), "0/1");
  EXPECT_EQ(t.text("Status", 4), "Terminating");
  EXPECT_EQ(t.text("Status", 5), "FailureTarget");
}

TEST(BatchTable, CronJobs) {
  Table t("batch", "cronjobs",
          {R"({"metadata":{"name":"backup","creationTimestamp":"AGO[7200]"},"spec":{
              "schedule":"*/5 * * * *","timeZone":"Etc/UTC","suspend":false,"jobTemplate":{
              "spec":{"template":{"spec":{"containers":[{"name":"b","image":"busybox"}]}}}}},
              "status":{"active":[{"name":"backup-1"}],"lastScheduleTime":"AGO[65]"}})",
           R"({"metadata":{"name":"idle","creationTimestamp":"AGO[60]"},"spec":{
              "schedule":"@daily","suspend":true}})",
           R"({"metadata":{"name":"plain","creationTimestamp":"AGO[60]"},"spec":{
              "schedule":"0 * * * *"}})"});
  EXPECT_EQ(t.headers(),
            "Name | Schedule | Timezone | Suspend | Active | Last Schedule | Age | Containers* | "
            "Images* | Selector*");
  EXPECT_EQ(t.row(0), "backup | */5 * * * * | Etc/UTC | False | 1 | 65s | 120m | b | busybox | "
                      "<none>");
  EXPECT_EQ(t.row(1), "idle | @daily | <none> | True | 0 | <none> | 60s |  |  | <none>");
  EXPECT_EQ(t.text("Suspend", 2), "False");
}

}  // namespace
}  // namespace kcpp::apiserver
