// The StatefulSet controller against a real in-process API server.
#include "controllers/statefulset/stateful_set_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "controllers/statefulset/stateful_set_utils.h"

namespace kcpp::controllers::statefulset {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class StatefulSetControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    controller = std::make_unique<StatefulSetController>(*restClient, *informers, io.get_executor());
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }

  void TearDown() override {
    controller->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  void createSet(int replicas, const std::string& extraSpec = "") {
    json::object set = json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web"},
      "spec":{"serviceName":"web","selector":{"matchLabels":{"app":"web"}},
        "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}},
        "volumeClaimTemplates":[{"metadata":{"name":"www"},
          "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}])" +
                                   extraSpec + "}}")
                           .as_object();
    set["spec"].as_object()["replicas"] = replicas;
    ASSERT_TRUE(server.await(restClient->create(setPath(), set)).ok());
  }

  // Retried: the controller's status writes race with the test's update.
  void changeSpec(const std::function<void(json::object& spec)>& change) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      auto set = server.await(restClient->get(setPath("web")));
      ASSERT_TRUE(set.ok());
      change((*set)["spec"].as_object());
      if (server.await(restClient->update(setPath("web"), *set)).ok()) return;
    }
    FAIL() << "could not update the StatefulSet";
  }

  client::ResourcePath setPath(const std::string& name = "") {
    return client::ResourcePath{"apps", "v1", "statefulsets", "default", name, "", ""};
  }

  std::map<std::string, json::object> list(const std::string& group, const std::string& resource) {
    client::ResourcePath path{group, "v1", resource, "default", "", "", ""};
    auto got = server.await(restClient->get(path));
    std::map<std::string, json::object> out;
    if (!got) return out;
    for (auto& item : got->at("items").as_array()) out[std::string(api::metaName(item.as_object()))] = item.as_object();
    return out;
  }

  std::set<std::string> podNames() {
    std::set<std::string> out;
    for (const auto& [name, p] : list("", "pods")) out.insert(name);
    return out;
  }

  std::string image(const std::string& pod) {
    auto pods = list("", "pods");
    if (!pods.count(pod)) return "";
    return std::string(pods[pod].at("spec").at("containers").at(0).at("image").as_string());
  }

  // The stand-in kubelet: a pod Running and Ready (or not ready).
  void makeReady(const std::string& name) { setReady(name, true); }
  void setReady(const std::string& name, bool ready) {
    auto pods = list("", "pods");
    ASSERT_TRUE(pods.count(name)) << name;
    json::object p = pods[name];
    p["status"] = json::parse(R"({"phase":"Running","conditions":[{"type":"Ready","status":")" +
                              std::string(ready ? "True" : "False") +
                              R"(","lastTransitionTime":"2026-01-01T00:00:00Z"}]})");
    client::ResourcePath path{"", "v1", "pods", "default", name, "status", ""};
    ASSERT_TRUE(server.await(restClient->update(path, p)).ok());
  }

  void readyAll() {
    for (const auto& name : podNames()) {
      if (!isRunningAndReady(list("", "pods")[name])) makeReady(name);
    }
  }

  json::object status() {
    auto set = server.await(restClient->get(setPath("web")));
    const json::value* s = set ? set->if_contains("status") : nullptr;
    return s && s->is_object() ? s->get_object() : json::object();
  }

  void deletePod(const std::string& name) {
    client::ResourcePath path{"", "v1", "pods", "default", name, "", ""};
    const json::object noOptions;
    ASSERT_TRUE(server.await(restClient->remove(path, noOptions)).ok());
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "/persistentvolumeclaims",
                                             "apps/statefulsets", "apps/controllerrevisions"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<StatefulSetController> controller;
  bool ended = false;
};

