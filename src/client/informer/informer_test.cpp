// Informer against a real in-process API server: sync, events, indexes, a server
// restart (watch resumed) and history lost to compaction (410, relist).
#include "client/informer/informer.h"
#include "client/informer/informer_factory.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "client/rest/test_api_server.h"

namespace kcpp::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class InformerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok()) << made.error().message;
    client = std::move(*made);
    informer = std::make_unique<Informer>(*client, ResourcePath{"", "v1", "configmaps", "", "", "", ""});
    informer->addIndexer("namespace", namespaceIndex());
    EventHandlers handlers;
    handlers.onAdd = [this](const ObjectPtr& o) { events.push_back("add " + objectKey(*o)); };
    handlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& o) {
      events.push_back("update " + objectKey(*o) + " " + value(o));
    };
    handlers.onDelete = [this](const ObjectPtr& o) { events.push_back("delete " + objectKey(*o)); };
    informer->addHandlers(std::move(handlers));
  }

  void TearDown() override {
    informer->stop();
    server.runFor(500ms, [this] { return ended; });
    EXPECT_TRUE(ended);
  }

  void startInformer() {
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await informer->run();
      ended = true;
    }, asio::detached);
    server.runFor(5s, [this] { return informer->hasSynced(); });
    ASSERT_TRUE(informer->hasSynced());
  }

  // A server-side write (as if another client wrote).
  void write(const std::string& ns, const std::string& name, const std::string& v) {
    apiserver::Registry& cms = server.registry("configmaps");
    apiserver::WriteOptions options;
    auto existing = server.await(cms.get(ns, name));
    if (!existing) {
      ASSERT_TRUE(server.await(cms.create(ns, testing::TestApiServer::configMap(name, v), options)).ok());
      return;
    }
    ASSERT_TRUE(server.await(cms.update(ns, name, testing::TestApiServer::configMap(name, v),
                                        apiserver::Subresource::None, options)).ok());
  }

  static std::string value(const ObjectPtr& o) {
    return std::string(o->at("data").at("k").as_string());
  }

  bool holds(const std::string& key, const std::string& v) {
    ObjectPtr o = informer->get(key);
    return o && value(o) == v;
  }

  asio::io_context io;
  testing::TestApiServer server{io};
  RestClientPtr client;
  std::unique_ptr<Informer> informer;
  std::vector<std::string> events;
  bool ended = false;
};

TEST_F(InformerTest, ListsThenFollowsChanges) {
  write("default", "a", "1");
  write("other", "b", "1");
  startInformer();
  EXPECT_EQ(informer->list().size(), 2u);
  EXPECT_EQ(events, (std::vector<std::string>{"add default/a", "add other/b"}));
  events.clear();

  write("default", "a", "2");
  write("default", "c", "1");
  server.runFor(5s, [this] { return events.size() == 2; });
  EXPECT_EQ(events, (std::vector<std::string>{"update default/a 2", "add default/c"}));
  EXPECT_EQ(informer->byIndex("namespace", "default").size(), 2u);
  EXPECT_EQ(informer->byIndex("namespace", "other").size(), 1u);

  apiserver::DeleteOptions options;
  ASSERT_TRUE(server.await(server.registry("configmaps").remove("other", "b", options)).ok());
  server.runFor(5s, [this] { return events.size() == 3; });
  EXPECT_EQ(events.back(), "delete other/b");
  EXPECT_TRUE(informer->byIndex("namespace", "other").empty());
  EXPECT_EQ(informer->get("other/b"), nullptr);
  EXPECT_EQ(informer->listCount(), 1);
}

TEST_F(InformerTest, HandlersAddedAfterTheListHearOfCachedObjectsAsAdds) {
  write("default", "a", "1");
  startInformer();
  std::vector<std::string> late;
  EventHandlers handlers;
  handlers.onAdd = [&late](const ObjectPtr& o) { late.push_back("add " + objectKey(*o)); };
  informer->addHandlers(std::move(handlers));
  EXPECT_EQ(late, std::vector<std::string>{"add default/a"});
  write("default", "b", "1");
  server.runFor(5s, [&late] { return late.size() == 2; });
  EXPECT_EQ(late, (std::vector<std::string>{"add default/a", "add default/b"}));
}

