// Pod Table cells: upstream's printPod status logic, case by case.

#include <gtest/gtest.h>

#include "apiserver/handlers/table_test_util.h"

namespace kcpp::apiserver {
namespace {

using namespace tabletest;  // NOLINT

// A pod named "web" with the given spec and status members (JSON, no braces).
std::string pod(const std::string& spec, const std::string& status,
                const std::string& metadataExtra = "") {
  return R"({"metadata":{"name":"web","namespace":"default","creationTimestamp":"AGO[300]")" +
         metadataExtra + R"(},"spec":{)" + spec + R"(},"status":{)" + status + "}}";
}

const char* const kOneContainer = R"("containers":[{"name":"nginx","image":"nginx:1.27"}])";

Table pods(const std::string& p) { return Table("", "pods", {p}); }

TEST(PodTable, Columns) {
  Table t = pods(pod(kOneContainer, R"("phase":"Pending")"));
  EXPECT_EQ(t.headers(),
            "Name | Ready | Status | Restarts | Age | IP* | Node* | Nominated Node* | "
            "Readiness Gates*");
  const auto& defs = t.raw().at("columnDefinitions").as_array();
  EXPECT_EQ(defs[0].at("format"), "name");
  EXPECT_EQ(defs[3].at("type"), "string");
  EXPECT_EQ(t.row(), "web | 0/1 | Pending | 0 | 5m | <none> | <none> | <none> | <none>");
}

TEST(PodTable, RunningWithWideColumns) {
  Table t = pods(pod(std::string(kOneContainer) +
                         R"(,"nodeName":"node-1","readinessGates":[
                         {"conditionType":"example.com/lb"},{"conditionType":"example.com/dns"}])",
                     R"("phase":"Running","podIP":"10.42.0.7",
                        "podIPs":[{"ip":"10.42.0.7"},{"ip":"fd00::7"}],
                        "conditions":[{"type":"example.com/lb","status":"True"},
                                      {"type":"example.com/dns","status":"False"}],
                        "containerStatuses":[{"name":"nginx","ready":true,"restartCount":0,
                          "state":{"running":{"startedAt":"AGO[290]"}}}])"));
  EXPECT_EQ(t.row(), "web | 1/1 | Running | 0 | 5m | 10.42.0.7 | node-1 | <none> | 1/2");
}

TEST(PodTable, RestartsShowWhenTheLastOneWas) {
  Table t = pods(pod(R"("containers":[{"name":"a"},{"name":"b"}])",
                     R"("phase":"Running","containerStatuses":[
                        {"name":"a","ready":false,"restartCount":4,
                         "state":{"waiting":{"reason":"CrashLoopBackOff"}},
                         "lastState":{"terminated":{"exitCode":1,"finishedAt":"AGO[65]"}}},
                        {"name":"b","ready":true,"restartCount":1,
                         "state":{"running":{}},
                         "lastState":{"terminated":{"exitCode":2,"finishedAt":"AGO[3000]"}}}])"));
  EXPECT_EQ(t.text("Ready"), "1/2");
  EXPECT_EQ(t.text("Status"), "CrashLoopBackOff");
  EXPECT_EQ(t.text("Restarts"), "5 (65s ago)");
}

TEST(PodTable, InitContainers) {
  const std::string spec = std::string(kOneContainer) +
                           R"(,"initContainers":[{"name":"init-db"},{"name":"init-cache"}])";
  auto status = [](const std::string& inits) {
    return R"("phase":"Pending","initContainerStatuses":[)" + inits +
           R"(],"containerStatuses":[{"name":"nginx","ready":false,"restartCount":0,
               "state":{"waiting":{"reason":"PodInitializing"}}}])";
  };
  const std::string done = R"({"name":"init-db","state":{"terminated":{"exitCode":0,
                               "reason":"Completed"}},"restartCount":0})";
  EXPECT_EQ(pods(pod(spec, status(R"({"name":"init-db","state":{"running":{}},"restartCount":0},
                                     {"name":"init-cache","state":{"waiting":{}}})")))
                .text("Status"),
            "Init:0/2");
  EXPECT_EQ(pods(pod(spec, status(done + R"(,{"name":"init-cache","state":{"running":{}}})")))
                .text("Status"),
            "Init:1/2");
  EXPECT_EQ(pods(pod(spec, status(R"({"name":"init-db","restartCount":3,
                                      "state":{"waiting":{"reason":"CrashLoopBackOff"}}})")))
                .row(),
            "web | 0/1 | Init:CrashLoopBackOff | 3 | 5m | <none> | <none> | <none> | <none>");
  EXPECT_EQ(pods(pod(spec, status(R"({"name":"init-db","state":{"terminated":{"exitCode":2}}})")))
                .text("Status"),
            "Init:ExitCode:2");
  EXPECT_EQ(pods(pod(spec, status(R"({"name":"init-db","state":{"terminated":
                                      {"exitCode":137,"signal":9}}})")))
                .text("Status"),
            "Init:Signal:9");
  EXPECT_EQ(pods(pod(spec, status(R"({"name":"init-db","state":{"terminated":
                                      {"exitCode":1,"reason":"Error"}}})")))
                .text("Status"),
            "Init:Error");
  // All init containers done: the main container's waiting reason shows.
  std::string bothDone = done + "," + done;
  bothDone.replace(bothDone.rfind("init-db"), 7, "init-cache");
  EXPECT_EQ(pods(pod(spec, status(bothDone))).text("Status"), "PodInitializing");
}

TEST(PodTable, SidecarInitContainersCountAsContainers) {
  Table t = pods(pod(std::string(kOneContainer) +
                         R"(,"initContainers":[{"name":"proxy","restartPolicy":"Always"}])",
                     R"("phase":"Running",
                        "conditions":[{"type":"Initialized","status":"True"}],
                        "initContainerStatuses":[{"name":"proxy","started":true,"ready":true,
                          "restartCount":2,"state":{"running":{}},
                          "lastState":{"terminated":{"exitCode":1,"finishedAt":"AGO[30]"}}}],
                        "containerStatuses":[{"name":"nginx","ready":true,"restartCount":0,
                          "state":{"running":{}}}])"));
  EXPECT_EQ(t.text("Ready"), "2/2");
  EXPECT_EQ(t.text("Status"), "Running");
  EXPECT_EQ(t.text("Restarts"), "2 (30s ago)");
}

TEST(PodTable, CompletedAndFailedCarryRowConditions) {
  Table done = pods(pod(kOneContainer, R"("phase":"Succeeded","containerStatuses":[
      {"name":"nginx","ready":false,"restartCount":0,
       "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}])"));
  EXPECT_EQ(done.text("Status"), "Completed");
  EXPECT_EQ(done.text("Ready"), "0/1");
  const auto& condition = done.rowObject(0).at("conditions").as_array()[0];
  EXPECT_EQ(json::serialize(condition),
            R"({"type":"Completed","status":"True","reason":"Succeeded",)"
            R"("message":"The pod has completed successfully."})");
  Table failed = pods(pod(kOneContainer, R"("phase":"Failed","containerStatuses":[
      {"name":"nginx","state":{"terminated":{"exitCode":3}}}])"));
  EXPECT_EQ(failed.text("Status"), "ExitCode:3");
  EXPECT_EQ(failed.rowObject(0).at("conditions").at(0).at("message"), "The pod failed.");
  Table evicted = pods(pod(kOneContainer, R"("phase":"Failed","reason":"Evicted")"));
  EXPECT_EQ(evicted.text("Status"), "Evicted");
}

TEST(PodTable, CompletedContainerBesideARunningOne) {
  auto status = [](const char* ready) {
    return std::string(R"("phase":"Running","conditions":[{"type":"Ready","status":")") + ready +
           R"("}],"containerStatuses":[
             {"name":"a","ready":true,"state":{"running":{}}},
             {"name":"b","ready":false,"state":{"terminated":{"exitCode":0,
              "reason":"Completed"}}}])";
  };
  const char* spec = R"("containers":[{"name":"a"},{"name":"b"}])";
  EXPECT_EQ(pods(pod(spec, status("True"))).text("Status"), "Running");
  EXPECT_EQ(pods(pod(spec, status("False"))).text("Status"), "NotReady");
}

TEST(PodTable, TerminatingUnknownAndGated) {
  const std::string deleting = R"(,"deletionTimestamp":"AGO[2]")";
  EXPECT_EQ(pods(pod(kOneContainer, R"("phase":"Running")", deleting)).text("Status"),
            "Terminating");
  EXPECT_EQ(pods(pod(kOneContainer, R"("phase":"Running","reason":"NodeLost")", deleting))
                .text("Status"),
            "Unknown");
  EXPECT_EQ(pods(pod(kOneContainer, R"("phase":"Succeeded")", deleting)).text("Status"),
            "Succeeded");
  EXPECT_EQ(pods(pod(kOneContainer, R"("phase":"Pending","conditions":[{"type":"PodScheduled",
                   "status":"False","reason":"SchedulingGated"}])"))
                .text("Status"),
            "SchedulingGated");
  EXPECT_EQ(pods(pod(kOneContainer, R"("phase":"Pending","nominatedNodeName":"node-2")"))
                .text("Nominated Node"),
            "node-2");
}

}  // namespace
}  // namespace kcpp::apiserver