TEST_F(StatefulSetControllerTest, OrderedReadyCreatesInOrderAndScalesDownHighestFirst) {
  createSet(3);
  server.runFor(3s, [this] { return podNames().size() == 1; });
  server.runFor(300ms);
  EXPECT_EQ(podNames(), (std::set<std::string>{"web-0"}));
  EXPECT_TRUE(list("", "persistentvolumeclaims").count("www-web-0"));
  makeReady("web-0");
  server.runFor(3s, [this] { return podNames().size() == 2; });
  server.runFor(300ms);
  EXPECT_EQ(podNames(), (std::set<std::string>{"web-0", "web-1"}));
  makeReady("web-1");
  server.runFor(3s, [this] { return podNames().size() == 3; });
  makeReady("web-2");
  server.runFor(3s, [this] { return status().contains("readyReplicas") && status().at("readyReplicas") == 3; });
  json::object s = status();
  EXPECT_EQ(s.at("replicas"), 3);
  EXPECT_EQ(s.at("currentReplicas"), 3);
  EXPECT_EQ(s.at("updatedReplicas"), 3);
  EXPECT_EQ(s.at("availableReplicas"), 3);
  EXPECT_EQ(s.at("collisionCount"), 0);
  EXPECT_EQ(s.at("currentRevision"), s.at("updateRevision"));
  EXPECT_EQ(list("", "persistentvolumeclaims").size(), 3u);
  EXPECT_EQ(list("apps", "controllerrevisions").size(), 1u);

  // OrderedReady halts while a pod is unhealthy: no scale-down with web-0 not ready.
  setReady("web-0", false);
  changeSpec([](json::object& spec) { spec["replicas"] = 1; });
  server.runFor(500ms);
  EXPECT_EQ(podNames().size(), 3u);
  // Ready again: web-2 and web-1 go; the claims stay.
  setReady("web-0", true);
  server.runFor(3s, [this] { return podNames().size() == 1; });
  EXPECT_EQ(podNames(), (std::set<std::string>{"web-0"}));
  EXPECT_EQ(list("", "persistentvolumeclaims").size(), 3u);  // whenScaled: Retain
}

TEST_F(StatefulSetControllerTest, DeletedPodComesBackWithTheSameNameAndClaim) {
  createSet(1);
  server.runFor(3s, [this] { return podNames().size() == 1; });
  makeReady("web-0");
  std::string uid(api::findPath(list("", "pods")["web-0"], "metadata.uid")->as_string());
  deletePod("web-0");
  server.runFor(3s, [&] {
    auto pods = list("", "pods");
    return pods.count("web-0") && api::findPath(pods["web-0"], "metadata.uid")->as_string() != uid;
  });
  auto pods = list("", "pods");
  ASSERT_TRUE(pods.count("web-0"));
  EXPECT_NE(api::findPath(pods["web-0"], "metadata.uid")->as_string(), uid);
  EXPECT_TRUE(storageMatches(json::parse(R"({"metadata":{"name":"web"},"spec":{"volumeClaimTemplates":
      [{"metadata":{"name":"www"}}]}})").as_object(), pods["web-0"]));
  EXPECT_EQ(list("", "persistentvolumeclaims").size(), 1u);
}

TEST_F(StatefulSetControllerTest, FailedPodIsRecreated) {
  createSet(1);
  server.runFor(3s, [this] { return podNames().size() == 1; });
  json::object pod = list("", "pods")["web-0"];
  std::string uid(api::findPath(pod, "metadata.uid")->as_string());
  pod["status"] = json::parse(R"({"phase":"Failed"})");
  client::ResourcePath path{"", "v1", "pods", "default", "web-0", "status", ""};
  ASSERT_TRUE(server.await(restClient->update(path, pod)).ok());
  server.runFor(3s, [&] {
    auto pods = list("", "pods");
    return pods.count("web-0") && api::findPath(pods["web-0"], "metadata.uid")->as_string() != uid;
  });
  auto pods = list("", "pods");
  ASSERT_TRUE(pods.count("web-0"));
  EXPECT_NE(api::findPath(pods["web-0"], "metadata.uid")->as_string(), uid);
  EXPECT_EQ(str(pods["web-0"], "status.phase"), "Pending");
}

TEST_F(StatefulSetControllerTest, PartitionedRollingUpdateUpdatesOnlyHighOrdinals) {
  createSet(3, R"(,"podManagementPolicy":"Parallel",
                  "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":1}})");
  server.runFor(3s, [this] { return podNames().size() == 3; });
  readyAll();
  server.runFor(3s, [this] { return status().contains("readyReplicas") && status().at("readyReplicas") == 3; });
  std::string first(status().at("currentRevision").as_string());
  changeSpec([](json::object& spec) {
    spec["template"].as_object()["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "nginx:2";
  });
  // Highest first, one at a time: web-2, then (once web-2 is ready) web-1; web-0 stays.
  server.runFor(3s, [this] { return image("web-2") == "nginx:2"; });
  server.runFor(300ms);
  EXPECT_EQ(image("web-1"), "nginx:1");
  readyAll();
  server.runFor(3s, [this] { return image("web-1") == "nginx:2"; });
  readyAll();
  server.runFor(3s, [this] { return status().contains("updatedReplicas") && status().at("updatedReplicas") == 2 &&
                                    status().at("readyReplicas") == 3; });
  server.runFor(300ms);
  EXPECT_EQ(image("web-0"), "nginx:1");
  json::object s = status();
  EXPECT_EQ(s.at("currentRevision").as_string(), first);
  EXPECT_NE(s.at("updateRevision").as_string(), first);
  EXPECT_EQ(s.at("currentReplicas"), 1);
  EXPECT_EQ(list("apps", "controllerrevisions").size(), 2u);
}

