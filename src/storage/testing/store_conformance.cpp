// Store conformance: helpers, and the key/value, range and compaction tests.
#include "storage/testing/store_conformance.h"

#include <cstdlib>
#include <filesystem>

namespace kcpp::storage::conformance {

std::string storeFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

void PrintTo(const StoreFactory& factory, std::ostream* out) { *out << factory.name; }

EventCollector::EventCollector() : state_(std::make_shared<State>()) {}

WatchSink EventCollector::sink() {
  auto state = state_;
  return WatchSink{
      [state](std::vector<Event> events) {
        std::lock_guard lock(state->mutex);
        ++state->callbacks;
        state->events.insert(state->events.end(), events.begin(), events.end());
        state->batches.push_back(std::move(events));
        state->changed.notify_all();
      },
      [state](Error error) {
        std::lock_guard lock(state->mutex);
        ++state->callbacks;
        state->error = std::move(error);
        state->changed.notify_all();
      }};
}

std::vector<Event> EventCollector::waitForEvents(std::size_t count,
                                                 std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, timeout, [&] { return state_->events.size() >= count; });
  return state_->events;
}

std::optional<Error> EventCollector::waitForError(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, timeout, [&] { return state_->error.has_value(); });
  return state_->error;
}

std::vector<Event> EventCollector::events() {
  std::lock_guard lock(state_->mutex);
  return state_->events;
}

std::vector<std::vector<Event>> EventCollector::batches() {
  std::lock_guard lock(state_->mutex);
  return state_->batches;
}

std::size_t EventCollector::callbacks() {
  std::lock_guard lock(state_->mutex);
  return state_->callbacks;
}

void StoreConformance::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() / "kcpp-store-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  dir_ = pattern;
  auto opened = GetParam().open(dir_);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  store_ = std::move(opened).value();
}

