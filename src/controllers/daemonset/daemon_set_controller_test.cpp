// The DaemonSet controller against a real in-process API server.
#include "controllers/daemonset/daemon_set_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "controllers/daemonset/node_eligibility.h"

namespace kcpp::controllers::daemon {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class DaemonSetControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    controller = std::make_unique<DaemonSetController>(*restClient, *informers, io.get_executor());
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

  void addNode(const std::string& name, const std::string& taints = "[]") {
    json::object node = json::parse(R"({"apiVersion":"v1","kind":"Node","spec":{"taints":)" + taints + "}}").as_object();
    node["metadata"] = json::object{{"name", name}};
    client::ResourcePath path{"", "v1", "nodes", "", "", "", ""};
    ASSERT_TRUE(server.await(restClient->create(path, node)).ok());
  }

  void createDaemonSet(const std::string& image, const std::string& strategy = R"({"type":"RollingUpdate"})") {
    json::object ds = json::parse(R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent"},
      "spec":{"selector":{"matchLabels":{"app":"agent"}},"updateStrategy":)" + strategy + R"(,
              "template":{"metadata":{"labels":{"app":"agent"}},
                          "spec":{"containers":[{"name":"c","image":")" + image + R"("}]}}}})").as_object();
    ASSERT_TRUE(server.await(restClient->create(dsPath(), ds)).ok());
  }

  // Retried: the controller's status writes race with the test's update.
  void setImage(const std::string& image) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      auto ds = server.await(restClient->get(dsPath("agent")));
      ASSERT_TRUE(ds.ok());
      (*ds)["spec"].as_object()["template"].as_object()["spec"].as_object()["containers"].as_array()[0]
          .as_object()["image"] = image;
      if (server.await(restClient->update(dsPath("agent"), *ds)).ok()) return;
    }
    FAIL() << "could not update the DaemonSet";
  }

  client::ResourcePath dsPath(const std::string& name = "") {
    return client::ResourcePath{"apps", "v1", "daemonsets", "default", name, "", ""};
  }

  std::vector<json::object> list(const std::string& group, const std::string& resource) {
    client::ResourcePath path{group, "v1", resource, "default", "", "", ""};
    auto got = server.await(restClient->get(path));
    std::vector<json::object> out;
    if (!got) return out;
    for (auto& item : got->at("items").as_array()) out.push_back(item.as_object());
    return out;
  }

  std::vector<json::object> pods() { return list("", "pods"); }

  std::vector<std::string> podNodes() {
    std::vector<std::string> out;
    for (const auto& p : pods()) out.push_back(targetNodeName(p).value_or("?"));
    std::sort(out.begin(), out.end());
    return out;
  }

  // The stand-in kubelet: every pod Running and Ready.
  void makeReady() {
    for (json::object p : pods()) {
      if (api::findPath(p, "status.conditions")) continue;
      p["status"] = json::parse(R"({"phase":"Running","conditions":[{"type":"Ready","status":"True",
                                 "lastTransitionTime":"2026-01-01T00:00:00Z"}]})");
      client::ResourcePath path{"", "v1", "pods", "default", std::string(api::metaName(p)), "status", ""};
      ASSERT_TRUE(server.await(restClient->update(path, p)).ok());
    }
  }

  std::int64_t status(const std::string& field) {
    auto ds = server.await(restClient->get(dsPath("agent")));
    if (!ds) return -1;
    const json::value* v = api::findPath(*ds, "status." + field);
    return v && v->is_int64() ? v->get_int64() : -1;
  }

  asio::io_context io;
  client::testing::TestApiServer server{
      io, {"/namespaces", "/pods", "/nodes", "apps/daemonsets", "apps/controllerrevisions"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<DaemonSetController> controller;
  bool ended = false;
};

TEST_F(DaemonSetControllerTest, OnePodPerEligibleNodeWithStatusAndHistory) {
  addNode("n1");
  addNode("n2");
  addNode("n3", R"([{"key":"dedicated","effect":"NoSchedule"}])");
  createDaemonSet("nginx:1");
  server.runFor(3s, [this] { return podNodes().size() == 2; });
  EXPECT_EQ(podNodes(), (std::vector<std::string>{"n1", "n2"}));
  auto revisions = list("apps", "controllerrevisions");
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_EQ(revisions[0].at("revision").as_int64(), 1);
  std::string hash(api::getString(revisions[0].at("metadata").at("labels").as_object(), "controller-revision-hash"));
  EXPECT_EQ(std::string(api::metaName(revisions[0])), "agent-" + hash);
  for (const auto& p : pods()) {
    EXPECT_EQ(api::metaLabels(p).at("controller-revision-hash"), hash);
    EXPECT_EQ(api::metaLabels(p).at("pod-template-generation"), "1");
  }
  makeReady();
  server.runFor(3s, [this] { return status("numberAvailable") == 2; });
  EXPECT_EQ(status("desiredNumberScheduled"), 2);
  EXPECT_EQ(status("currentNumberScheduled"), 2);
  EXPECT_EQ(status("numberReady"), 2);
  EXPECT_EQ(status("updatedNumberScheduled"), 2);
  EXPECT_EQ(status("numberMisscheduled"), 0);
  EXPECT_EQ(status("numberUnavailable"), -1);  // zero: omitted

  // A new node gets its pod; a deleted one loses its (unbound) pod.
  addNode("n4");
  server.runFor(3s, [this] { return podNodes().size() == 3; });
  EXPECT_EQ(podNodes(), (std::vector<std::string>{"n1", "n2", "n4"}));
  client::ResourcePath n4{"", "v1", "nodes", "", "n4", "", ""};
  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(n4, noOptions)).ok());
  server.runFor(3s, [this] { return podNodes().size() == 2; });
  EXPECT_EQ(podNodes(), (std::vector<std::string>{"n1", "n2"}));
}