TEST_F(StatefulSetControllerTest, HistoryKeepsLiveRevisionsAndTrimsToTheLimit) {
  createSet(1, R"(,"revisionHistoryLimit":0)");
  server.runFor(3s, [this] { return podNames().size() == 1; });
  readyAll();
  for (const char* next : {"nginx:2", "nginx:3"}) {
    changeSpec([&](json::object& spec) {
      spec["template"].as_object()["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = next;
    });
    server.runFor(3s, [&] { return image("web-0") == next; });
    readyAll();
  }
  server.runFor(3s, [this] { return list("apps", "controllerrevisions").size() == 1; });
  auto revisions = list("apps", "controllerrevisions");
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_EQ(revisions.begin()->second.at("revision").as_int64(), 3);
  EXPECT_EQ(status().at("currentRevision"), status().at("updateRevision"));
}

TEST_F(StatefulSetControllerTest, AdoptsAnOrphanWithItsOrdinalName) {
  json::object orphan = json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web-0","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"c","image":"nginx:1"}]}})").as_object();
  client::ResourcePath podsPath{"", "v1", "pods", "default", "", "", ""};
  auto created = server.await(restClient->create(podsPath, orphan));
  ASSERT_TRUE(created.ok());
  server.runFor(300ms);  // in the controller's cache before the set is
  createSet(1);
  server.runFor(3s, [this] { return controllerRef(list("", "pods")["web-0"]).has_value(); });
  auto pod = list("", "pods")["web-0"];
  EXPECT_EQ(api::findPath(pod, "metadata.uid")->as_string(), api::findPath(*created, "metadata.uid")->as_string());
  ASSERT_TRUE(controllerRef(pod).has_value());
  EXPECT_EQ(controllerRef(pod)->kind, "StatefulSet");
}

TEST_F(StatefulSetControllerTest, OrdinalsStartMovesTheNames) {
  createSet(2, R"(,"podManagementPolicy":"Parallel","ordinals":{"start":5})");
  server.runFor(3s, [this] { return podNames().size() == 2; });
  EXPECT_EQ(podNames(), (std::set<std::string>{"web-5", "web-6"}));
  EXPECT_TRUE(list("", "persistentvolumeclaims").count("www-web-6"));
}

TEST_F(StatefulSetControllerTest, ClaimsOwnedBySetWhenDeletedPolicyIsDelete) {
  createSet(1, R"(,"persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Delete","whenScaled":"Delete"})");
  server.runFor(3s, [this] { return podNames().size() == 1; });
  auto claims = list("", "persistentvolumeclaims");
  ASSERT_TRUE(claims.count("www-web-0"));
  const json::value* refs = api::findPath(claims["www-web-0"], "metadata.ownerReferences");
  ASSERT_TRUE(refs && refs->is_array());
  EXPECT_EQ(refs->as_array()[0].at("kind"), "StatefulSet");
  EXPECT_FALSE(refs->as_array()[0].as_object().contains("controller"));
  // whenScaled: Delete: a pod scaled away first becomes an owner of its claims.
  readyAll();
  changeSpec([](json::object& spec) { spec["replicas"] = 0; });
  server.runFor(3s, [this] { return podNames().empty(); });
  claims = list("", "persistentvolumeclaims");
  refs = api::findPath(claims["www-web-0"], "metadata.ownerReferences");
  ASSERT_TRUE(refs && refs->is_array());
  ASSERT_EQ(refs->as_array().size(), 2u);
  EXPECT_EQ(refs->as_array()[1].at("kind"), "Pod");
}

}  // namespace
}  // namespace kcpp::controllers::statefulset