void StoreConformance::TearDown() {
  if (store_) store_->close();
  store_.reset();
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

KeyValue StoreConformance::mustCreate(const std::string& key, const std::string& value) {
  auto r = await(store().create(key, value));
  KCPP_CHECK(r.ok(), ("create " + key + ": " + r.error().message).c_str());
  return r.value();
}

KeyValue StoreConformance::mustUpdate(const std::string& key, const std::string& value,
                                      Revision expected) {
  auto r = await(store().update(key, value, expected));
  KCPP_CHECK(r.ok(), ("update " + key + ": " + r.error().message).c_str());
  return r.value();
}

KeyValue StoreConformance::mustRemove(const std::string& key, Revision expected) {
  auto r = await(store().remove(key, expected));
  KCPP_CHECK(r.ok(), ("remove " + key + ": " + r.error().message).c_str());
  return r.value();
}

Revision StoreConformance::mustCurrent() {
  auto r = await(store().currentRevision());
  KCPP_CHECK(r.ok(), "currentRevision failed");
  return r.value();
}

RangeResult StoreConformance::mustRange(RangeRequest request) {
  auto r = await(store().range(std::move(request)));
  KCPP_CHECK(r.ok(), ("range: " + r.error().message).c_str());
  return r.value();
}

namespace {

std::vector<std::string> keysOf(const RangeResult& result) {
  std::vector<std::string> keys;
  for (const auto& kv : result.kvs) keys.push_back(kv.key);
  return keys;
}

using Keys = std::vector<std::string>;

}  // namespace

TEST_P(StoreConformance, CreateThenGet) {
  Revision before = mustCurrent();
  KeyValue created = mustCreate("/k/a", "one");
  EXPECT_EQ(created.key, "/k/a");
  EXPECT_EQ(created.value, "one");
  EXPECT_EQ(created.modRevision, before + 1);
  EXPECT_EQ(created.createRevision, created.modRevision);
  EXPECT_EQ(mustCurrent(), created.modRevision);

  auto got = await(store().get("/k/a"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value, "one");
  EXPECT_EQ(got->createRevision, created.createRevision);
  EXPECT_EQ(got->modRevision, created.modRevision);
}

TEST_P(StoreConformance, BinaryValuesRoundTrip) {
  std::string value("a\0b\xff\x01", 5);
  mustCreate("/k/bin", value);
  auto got = await(store().get("/k/bin"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value, value);
}

TEST_P(StoreConformance, CreateOfExistingKeyIsAlreadyExists) {
  mustCreate("/k/a", "one");
  Revision before = mustCurrent();
  auto again = await(store().create("/k/a", "two"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().reason, Reason::AlreadyExists);
  EXPECT_EQ(mustCurrent(), before) << "a failed write must not use a revision";
  EXPECT_EQ(await(store().get("/k/a"))->value, "one");
}

TEST_P(StoreConformance, GetOfMissingKeyIsNotFound) {
  auto got = await(store().get("/k/missing"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().reason, Reason::NotFound);
}

TEST_P(StoreConformance, UpdateComparesModRevision) {
  KeyValue created = mustCreate("/k/a", "one");
  KeyValue updated = mustUpdate("/k/a", "two", created.modRevision);
  EXPECT_EQ(updated.value, "two");
  EXPECT_EQ(updated.createRevision, created.createRevision);
  EXPECT_EQ(updated.modRevision, created.modRevision + 1);

  auto stale = await(store().update("/k/a", "three", created.modRevision));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().reason, Reason::Conflict);
  EXPECT_EQ(await(store().get("/k/a"))->value, "two");
  EXPECT_EQ(mustCurrent(), updated.modRevision);

  auto missing = await(store().update("/k/missing", "x", 1));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reason, Reason::NotFound);
}

TEST_P(StoreConformance, UpdateWithZeroExpectedIsUnconditional) {
  mustCreate("/k/a", "one");
  KeyValue updated = mustUpdate("/k/a", "two", 0);
  EXPECT_EQ(updated.value, "two");
  auto missing = await(store().update("/k/missing", "x", 0));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reason, Reason::NotFound);
}

TEST_P(StoreConformance, RemoveComparesModRevision) {
  KeyValue created = mustCreate("/k/a", "one");
  KeyValue updated = mustUpdate("/k/a", "two", created.modRevision);

  auto stale = await(store().remove("/k/a", created.modRevision));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().reason, Reason::Conflict);

  KeyValue removed = mustRemove("/k/a", updated.modRevision);
  EXPECT_EQ(removed.key, "/k/a");
  EXPECT_EQ(removed.value, "two") << "remove returns the value as it was";
  EXPECT_EQ(removed.createRevision, created.createRevision);
  EXPECT_EQ(removed.modRevision, updated.modRevision + 1) << "the delete's revision";
  EXPECT_EQ(mustCurrent(), removed.modRevision);
  EXPECT_EQ(await(store().get("/k/a")).error().reason, Reason::NotFound);

  auto again = await(store().remove("/k/a", 0));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().reason, Reason::NotFound);
}

TEST_P(StoreConformance, RemoveWithZeroExpectedIsUnconditional) {
  mustCreate("/k/a", "one");
  KeyValue removed = mustRemove("/k/a", 0);
  EXPECT_EQ(removed.value, "one");
}

TEST_P(StoreConformance, RecreateAfterRemoveHasNewCreateRevision) {
  KeyValue first = mustCreate("/k/a", "one");
  mustRemove("/k/a", 0);
  KeyValue second = mustCreate("/k/a", "again");
  EXPECT_GT(second.createRevision, first.createRevision);
  EXPECT_EQ(second.createRevision, second.modRevision);
}

TEST_P(StoreConformance, EveryWriteBumpsTheGlobalRevisionByOne) {
  for (int i = 0; i < 4; ++i) {
    Revision before = mustCurrent();
    EXPECT_EQ(mustCreate("/k/" + std::to_string(i), "v").modRevision, before + 1);
  }
  for (int i = 0; i < 12; ++i) {
    std::string key = "/k/" + std::to_string(i % 4);
    Revision before = mustCurrent();
    if (i % 3 == 0) {
      EXPECT_EQ(mustRemove(key, 0).modRevision, before + 1);
      EXPECT_EQ(mustCreate(key, "again").modRevision, before + 2);
    } else {
      EXPECT_EQ(mustUpdate(key, "v" + std::to_string(i), 0).modRevision, before + 1);
    }
  }
  auto compacted = await(store().compactedRevision());
  ASSERT_TRUE(compacted.ok());
  EXPECT_LE(*compacted, mustCurrent());
}