TEST_F(InformerTest, ListsInPagesAndCachesTheTransformedObjects) {
  for (int i = 0; i < 7; ++i) write("default", "cm-" + std::to_string(i), "1");
  informer->setPageSize(2);
  informer->setTransform([](json::object& obj) { obj.erase("data"); });
  startInformer();
  EXPECT_EQ(informer->list().size(), 7u);
  EXPECT_EQ(events.size(), 7u);
  ObjectPtr held = informer->get("default/cm-3");
  ASSERT_NE(held, nullptr);
  EXPECT_FALSE(held->contains("data"));
  EXPECT_EQ(informer->listCount(), 1);
  // The watch resumes from the list's resourceVersion: nothing is missed.
  events.clear();
  write("default", "cm-8", "1");
  server.runFor(5s, [this] { return events.size() == 1; });
  EXPECT_EQ(events, std::vector<std::string>{"add default/cm-8"});
}

TEST_F(InformerTest, ResumesTheWatchAfterTheServerRestarts) {
  write("default", "a", "1");
  startInformer();
  server.stop();
  write("default", "a", "while-down");
  server.start();
  server.runFor(10s, [this] { return holds("default/a", "while-down"); });
  EXPECT_TRUE(holds("default/a", "while-down"));
  // Resumed from its resourceVersion: no second list was needed.
  EXPECT_EQ(informer->listCount(), 1);
  write("default", "a", "after");
  server.runFor(5s, [this] { return holds("default/a", "after"); });
  EXPECT_TRUE(holds("default/a", "after"));
}

TEST_F(InformerTest, RelistsWhenItsHistoryIsGone) {
  const int kWrites = 10050;
  write("default", "a", "1");
  write("default", "doomed", "1");
  startInformer();
  server.stop();
  // More changes than the watch cache keeps: the informer's resourceVersion is
  // too old to resume from (410), so it must list again.
  for (int i = 0; i < kWrites; ++i) write("default", "a", std::to_string(i));
  apiserver::DeleteOptions options;
  ASSERT_TRUE(server.await(server.registry("configmaps").remove("default", "doomed", options)).ok());
  server.start();
  server.runFor(15s, [&] { return holds("default/a", std::to_string(kWrites - 1)); });
  EXPECT_TRUE(holds("default/a", std::to_string(kWrites - 1)));
  EXPECT_EQ(informer->listCount(), 2);
  // The relist noticed the object deleted meanwhile.
  EXPECT_EQ(informer->get("default/doomed"), nullptr);
  EXPECT_EQ(events.back(), "delete default/doomed");
}

}  // namespace
}  // namespace kcpp::client

namespace kcpp::client {
namespace {

TEST(InformerFactoryTest, OneInformerPerResourceSharedAndSynced) {
  asio::io_context io;
  testing::TestApiServer server{io};
  server.start();
  auto client = RestClient::create(io.get_executor(), server.kubeconfig());
  ASSERT_TRUE(client.ok());
  InformerFactory factory(**client);
  Informer& a = factory.forResource("", "v1", "configmaps");
  Informer& b = factory.forResource("", "v1", "configmaps");
  Informer& c = factory.forResource("", "v1", "namespaces");
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  EXPECT_FALSE(factory.hasSynced());
  factory.start(io.get_executor());
  bool synced = server.await(factory.waitForSync(std::chrono::milliseconds(5000)));
  EXPECT_TRUE(synced);
  EXPECT_TRUE(a.hasSynced() && c.hasSynced());
  factory.stop();
  server.runFor(std::chrono::milliseconds(300));
}

}  // namespace
}  // namespace kcpp::client