TEST_F(DaemonSetControllerTest, RollingUpdateReplacesOneUnavailablePodAtATime) {
  addNode("n1");
  addNode("n2");
  addNode("n3");
  createDaemonSet("nginx:1");
  server.runFor(3s, [this] { return pods().size() == 3; });
  makeReady();
  server.runFor(3s, [this] { return status("numberAvailable") == 3; });
  setImage("nginx:2");
  auto images = [this] {
    std::map<std::string, int> count;
    for (const auto& p : pods()) {
      ++count[std::string(api::findPath(p, "spec.containers")->as_array()[0].at("image").as_string())];
    }
    return count;
  };
  // One old pod goes and its replacement comes; the next waits for it to be ready.
  server.runFor(3s, [&] { return images()["nginx:2"] == 1; });
  server.runFor(500ms);
  EXPECT_EQ(images(), (std::map<std::string, int>{{"nginx:1", 2}, {"nginx:2", 1}}));
  for (int round = 0; round < 3; ++round) {
    makeReady();
    server.runFor(3s, [&] { return images()["nginx:2"] == round + 2 || images()["nginx:2"] == 3; });
  }
  makeReady();
  server.runFor(3s, [this] { return status("updatedNumberScheduled") == 3 && status("numberAvailable") == 3; });
  EXPECT_EQ(images(), (std::map<std::string, int>{{"nginx:2", 3}}));
  EXPECT_EQ(list("apps", "controllerrevisions").size(), 2u);
  EXPECT_EQ(status("observedGeneration"), 2);
}

TEST_F(DaemonSetControllerTest, OnDeleteKeepsOldPodsUntilTheyAreDeleted) {
  addNode("n1");
  createDaemonSet("nginx:1", R"({"type":"OnDelete"})");
  server.runFor(3s, [this] { return pods().size() == 1; });
  makeReady();
  setImage("nginx:2");
  server.runFor(1s, [this] { return status("observedGeneration") == 2; });
  ASSERT_EQ(pods().size(), 1u);
  json::object old = pods()[0];
  EXPECT_EQ(api::findPath(old, "spec.containers")->as_array()[0].at("image"), "nginx:1");
  EXPECT_EQ(status("updatedNumberScheduled"), -1);
  client::ResourcePath path{"", "v1", "pods", "default", std::string(api::metaName(old)), "", ""};
  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(path, noOptions)).ok());
  server.runFor(3s, [&] {
    auto now = pods();
    return now.size() == 1 && api::metaName(now[0]) != api::metaName(old);
  });
  auto now = pods();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(api::findPath(now[0], "spec.containers")->as_array()[0].at("image"), "nginx:2");
}

