#include "storage/memory/memory_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace kcpp::storage {
namespace {

TEST(MemoryStore, CreateUpdateRemoveAndWatch) {
  auto store = makeMemoryStore();
  std::mutex mu;
  std::vector<Event> seen;
  auto watch = store->watch("/a/", 0, WatchSink{[&](std::vector<Event> events) {
    std::lock_guard lock(mu);
    for (auto& e : events) seen.push_back(std::move(e));
  }, [](Error) {}});
  auto created = store->createNow("/a/x", "1");
  ASSERT_TRUE(created.ok());
  auto updated = store->updateNow("/a/x", "2", created->modRevision);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(store->updateNow("/a/x", "3", created->modRevision).error().reason, Reason::Conflict);
  auto removed = store->removeNow("/a/x", 0);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->value, "2");
  for (int i = 0; i < 200; ++i) {
    std::lock_guard lock(mu);
    if (seen.size() == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].type, Event::Type::Delete);
  EXPECT_EQ(seen[2].prev->value, "2");
}

}  // namespace
}  // namespace kcpp::storage

#include "storage/testing/store_conformance.h"

namespace kcpp::storage {
namespace {

conformance::StoreFactory memoryFactory() {
  return {"Memory", [](const std::string&) -> Result<StorePtr> { return StorePtr(makeMemoryStore()); }};
}

}  // namespace
}  // namespace kcpp::storage

KCPP_STORE_CONFORMANCE(Memory, kcpp::storage::memoryFactory())
