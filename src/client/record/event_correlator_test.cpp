#include "client/record/event_correlator.h"

#include <gtest/gtest.h>

#include "client/record/event_writer.h"

namespace kcpp::client::record {

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

struct Fixture {
  Fixture() {
    CorrelatorOptions options;
    options.clock = [this] { return now; };
    correlator = std::make_unique<EventCorrelator>(options);
  }
  json::object event(const std::string& object, const std::string& reason,
                     const std::string& message) {
    json::object rs{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}};
    rs["metadata"] = json::object{{"name", object}, {"namespace", "default"}, {"uid", "u-" + object}};
    return makeEvent(rs, "replicaset-controller", "Normal", reason, message, now);
  }
  // Writes as the server would: a create keeps the name; the correlator learns it.
  CorrelateResult correlate(json::object e) {
    auto r = correlator->correlate(std::move(e));
    if (!r.skip) correlator->updateState(r.event);
    return r;
  }
  TimePoint now = TimePoint(std::chrono::seconds(1'800'000'000));
  std::unique_ptr<EventCorrelator> correlator;
};

std::string message(const CorrelateResult& r) { return std::string(r.event.at("message").as_string()); }

}  // namespace

TEST(EventCorrelator, IdenticalEventsBecomeCountPatchesOfTheFirst) {
  Fixture f;
  auto first = f.correlate(f.event("web", "FailedCreate", "quota exceeded"));
  ASSERT_FALSE(first.skip);
  EXPECT_FALSE(first.patch);
  std::string name(first.event.at("metadata").at("name").as_string());
  std::string firstStamp(first.event.at("firstTimestamp").as_string());
  for (int n = 2; n <= 5; ++n) {
    f.now += 1s;
    auto again = f.correlate(f.event("web", "FailedCreate", "quota exceeded"));
    ASSERT_FALSE(again.skip);
    ASSERT_TRUE(again.patch);
    EXPECT_EQ(again.event.at("metadata").at("name").as_string(), name);
    EXPECT_EQ(again.event.at("count").as_int64(), n);
    EXPECT_EQ(again.event.at("firstTimestamp").as_string(), firstStamp);
    auto patch = json::parse(*again.patch).as_object();
    EXPECT_EQ(patch.at("count").as_int64(), n);
    EXPECT_EQ(patch.at("lastTimestamp").as_string(), again.event.at("lastTimestamp").as_string());
    EXPECT_EQ(patch.at("message").as_string(), "quota exceeded");
    EXPECT_EQ(patch.size(), 3u);
  }
}

TEST(EventCorrelator, TenSimilarEventsAreCombined) {
  Fixture f;
  for (int i = 0; i < 9; ++i) {
    auto r = f.correlate(f.event("web", "SuccessfulCreate", "Created pod: web-" + std::to_string(i)));
    ASSERT_FALSE(r.skip);
    EXPECT_FALSE(r.patch);
    EXPECT_EQ(message(r), "Created pod: web-" + std::to_string(i));
  }
  auto tenth = f.correlate(f.event("web", "SuccessfulCreate", "Created pod: web-9"));
  ASSERT_FALSE(tenth.skip);
  EXPECT_FALSE(tenth.patch);  // the combined event is new
  EXPECT_EQ(message(tenth), "(combined from similar events): Created pod: web-9");
  EXPECT_EQ(tenth.event.at("count").as_int64(), 1);
  std::string combined(tenth.event.at("metadata").at("name").as_string());
  auto eleventh = f.correlate(f.event("web", "SuccessfulCreate", "Created pod: web-10"));
  ASSERT_TRUE(eleventh.patch);
  EXPECT_EQ(eleventh.event.at("metadata").at("name").as_string(), combined);
  EXPECT_EQ(eleventh.event.at("count").as_int64(), 2);
  EXPECT_EQ(message(eleventh), "(combined from similar events): Created pod: web-10");
  // Another reason on the same object is not similar.
  auto other = f.correlate(f.event("web", "SuccessfulDelete", "Deleted pod: web-0"));
  EXPECT_FALSE(other.patch);
  EXPECT_EQ(message(other), "Deleted pod: web-0");
}

TEST(EventCorrelator, AggregationWindowIsTenMinutes) {
  Fixture f;
  for (int i = 0; i < 9; ++i) f.correlate(f.event("web", "R", "m" + std::to_string(i)));
  f.now += 601s;  // the set starts over
  auto r = f.correlate(f.event("web", "R", "m9"));
  EXPECT_EQ(message(r), "m9");
}

TEST(EventCorrelator, SpamFilterAllowsBurst25PerObjectThenOnePer300s) {
  Fixture f;
  int written = 0;
  for (int i = 0; i < 30; ++i) {
    if (!f.correlate(f.event("web", "SuccessfulCreate", "Created pod: web-" + std::to_string(i))).skip) {
      ++written;
    }
  }
  EXPECT_EQ(written, 25);
  // Another object has its own bucket.
  EXPECT_FALSE(f.correlate(f.event("api", "SuccessfulCreate", "Created pod: api-0")).skip);
  f.now += 299s;
  EXPECT_TRUE(f.correlate(f.event("web", "SuccessfulCreate", "Created pod: web-x")).skip);
  f.now += 1s;
  EXPECT_FALSE(f.correlate(f.event("web", "SuccessfulCreate", "Created pod: web-y")).skip);
  EXPECT_TRUE(f.correlate(f.event("web", "SuccessfulCreate", "Created pod: web-z")).skip);
}

TEST(EventCorrelator, TenThousandCreatesWriteTwentyFiveTimes) {
  Fixture f;
  int writes = 0;
  std::set<std::string> names;
  for (int i = 0; i < 10000; ++i) {
    f.now += 1ms;  // events are named by their time
    auto r = f.correlate(f.event("web", "SuccessfulCreate", "Created pod: web-" + std::to_string(i)));
    if (r.skip) continue;
    ++writes;
    names.insert(std::string(r.event.at("metadata").at("name").as_string()));
  }
  EXPECT_EQ(writes, 25);
  EXPECT_EQ(names.size(), 10u);  // 9 single events and one combined, patched 15 times
}

TEST(EventCorrelator, DisabledFiltersOnlyCount) {
  CorrelatorOptions options;
  options.spamBurst = 0;
  options.aggregateMaxEvents = 0;
  EventCorrelator c(options);
  Fixture f;
  for (int i = 0; i < 100; ++i) {
    auto r = c.correlate(f.event("p", "Scheduled", "on node-" + std::to_string(i)));
    EXPECT_FALSE(r.skip);
    EXPECT_FALSE(r.patch);
  }
  auto first = c.correlate(f.event("q", "FailedScheduling", "0/3 nodes"));
  auto second = c.correlate(f.event("q", "FailedScheduling", "0/3 nodes"));
  EXPECT_TRUE(second.patch);
  EXPECT_EQ(second.event.at("count").as_int64(), 2);
}

TEST(LruCache, EvictsLeastRecentlyUsed) {
  LruCache<int> lru(2);
  lru.put("a", 1);
  lru.put("b", 2);
  ASSERT_TRUE(lru.get("a"));
  lru.put("c", 3);
  EXPECT_TRUE(lru.get("a"));
  EXPECT_FALSE(lru.get("b"));
  EXPECT_TRUE(lru.get("c"));
  EXPECT_EQ(lru.size(), 2u);
}

}  // namespace kcpp::client::record
