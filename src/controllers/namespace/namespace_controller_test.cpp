// The namespace controller against a real in-process API server, and the
// conditions it writes.
#include "controllers/namespace/namespace_controller.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class NamespaceControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    NamespaceControllerOptions options;
    options.maxRequeueDelay = 200ms;  // upstream waits 15/2+1 s for finalizers
    controller = std::make_unique<NamespaceController>(*restClient, *informers, io.get_executor(),
                                                       options);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
    json::object ns{{"apiVersion", "v1"}, {"kind", "Namespace"},
                    {"metadata", json::object{{"name", "team"}}}};
    ASSERT_TRUE(server.await(restClient->create(nsPath(), ns)).ok());
  }

  void TearDown() override {
    controller->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  static client::ResourcePath nsPath(const std::string& name = "") {
    return client::ResourcePath{"", "v1", "namespaces", "", name, "", ""};
  }
  static client::ResourcePath cmPath(const std::string& name = "") {
    return client::ResourcePath{"", "v1", "configmaps", "team", name, "", ""};
  }

  void createConfigMap(const std::string& name, bool held = false) {
    json::object cm = client::testing::TestApiServer::configMap(name, "v");
    if (held) cm["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
    auto created = server.await(restClient->create(cmPath(), cm));
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  std::optional<json::object> getNamespace() {
    auto found = server.await(restClient->get(nsPath("team")));
    if (!found) return std::nullopt;
    return std::move(*found);
  }

  std::string condition(const json::object& ns, const std::string& type, const char* field) {
    const json::value* list = api::findPath(ns, "status.conditions");
    if (!list || !list->is_array()) return "";
    for (const auto& c : list->get_array()) {
      if (api::getString(c.get_object(), "type") == type) {
        return std::string(api::getString(c.get_object(), field));
      }
    }
    return "";
  }

  void deleteNamespace() {
    json::object options;
    ASSERT_TRUE(server.await(restClient->remove(nsPath("team"), options)).ok());
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/configmaps", "/pods"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<NamespaceController> controller;
  bool ended = false;
};

TEST_F(NamespaceControllerTest, EmptiesAndRemovesATerminatingNamespace) {
  createConfigMap("a");
  createConfigMap("b");
  server.runFor(300ms);
  EXPECT_TRUE(getNamespace().has_value());  // an Active namespace is left alone
  deleteNamespace();
  server.runFor(5s, [&] { return !getNamespace().has_value(); });
  EXPECT_FALSE(getNamespace().has_value());
  auto left = server.await(restClient->get(cmPath()));
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->at("items").as_array().empty());
}

TEST_F(NamespaceControllerTest, ObjectsHeldByFinalizersKeepItTerminating) {
  createConfigMap("held", true);
  createConfigMap("free");
  deleteNamespace();
  server.runFor(5s, [&] {
    auto ns = getNamespace();
    return ns && condition(*ns, "NamespaceFinalizersRemaining", "status") == "True";
  });
  auto ns = getNamespace();
  ASSERT_TRUE(ns.has_value());
  EXPECT_EQ(*api::findPath(*ns, "status.phase"), "Terminating");
  EXPECT_EQ(condition(*ns, "NamespaceFinalizersRemaining", "message"),
            "Some finalizers are remaining: example.com/hold in 1 resource instances");
  EXPECT_EQ(condition(*ns, "NamespaceContentRemaining", "message"),
            "Some resources are remaining: configmaps. has 1 resource instances");
  EXPECT_EQ(condition(*ns, "NamespaceDeletionDiscoveryFailure", "reason"), "ResourcesDiscovered");
  EXPECT_EQ(condition(*ns, "NamespaceDeletionContentFailure", "status"), "False");
  EXPECT_EQ(*api::findPath(*ns, "spec.finalizers"), json::array{"kubernetes"});

  auto released = server.await(restClient->patch(cmPath("held"), "application/merge-patch+json",
                                                 R"({"metadata":{"finalizers":null}})"));
  ASSERT_TRUE(released.ok()) << released.error().message;
  server.runFor(5s, [&] { return !getNamespace().has_value(); });
  EXPECT_FALSE(getNamespace().has_value());
}

TEST(NamespaceConditionsTest, SuccessVariantsAndTransitionTimes) {
  DeletionOutcome failing;
  failing.remaining.byResource["pods."] = 2;
  failing.remaining.byResource["deployments.apps"] = 1;
  json::array first = namespaceConditions(json::array{}, failing, "t1");
  ASSERT_EQ(first.size(), 5u);
  const json::object& remaining = first[3].as_object();
  EXPECT_EQ(remaining.at("type"), "NamespaceContentRemaining");
  EXPECT_EQ(remaining.at("message"),
            "Some resources are remaining: deployments.apps has 1 resource instances, "
            "pods. has 2 resource instances");
  EXPECT_EQ(first[4].as_object().at("reason"), "ContentRemoved");  // no finalizers held

  DeletionOutcome clean;
  clean.contentErrors = {"b failed", "a failed"};
  json::array second = namespaceConditions(first, clean, "t2");
  EXPECT_EQ(second[3].as_object().at("status"), "False");
  EXPECT_EQ(second[3].as_object().at("lastTransitionTime"), "t2");
  EXPECT_EQ(second[0].as_object().at("lastTransitionTime"), "t1");  // unchanged status
  EXPECT_EQ(second[2].as_object().at("reason"), "ContentDeletionFailed");
  EXPECT_EQ(second[2].as_object().at("message"),
            "Failed to delete all resource types, 2 remaining: a failed, b failed");
}

}  // namespace
}  // namespace kcpp::controllers
