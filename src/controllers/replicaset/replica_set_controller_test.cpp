// The ReplicaSet controller against a real in-process API server.
#include "controllers/replicaset/replica_set_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class ReplicaSetControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    controller = std::make_unique<ReplicaSetController>(ReplicatedKind::replicaSets(), *restClient,
                                                        *informers, io.get_executor());
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

  json::object replicaSet(const std::string& name, int replicas) {
    json::object rs = json::parse(R"({"apiVersion":"apps/v1","kind":"ReplicaSet",
      "spec":{"selector":{"matchLabels":{"app":"web"}},
              "template":{"metadata":{"labels":{"app":"web"}},
                          "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})").as_object();
    rs["metadata"] = json::object{{"name", name}};
    rs["spec"].as_object()["replicas"] = replicas;
    return rs;
  }

  client::ResourcePath rsPath(const std::string& name = "") {
    return client::ResourcePath{"apps", "v1", "replicasets", "default", name, "", ""};
  }

  std::vector<json::object> pods() {
    client::ResourcePath path{"", "v1", "pods", "default", "", "", ""};
    auto list = server.await(restClient->get(path));
    std::vector<json::object> out;
    if (!list) return out;
    for (auto& item : list->at("items").as_array()) out.push_back(item.as_object());
    return out;
  }

  std::int64_t statusReplicas(const std::string& name) {
    auto rs = server.await(restClient->get(rsPath(name)));
    if (!rs) return -1;
    const json::value* v = api::findPath(*rs, "status.replicas");
    return v && v->is_int64() ? v->get_int64() : -1;
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "apps/replicasets"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<ReplicaSetController> controller;
  bool ended = false;
};

TEST_F(ReplicaSetControllerTest, CreatesOwnedPodsAndReportsStatus) {
  auto created = server.await(restClient->create(rsPath(), replicaSet("web", 3)));
  ASSERT_TRUE(created.ok()) << created.error().message;
  server.runFor(5s, [this] { return pods().size() == 3 && statusReplicas("web") == 3; });
  auto all = pods();
  ASSERT_EQ(all.size(), 3u);
  for (const auto& p : all) {
    EXPECT_EQ(api::getString(p.at("metadata").as_object(), "generateName"), "web-");
    auto ref = controllerRef(p);
    ASSERT_TRUE(ref.has_value());
    EXPECT_EQ(ref->kind, "ReplicaSet");
    EXPECT_EQ(ref->uid, api::getString(created->at("metadata").as_object(), "uid"));
  }
  auto rs = server.await(restClient->get(rsPath("web")));
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->at("status").at("replicas"), 3);
  EXPECT_EQ(rs->at("status").at("fullyLabeledReplicas"), 3);
  EXPECT_EQ(rs->at("status").at("observedGeneration"), 1);
  EXPECT_FALSE(rs->at("status").as_object().contains("readyReplicas"));
}

TEST_F(ReplicaSetControllerTest, ScalesDownAndUpAndReplacesDeletedPods) {
  ASSERT_TRUE(server.await(restClient->create(rsPath(), replicaSet("web", 4))).ok());
  server.runFor(5s, [this] { return pods().size() == 4; });
  ASSERT_EQ(pods().size(), 4u);
  auto scaled = server.await(restClient->patch(rsPath("web"), "application/merge-patch+json",
                                               R"({"spec":{"replicas":1}})"));
  ASSERT_TRUE(scaled.ok());
  server.runFor(5s, [this] { return pods().size() == 1 && statusReplicas("web") == 1; });
  ASSERT_EQ(pods().size(), 1u);
  std::string survivor(api::metaName(pods()[0]));
  client::ResourcePath victim{"", "v1", "pods", "default", survivor, "", ""};
  const json::object noOptions;
  ASSERT_TRUE(server.await(restClient->remove(victim, noOptions)).ok());
  server.runFor(5s, [&] { return pods().size() == 1 && api::metaName(pods()[0]) != survivor; });
  ASSERT_EQ(pods().size(), 1u);
  EXPECT_NE(api::metaName(pods()[0]), survivor);
}

TEST_F(ReplicaSetControllerTest, AdoptsMatchingOrphansAndReleasesPodsThatStopMatching) {
  client::ResourcePath podsPath{"", "v1", "pods", "default", "", "", ""};
  json::object orphan = json::parse(R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"orphan","labels":{"app":"web"}},
      "spec":{"containers":[{"name":"c","image":"nginx"}]}})").as_object();
  ASSERT_TRUE(server.await(restClient->create(podsPath, orphan)).ok());
  ASSERT_TRUE(server.await(restClient->create(rsPath(), replicaSet("web", 2))).ok());
  server.runFor(5s, [this] { return pods().size() == 2 && statusReplicas("web") == 2; });
  auto all = pods();
  ASSERT_EQ(all.size(), 2u);  // the orphan counts: only one pod was created
  client::ResourcePath orphanPath{"", "v1", "pods", "default", "orphan", "", ""};
  auto adopted = server.await(restClient->get(orphanPath));
  ASSERT_TRUE(adopted.ok());
  EXPECT_TRUE(controllerRef(*adopted).has_value());

  // Relabelled: released (owner reference removed) and replaced.
  auto relabelled = server.await(restClient->patch(orphanPath, "application/merge-patch+json",
                                                   R"({"metadata":{"labels":{"app":"other"}}})"));
  ASSERT_TRUE(relabelled.ok());
  server.runFor(5s, [&] {
    auto p = server.await(restClient->get(orphanPath));
    return p && !controllerRef(*p) && pods().size() == 3;
  });
  auto released = server.await(restClient->get(orphanPath));
  ASSERT_TRUE(released.ok());
  EXPECT_FALSE(controllerRef(*released).has_value());
  EXPECT_EQ(pods().size(), 3u);
}

}  // namespace
}  // namespace kcpp::controllers
