// Store conformance: watches.
#include <set>
#include <thread>

#include "storage/testing/store_conformance.h"

namespace kcpp::storage::conformance {
namespace {

std::vector<Revision> revisionsOf(const std::vector<Event>& events) {
  std::vector<Revision> out;
  for (const auto& e : events) out.push_back(e.kv.modRevision);
  return out;
}

// Every revision's events arrive in one callback: no revision spans two batches.
void expectRevisionsNotSplit(const std::vector<std::vector<Event>>& batches) {
  std::set<Revision> seen;
  for (const auto& batch : batches) {
    std::set<Revision> inBatch;
    for (const auto& e : batch) inBatch.insert(e.kv.modRevision);
    for (Revision r : inBatch) EXPECT_TRUE(seen.insert(r).second) << "revision " << r << " split";
  }
}

}  // namespace

TEST_P(StoreConformance, WatchDeliversEveryChangeUnderThePrefixInOrder) {
  EventCollector collector;
  auto watch = store().watch("/w/", mustCurrent(), collector.sink());
  KeyValue a = mustCreate("/w/a", "a1");
  KeyValue b = mustCreate("/w/b", "b1");
  KeyValue a2 = mustUpdate("/w/a", "a2", a.modRevision);
  mustCreate("/x/other", "not watched");
  KeyValue bGone = mustRemove("/w/b", 0);
  KeyValue a3 = mustUpdate("/w/a", "a3", 0);

  auto events = collector.waitForEvents(5);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(revisionsOf(events), (std::vector<Revision>{a.modRevision, b.modRevision,
                                                        a2.modRevision, bGone.modRevision,
                                                        a3.modRevision}));
  EXPECT_EQ(events[0].type, Event::Type::Put);
  EXPECT_EQ(events[0].kv.key, "/w/a");
  EXPECT_EQ(events[0].kv.value, "a1");
  EXPECT_EQ(events[0].kv.createRevision, a.modRevision);
  EXPECT_FALSE(events[0].prev.has_value()) << "a create has no previous value";

  EXPECT_EQ(events[2].type, Event::Type::Put);
  EXPECT_EQ(events[2].kv.value, "a2");
  EXPECT_EQ(events[2].kv.createRevision, a.modRevision);
  ASSERT_TRUE(events[2].prev.has_value()) << "an update carries the value it replaced";
  EXPECT_EQ(events[2].prev->value, "a1");
  EXPECT_EQ(events[2].prev->modRevision, a.modRevision);

  const Event& deleted = events[3];
  EXPECT_EQ(deleted.type, Event::Type::Delete);
  EXPECT_EQ(deleted.kv.key, "/w/b");
  EXPECT_EQ(deleted.kv.value, "");
  EXPECT_EQ(deleted.kv.modRevision, bGone.modRevision);
  EXPECT_EQ(deleted.kv.createRevision, b.createRevision);
  ASSERT_TRUE(deleted.prev.has_value()) << "a delete always carries the deleted value";
  EXPECT_EQ(deleted.prev->key, "/w/b");
  EXPECT_EQ(deleted.prev->value, "b1");
  EXPECT_EQ(deleted.prev->modRevision, b.modRevision);
  EXPECT_EQ(deleted.prev->createRevision, b.createRevision);
  expectRevisionsNotSplit(collector.batches());
}

TEST_P(StoreConformance, WatchFromAnOlderRevisionReplaysThenContinuesLive) {
  std::vector<Revision> written;
  for (int i = 0; i < 60; ++i) {
    std::string key = "/w/" + std::to_string(i % 7);
    written.push_back(i < 7 ? mustCreate(key, "v").modRevision
                            : mustUpdate(key, "v" + std::to_string(i), 0).modRevision);
    mustCreate("/y/" + std::to_string(i), "noise");
  }
  EventCollector collector;
  auto watch = store().watch("/w/", written[9], collector.sink());
  for (int i = 60; i < 120; ++i) {
    written.push_back(mustUpdate("/w/" + std::to_string(i % 7), "v" + std::to_string(i), 0)
                          .modRevision);
  }
  std::vector<Revision> expected(written.begin() + 10, written.end());
  auto events = collector.waitForEvents(expected.size());
  EXPECT_EQ(revisionsOf(events), expected) << "no gap and no duplicate between replay and live";
  for (const auto& e : events) {
    ASSERT_TRUE(e.prev.has_value());
    EXPECT_LT(e.prev->modRevision, e.kv.modRevision);
  }
  expectRevisionsNotSplit(collector.batches());
}

TEST_P(StoreConformance, WatchFromZeroReplaysAllHistory) {
  KeyValue a = mustCreate("/w/a", "1");
  KeyValue a2 = mustUpdate("/w/a", "2", 0);
  EventCollector collector;
  auto watch = store().watch("/w/", 0, collector.sink());
  auto events = collector.waitForEvents(2);
  EXPECT_EQ(revisionsOf(events), (std::vector<Revision>{a.modRevision, a2.modRevision}));
}

TEST_P(StoreConformance, WatchFromACompactedRevisionIsExpiredAtOnce) {
  mustCreate("/w/a", "1");
  mustUpdate("/w/a", "2", 0);
  Revision compactTo = mustUpdate("/w/a", "3", 0).modRevision;
  mustUpdate("/w/a", "4", 0);
  ASSERT_TRUE(await(store().compact(compactTo)).ok());

  EventCollector expired;
  auto tooOld = store().watch("/w/", compactTo - 1, expired.sink());
  auto error = expired.waitForError(std::chrono::seconds(2));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->reason, Reason::Expired);
  EXPECT_TRUE(expired.events().empty());