TEST_F(DaemonSetControllerTest, MaxSurgeStartsTheNewPodBeforeTheOldOneGoes) {
  addNode("n1");
  addNode("n2");
  createDaemonSet("nginx:1", R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}})");
  server.runFor(3s, [this] { return pods().size() == 2; });
  makeReady();
  server.runFor(3s, [this] { return status("numberAvailable") == 2; });
  setImage("nginx:2");
  // A new pod joins the old one on one node; nothing else moves until it is ready.
  server.runFor(3s, [this] { return pods().size() == 3; });
  server.runFor(300ms);
  ASSERT_EQ(pods().size(), 3u);
  std::map<std::string, int> perNode;
  for (const auto& n : podNodes()) ++perNode[n];
  EXPECT_EQ(perNode.size(), 2u);
  auto images = [this] {
    std::map<std::string, int> count;
    for (const auto& p : pods()) {
      ++count[std::string(api::findPath(p, "spec.containers")->as_array()[0].at("image").as_string())];
    }
    return count;
  };
  makeReady();  // the surge pod is ready: its old pod goes, the next node surges
  server.runFor(3s, [&] { return images() == std::map<std::string, int>{{"nginx:1", 1}, {"nginx:2", 2}}; });
  EXPECT_EQ(images(), (std::map<std::string, int>{{"nginx:1", 1}, {"nginx:2", 2}}));
  makeReady();
  server.runFor(3s, [this] {
    auto all = pods();
    return all.size() == 2 && std::all_of(all.begin(), all.end(), [](const json::object& p) {
      return api::findPath(p, "spec.containers")->as_array()[0].at("image") == "nginx:2";
    });
  });
  auto all = pods();
  ASSERT_EQ(all.size(), 2u);
  for (const auto& p : all) EXPECT_EQ(api::findPath(p, "spec.containers")->as_array()[0].at("image"), "nginx:2");
}

TEST_F(DaemonSetControllerTest, AdoptsMatchingOrphansAndReleasesPodsThatNoLongerMatch) {
  addNode("n1");
  addNode("n2");
  json::object orphan = json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"orphan","labels":{"app":"agent"}},
    "spec":{"containers":[{"name":"c","image":"nginx:1"}],"affinity":{"nodeAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}]}}}}})").as_object();
  client::ResourcePath podsPath{"", "v1", "pods", "default", "", "", ""};
  ASSERT_TRUE(server.await(restClient->create(podsPath, orphan)).ok());
  server.runFor(300ms);  // in the controller's cache before the DaemonSet is
  // OnDelete: with RollingUpdate the adopted pod, lacking the revision hash,
  // would be replaced at once as an old one (as upstream does).
  createDaemonSet("nginx:1", R"({"type":"OnDelete"})");
  server.runFor(3s, [this] { return pods().size() == 2 && status("currentNumberScheduled") == 2; });
  EXPECT_EQ(podNodes(), (std::vector<std::string>{"n1", "n2"}));  // none added beside the orphan
  auto byName = [this] {
    std::map<std::string, json::object> out;
    for (auto& p : pods()) out[std::string(api::metaName(p))] = p;
    return out;
  };
  auto adopted = byName()["orphan"];
  auto ref = controllerRef(adopted);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->kind, "DaemonSet");

  // Relabelled away: released (no owner) and replaced on its node.
  client::ResourcePath orphanPath{"", "v1", "pods", "default", "orphan", "", ""};
  const std::string relabel = R"({"metadata":{"labels":{"app":"other"}}})";
  ASSERT_TRUE(server.await(restClient->patch(orphanPath, "application/merge-patch+json", relabel)).ok());
  server.runFor(3s, [this] { return pods().size() == 3; });
  auto now = byName();
  ASSERT_EQ(now.size(), 3u);
  EXPECT_FALSE(controllerRef(now["orphan"]).has_value());
}

TEST_F(DaemonSetControllerTest, HistoryIsTrimmedToTheLimit) {
  addNode("n1");
  createDaemonSet("nginx:1", R"({"type":"RollingUpdate"},"revisionHistoryLimit":0)");
  server.runFor(3s, [this] { return pods().size() == 1; });
  makeReady();
  for (const char* image : {"nginx:2", "nginx:3"}) {
    setImage(image);
    server.runFor(3s, [&] {
      auto now = pods();
      return now.size() == 1 && api::findPath(now[0], "spec.containers")->as_array()[0].at("image") == image;
    });
    makeReady();
  }
  // Only the revision the pods run is kept.
  server.runFor(3s, [this] { return list("apps", "controllerrevisions").size() == 1; });
  auto revisions = list("apps", "controllerrevisions");
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_EQ(revisions[0].at("revision").as_int64(), 3);
}

TEST_F(DaemonSetControllerTest, FailedPodIsReplaced) {
  addNode("n1");
  createDaemonSet("nginx:1");
  server.runFor(3s, [this] { return pods().size() == 1; });
  json::object failed = pods()[0];
  failed["status"] = json::parse(R"({"phase":"Failed"})");
  client::ResourcePath path{"", "v1", "pods", "default", std::string(api::metaName(failed)), "status", ""};
  ASSERT_TRUE(server.await(restClient->update(path, failed)).ok());
  // (Each listing runs the controller: take one and look at it.)
  server.runFor(3s, [&] {
    auto now = pods();
    return now.size() == 1 && api::metaName(now[0]) != api::metaName(failed);
  });
  auto now = pods();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(api::metaName(now[0]), api::metaName(failed));
  EXPECT_EQ(targetNodeName(now[0]), "n1");
}

}  // namespace
}  // namespace kcpp::controllers::daemon
