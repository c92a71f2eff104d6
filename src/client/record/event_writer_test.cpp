// The event writer against a real in-process API server: what ends up stored.
#include "client/record/event_writer.h"

#include <gtest/gtest.h>

#include "client/rest/test_api_server.h"

namespace kcpp::client::record {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

class EventWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    client = std::move(*made);
  }
  json::object replicaSet() {
    json::object rs{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}};
    rs["metadata"] = json::object{{"name", "web"}, {"namespace", "default"}, {"uid", "u-1"}};
    return rs;
  }
  void record(EventWriter& w, const std::string& reason, const std::string& message) {
    w.write(makeEvent(replicaSet(), "replicaset-controller", "Normal", reason, message,
                      std::chrono::system_clock::now()));
  }
  std::vector<json::object> events() {
    ResourcePath path{"", "v1", "events", "default", "", "", ""};
    auto list = server.await(client->get(path));
    std::vector<json::object> out;
    if (!list) return out;
    for (auto& item : list->at("items").as_array()) out.push_back(item.as_object());
    return out;
  }
  // Runs io until `n` events are stored and their counts sum to `total`.
  bool settle(std::size_t n, std::int64_t total) {
    bool done = false;
    server.runFor(5s, [&] {
      auto list = events();
      std::int64_t sum = 0;
      for (auto& e : list) sum += e.at("count").as_int64();
      done = list.size() == n && sum == total;
      return done;
    });
    return done;
  }

  asio::io_context io;
  testing::TestApiServer server{io, {"/namespaces", "/events"}};
  RestClientPtr client;
};

}  // namespace

TEST_F(EventWriterTest, IdenticalEventsAreOneEventWithCount) {
  EventWriter writer(*client, io.get_executor());
  for (int i = 0; i < 7; ++i) record(writer, "FailedCreate", "exceeded quota");
  ASSERT_TRUE(settle(1, 7));
  auto e = events().front();
  EXPECT_EQ(e.at("count").as_int64(), 7);
  EXPECT_EQ(e.at("message").as_string(), "exceeded quota");
  EXPECT_EQ(e.at("involvedObject").at("kind").as_string(), "ReplicaSet");
  EXPECT_EQ(e.at("source").at("component").as_string(), "replicaset-controller");
}

TEST_F(EventWriterTest, ThirtyDistinctEventsOnOneObjectAreTwentyFiveWrites) {
  EventWriter writer(*client, io.get_executor());
  for (int i = 0; i < 30; ++i) record(writer, "SuccessfulCreate", "Created pod: web-" + std::to_string(i));
  // 9 single events, then one combined event created and patched: 25 writes in
  // all (the spam filter's burst), the combined one counting 16 of them.
  ASSERT_TRUE(settle(10, 25));
  EXPECT_EQ(writer.skipped(), 5u);
  int combined = 0;
  for (auto& e : events()) {
    std::string message(e.at("message").as_string());
    if (message.starts_with("(combined from similar events): Created pod: web-")) {
      ++combined;
      EXPECT_EQ(e.at("count").as_int64(), 16);
    } else {
      EXPECT_EQ(e.at("count").as_int64(), 1);
    }
  }
  EXPECT_EQ(combined, 1);
}

// Controllers record from coroutines on the writer's own executor.
TEST_F(EventWriterTest, WritesFromTheExecutorItself) {
  EventWriter writer(*client, io.get_executor());
  asio::post(io, [&] {
    for (int i = 0; i < 3; ++i) record(writer, "FailedCreate", "exceeded quota");
  });
  ASSERT_TRUE(settle(1, 3));
}

TEST_F(EventWriterTest, PatchOfADeletedEventCreatesItAgain) {
  EventWriter writer(*client, io.get_executor());
  record(writer, "FailedCreate", "exceeded quota");
  ASSERT_TRUE(settle(1, 1));
  std::string name(events().front().at("metadata").at("name").as_string());
  ResourcePath path{"", "v1", "events", "default", name, "", ""};
  ASSERT_TRUE(server.await(client->remove(path, json::object{})));
  record(writer, "FailedCreate", "exceeded quota");
  ASSERT_TRUE(settle(1, 2));
  EXPECT_EQ(events().front().at("metadata").at("name").as_string(), name);
}

}  // namespace kcpp::client::record