  EventCollector fine;
  auto atCompacted = store().watch("/w/", compactTo, fine.sink());
  KeyValue last = mustUpdate("/w/a", "5", 0);
  auto events = fine.waitForEvents(2);
  EXPECT_EQ(revisionsOf(events), (std::vector<Revision>{compactTo + 1, last.modRevision}));
  EXPECT_FALSE(fine.waitForError(std::chrono::milliseconds(50)).has_value());
}

TEST_P(StoreConformance, ManyWatchesEachSeeTheirPrefix) {
  std::vector<EventCollector> collectors(8);
  std::vector<WatchPtr> watches;
  Revision start = mustCurrent();
  for (std::size_t i = 0; i < collectors.size(); ++i) {
    std::string prefix = i % 2 ? "/m/odd/" : "/m/";
    watches.push_back(store().watch(prefix, start, collectors[i].sink()));
  }
  for (int i = 0; i < 20; ++i) {
    mustCreate((i % 2 ? "/m/odd/" : "/m/even/") + std::to_string(i), "v");
  }
  for (std::size_t i = 0; i < collectors.size(); ++i) {
    std::size_t want = i % 2 ? 10 : 20;
    EXPECT_EQ(collectors[i].waitForEvents(want).size(), want) << "watch " << i;
  }
}

TEST_P(StoreConformance, DestroyingAWatchStopsItsCallbacks) {
  EventCollector collector;
  auto watch = store().watch("/w/", mustCurrent(), collector.sink());
  mustCreate("/w/a", "0");
  ASSERT_EQ(collector.waitForEvents(1).size(), 1u);

  // Writes keep coming from another thread while the watch is destroyed.
  std::atomic<bool> stop{false};
  std::thread writer([this, &stop] {
    boost::asio::io_context io;
    boost::asio::co_spawn(
        io,
        [this, &stop]() -> boost::asio::awaitable<void> {
          for (int i = 1; !stop && i < 5000; ++i) {
            co_await store().update("/w/a", std::to_string(i), 0);
          }
        },
        boost::asio::detached);
    io.run();
  });
  collector.waitForEvents(20);
  watch.reset();
  std::size_t afterDestroy = collector.callbacks();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop = true;
  writer.join();
  EXPECT_EQ(collector.callbacks(), afterDestroy) << "a callback ran after the Watch was destroyed";
}

TEST_P(StoreConformance, DestroyingAWatchFromItsOwnCallbackIsSafe) {
  struct Self {
    std::mutex mutex;
    WatchPtr watch;
    int calls = 0;
  };
  auto self = std::make_shared<Self>();
  EventCollector other;
  Revision start = mustCurrent();
  {
    std::lock_guard lock(self->mutex);
    self->watch = store().watch("/w/", start, WatchSink{[self](std::vector<Event>) {
      std::lock_guard lock(self->mutex);
      ++self->calls;
      self->watch.reset();  // must neither deadlock nor crash
    }, [](Error) {}});
  }
  auto otherWatch = store().watch("/w/", start, other.sink());
  for (int i = 0; i < 5; ++i) mustCreate("/w/" + std::to_string(i), "v");
  EXPECT_EQ(other.waitForEvents(5).size(), 5u);
  std::lock_guard lock(self->mutex);
  EXPECT_EQ(self->calls, 1);
  EXPECT_EQ(self->watch, nullptr);
}

}  // namespace kcpp::storage::conformance