TEST_P(StoreConformance, RangeByPrefixInKeyOrder) {
  for (const char* key : {"/r/c", "/r/a", "/r/e", "/r/b", "/r/d", "/r", "/rr/a", "/q/a"}) {
    mustCreate(key, std::string("v") + key);
  }
  RangeResult all = mustRange(RangeRequest{"/r/", "", 0, 0});
  EXPECT_EQ(keysOf(all), (Keys{"/r/a", "/r/b", "/r/c", "/r/d", "/r/e"}));
  EXPECT_EQ(all.kvs[0].value, "v/r/a");
  EXPECT_EQ(all.revision, mustCurrent());
  EXPECT_FALSE(all.more);

  RangeResult everything = mustRange(RangeRequest{"", "", 0, 0});
  EXPECT_EQ(everything.kvs.size(), 8u);

  RangeResult none = mustRange(RangeRequest{"/zzz/", "", 0, 0});
  EXPECT_TRUE(none.kvs.empty());
  EXPECT_FALSE(none.more);
}

TEST_P(StoreConformance, RangePagesWithLimitAndStartAfter) {
  for (const char* key : {"/p/a", "/p/b", "/p/c", "/p/d", "/p/e", "/q/x"}) mustCreate(key, "v");
  RangeResult first = mustRange(RangeRequest{"/p/", "", 0, 2});
  EXPECT_EQ(keysOf(first), (Keys{"/p/a", "/p/b"}));
  EXPECT_TRUE(first.more);

  RangeResult second =
      mustRange(RangeRequest{"/p/", "/p/b", first.revision, 2});
  EXPECT_EQ(keysOf(second), (Keys{"/p/c", "/p/d"}));
  EXPECT_TRUE(second.more);
  EXPECT_EQ(second.revision, first.revision);

  RangeResult last =
      mustRange(RangeRequest{"/p/", "/p/d", first.revision, 2});
  EXPECT_EQ(keysOf(last), (Keys{"/p/e"}));
  EXPECT_FALSE(last.more);

  RangeResult exact = mustRange(RangeRequest{"/p/", "", 0, 5});
  EXPECT_EQ(exact.kvs.size(), 5u);
  EXPECT_FALSE(exact.more) << "more only when keys beyond the limit match";

  RangeResult beforePrefix = mustRange(RangeRequest{"/p/", "/a", 0, 1});
  EXPECT_EQ(keysOf(beforePrefix), (Keys{"/p/a"}));
}

TEST_P(StoreConformance, RangeAtAnOlderRevision) {
  KeyValue a1 = mustCreate("/o/a", "1");
  KeyValue a2 = mustUpdate("/o/a", "2", a1.modRevision);
  KeyValue b = mustCreate("/o/b", "b");
  KeyValue aGone = mustRemove("/o/a", 0);
  KeyValue a3 = mustCreate("/o/a", "3");

  auto at = [&](Revision rev) { return mustRange(RangeRequest{"/o/", "", rev, 0}); };
  EXPECT_TRUE(at(a1.modRevision - 1).kvs.empty());
  EXPECT_EQ(keysOf(at(a1.modRevision)), (Keys{"/o/a"}));
  EXPECT_EQ(at(a1.modRevision).kvs[0].value, "1");
  EXPECT_EQ(at(a1.modRevision).revision, a1.modRevision);
  EXPECT_EQ(at(a2.modRevision).kvs[0].value, "2");
  EXPECT_EQ(at(a2.modRevision).kvs[0].modRevision, a2.modRevision);
  EXPECT_EQ(keysOf(at(b.modRevision)), (Keys{"/o/a", "/o/b"}));
  EXPECT_EQ(keysOf(at(aGone.modRevision)), (Keys{"/o/b"}));
  RangeResult now = at(a3.modRevision);
  EXPECT_EQ(keysOf(now), (Keys{"/o/a", "/o/b"}));
  EXPECT_EQ(now.kvs[0].value, "3");
  EXPECT_EQ(now.kvs[0].createRevision, a3.modRevision);

  RangeResult paged = mustRange(RangeRequest{"/o/", "", b.modRevision, 1});
  EXPECT_EQ(keysOf(paged), (Keys{"/o/a"}));
  EXPECT_TRUE(paged.more);
}

