// The garbage collector against a real in-process API server.
#include "controllers/garbagecollector/garbage_collector.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"

namespace kcpp::controllers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class GarbageCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    collector = std::make_unique<GarbageCollector>(*restClient, io.get_executor());
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await collector->run();
      ended = true;
    }, asio::detached);
    server.runFor(5s, [this] { return collector->monitorsSynced(); });
    ASSERT_TRUE(collector->monitorsSynced());
  }

  void TearDown() override {
    collector->stop();
    server.runFor(1s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  client::ResourcePath cmPath(const std::string& name = "") {
    return client::ResourcePath{"", "v1", "configmaps", "default", name, "", ""};
  }

  // Creates a configmap owned by the given (uid, name) configmaps.
  std::string create(const std::string& name,
                     std::vector<std::pair<std::string, std::string>> owners = {},
                     bool block = false) {
    json::object cm = client::testing::TestApiServer::configMap(name, "v");
    json::array refs;
    for (const auto& [uid, ownerName] : owners) {
      refs.push_back(json::object{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                                  {"name", ownerName}, {"uid", uid},
                                  {"blockOwnerDeletion", block}});
    }
    if (!refs.empty()) cm["metadata"].as_object()["ownerReferences"] = std::move(refs);
    auto created = server.await(restClient->create(cmPath(), cm));
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created ? std::string(api::getString(created->at("metadata").as_object(), "uid")) : "";
  }

  std::optional<json::object> get(const std::string& name) {
    auto found = server.await(restClient->get(cmPath(name)));
    if (!found) return std::nullopt;
    return std::move(*found);
  }

  void remove(const std::string& name, const std::string& policy) {
    json::object options{{"propagationPolicy", policy}};
    auto removed = server.await(restClient->remove(cmPath(name), options));
    ASSERT_TRUE(removed.ok()) << removed.error().message;
  }

  bool gone(const std::string& name) { return !get(name).has_value(); }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/configmaps", "/pods"}};
  client::RestClientPtr restClient;
  std::unique_ptr<GarbageCollector> collector;
  bool ended = false;
};

TEST_F(GarbageCollectorTest, FollowsEveryListableResource) {
  EXPECT_EQ(collector->monitorCount(), 3u);
  std::string uid = create("owner");
  server.runFor(2s, [&] { return collector->graph().node(uid) != nullptr; });
  const gc::Node* node = collector->graph().node(uid);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->identity.describe(), "v1/ConfigMap, namespace: default, name: owner, uid: " + uid);
  EXPECT_FALSE(node->virtualNode);
}

TEST_F(GarbageCollectorTest, BackgroundDeletionCollectsDependents) {
  std::string owner = create("owner");
  std::string other = create("other");
  create("child", {{owner, "owner"}});
  create("shared", {{owner, "owner"}, {other, "other"}});
  server.runFor(500ms);
  EXPECT_FALSE(gone("child"));
  remove("owner", "Background");
  server.runFor(5s, [&] { return gone("child"); });
  EXPECT_TRUE(gone("child"));
  // Still owned by `other`: only the reference to the deleted owner goes.
  server.runFor(5s, [&] {
    auto shared = get("shared");
    return shared && gc::ownerReferencesOf(*shared).size() == 1;
  });
  auto shared = get("shared");
  ASSERT_TRUE(shared.has_value());
  auto refs = gc::ownerReferencesOf(*shared);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].uid, other);
}

TEST_F(GarbageCollectorTest, AReferenceToAnOwnerThatNeverExistedIsCollected) {
  create("stray", {{"00000000-0000-4000-8000-000000000000", "nobody"}});
  // Same name, other uid: still not the owner.
  create("owner");
  create("impostor", {{"00000000-0000-4000-8000-000000000001", "owner"}});
  server.runFor(5s, [&] { return gone("stray") && gone("impostor"); });
  EXPECT_TRUE(gone("stray"));
  EXPECT_TRUE(gone("impostor"));
  EXPECT_FALSE(gone("owner"));
}

TEST_F(GarbageCollectorTest, OrphanDeletionRemovesTheReferencesThenTheOwner) {
  std::string owner = create("owner");
  create("child", {{owner, "owner"}});
  server.runFor(500ms);
  remove("owner", "Orphan");
  server.runFor(5s, [&] { return gone("owner"); });
  EXPECT_TRUE(gone("owner"));
  auto child = get("child");
  ASSERT_TRUE(child.has_value());
  EXPECT_TRUE(gc::ownerReferencesOf(*child).empty());
}

TEST_F(GarbageCollectorTest, ForegroundDeletionWaitsForBlockingDependents) {
  std::string owner = create("owner");
  create("child", {{owner, "owner"}}, true);
  // A finalizer of someone else's holds the child (and so the owner).
  auto patched = server.await(restClient->patch(cmPath("child"), "application/merge-patch+json",
                                                R"({"metadata":{"finalizers":["example.com/x"]}})"));
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  server.runFor(500ms);
  remove("owner", "Foreground");
  server.runFor(5s, [&] {
    auto child = get("child");
    return child && api::findPath(*child, "metadata.deletionTimestamp");
  });
  auto child = get("child");
  ASSERT_TRUE(child.has_value());
  EXPECT_NE(api::findPath(*child, "metadata.deletionTimestamp"), nullptr);
  auto held = get("owner");
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(*api::findPath(*held, "metadata.finalizers"), json::array{"foregroundDeletion"});

  auto released = server.await(restClient->patch(cmPath("child"), "application/merge-patch+json",
                                                 R"({"metadata":{"finalizers":null}})"));
  ASSERT_TRUE(released.ok()) << released.error().message;
  server.runFor(5s, [&] { return gone("owner"); });
  EXPECT_TRUE(gone("child"));
  EXPECT_TRUE(gone("owner"));
}

TEST_F(GarbageCollectorTest, ForegroundDeletionWithoutDependentsRemovesTheOwner) {
  create("alone");
  server.runFor(300ms);
  remove("alone", "Foreground");
  server.runFor(5s, [&] { return gone("alone"); });
  EXPECT_TRUE(gone("alone"));
}

}  // namespace
}  // namespace kcpp::controllers