TEST_P(StoreConformance, RangeAtAFutureRevisionIsTooLarge) {
  Revision now = mustCurrent();
  auto future = await(store().range(RangeRequest{"/", "", now + 100, 0}));
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.error().reason, Reason::Timeout);
}

TEST_P(StoreConformance, CompactionExpiresOlderRevisions) {
  KeyValue a1 = mustCreate("/c/a", "1");
  KeyValue a2 = mustUpdate("/c/a", "2", 0);
  KeyValue b = mustCreate("/c/b", "b");
  KeyValue a3 = mustUpdate("/c/a", "3", 0);
  mustUpdate("/c/b", "b2", 0);

  ASSERT_TRUE(await(store().compact(b.modRevision)).ok());
  EXPECT_EQ(await(store().compactedRevision()).value(), b.modRevision);

  auto old = await(store().range(RangeRequest{"/c/", "", a2.modRevision, 0}));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().reason, Reason::Expired);

  RangeResult atCompacted = mustRange(RangeRequest{"/c/", "", b.modRevision, 0});
  ASSERT_EQ(keysOf(atCompacted), (Keys{"/c/a", "/c/b"}));
  EXPECT_EQ(atCompacted.kvs[0].value, "2");
  EXPECT_EQ(atCompacted.kvs[1].value, "b");
  EXPECT_EQ(mustRange(RangeRequest{"/c/", "", a3.modRevision, 0}).kvs[0].value, "3");

  RangeResult now = mustRange(RangeRequest{"/c/", "", 0, 0});
  EXPECT_EQ(now.kvs[0].value, "3");
  EXPECT_EQ(now.kvs[0].createRevision, a1.modRevision) << "compaction keeps createRevision";
  EXPECT_EQ(now.kvs[1].value, "b2");

  EXPECT_TRUE(await(store().compact(a1.modRevision)).ok()) << "compacting again is a no-op";
  EXPECT_EQ(await(store().compactedRevision()).value(), b.modRevision);
  auto future = await(store().compact(mustCurrent() + 10));
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.error().reason, Reason::BadRequest);
}

TEST_P(StoreConformance, CompactionForgetsDeletedKeys) {
  mustCreate("/d/a", "1");
  mustCreate("/d/b", "1");
  mustRemove("/d/a", 0);
  Revision rev = mustCurrent();
  ASSERT_TRUE(await(store().compact(rev)).ok());
  EXPECT_EQ(keysOf(mustRange(RangeRequest{"/d/", "", 0, 0})), (Keys{"/d/b"}));
  EXPECT_EQ(keysOf(mustRange(RangeRequest{"/d/", "", rev, 0})), (Keys{"/d/b"}));
  EXPECT_EQ(await(store().get("/d/a")).error().reason, Reason::NotFound);
  KeyValue again = mustCreate("/d/a", "2");
  EXPECT_EQ(again.createRevision, rev + 1);
  EXPECT_EQ(mustCurrent(), rev + 1) << "the revision never goes back, even after compaction";
}

TEST_P(StoreConformance, ClosedStoreIsUnavailable) {
  mustCreate("/x/a", "1");
  EventCollector collector;
  auto watch = store().watch("/x/", mustCurrent(), collector.sink());
  store().close();
  auto write = await(store().create("/x/b", "2"));
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.error().reason, Reason::ServiceUnavailable);
  auto error = collector.waitForError();
  ASSERT_TRUE(error.has_value()) << "a watch learns that the store closed";
  EXPECT_EQ(error->reason, Reason::ServiceUnavailable);
}

}  // namespace kcpp::storage::conformance
