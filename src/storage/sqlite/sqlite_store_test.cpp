#include "storage/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include "storage/testing/store_conformance.h"

namespace kcpp::storage {
namespace {

conformance::StoreFactory sqliteFactory(std::string name, SqliteOptions options) {
  return {std::move(name), [options](const std::string& dir) -> Result<StorePtr> {
            auto store = openSqliteStore(dir + "/kcpp.db", options);
            if (!store) return std::move(store).error();
            return StorePtr(std::move(store).value());
          }};
}

// A tiny watch window and batch: watches replay from the log, writes span batches.
SqliteOptions smallOptions() {
  SqliteOptions options;
  options.watchWindow = 4;
  options.maxBatch = 3;
  options.compactionChunk = 2;
  options.readerThreads = 1;
  return options;
}

}  // namespace
}  // namespace kcpp::storage

KCPP_STORE_CONFORMANCE(Sqlite, kcpp::storage::sqliteFactory("Sqlite", {}))
KCPP_STORE_CONFORMANCE(SqliteSmallWindow,
                       kcpp::storage::sqliteFactory("SqliteSmallWindow", kcpp::storage::smallOptions()))

// Behaviour only the SQLite backend has: durability, reopening, bounded files.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <sqlite3.h>

#include <filesystem>
#include <thread>

namespace kcpp::storage {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "kcpp-sqlite-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/kcpp.db";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  SqliteStorePtr open(SqliteOptions options = {}) {
    auto store = openSqliteStore(path_, options);
    KCPP_CHECK(store.ok(), "openSqliteStore failed");
    return std::move(store).value();
  }

  template <class T>
  T await(boost::asio::awaitable<T> operation) {
    std::optional<T> out;
    boost::asio::co_spawn(
        io_, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(operation)); },
        boost::asio::detached);
    io_.restart();
    io_.run();
    KCPP_CHECK(out.has_value(), "operation did not complete");
    return std::move(*out);
  }

  std::uintmax_t fileSize(const std::string& path) {
    std::error_code error;
    auto size = fs::file_size(path, error);
    return error ? 0 : size;
  }

  boost::asio::io_context io_;
  std::string dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, ReopenKeepsStateAndContinuesRevisions) {
  Revision last = 0;
  Revision beforeDelete = 0;
  {
    auto store = open();
    auto a = await(store->create("/r/a", "1"));
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(await(store->create("/r/b", "b")).ok());
    beforeDelete = await(store->update("/r/a", "2", a->modRevision))->modRevision;
    last = await(store->remove("/r/b", 0))->modRevision;
    ASSERT_TRUE(await(store->compact(a->modRevision)).ok());
    store->close();
  }
  auto store = open();
  EXPECT_EQ(await(store->currentRevision()).value(), last);
  auto compacted = await(store->compactedRevision());
  ASSERT_TRUE(compacted.ok());
  EXPECT_GT(*compacted, 0);
  auto now = await(store->range(RangeRequest{"/r/", "", 0, 0}));
  ASSERT_TRUE(now.ok());
  ASSERT_EQ(now->kvs.size(), 1u);
  EXPECT_EQ(now->kvs[0].value, "2");
  auto old = await(store->range(RangeRequest{"/r/", "", beforeDelete, 0}));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->kvs.size(), 2u) << "history survives a restart";

  conformance::EventCollector collector;
  auto watch = store->watch("/r/", *compacted, collector.sink());
  auto created = await(store->create("/r/c", "c"));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->modRevision, last + 1) << "revisions continue after a restart";
  // After the compacted revision: create b, update a, remove b, then live: create c.
  auto events = collector.waitForEvents(4);
  ASSERT_EQ(events.size(), 4u) << "a watch replays the log written before the restart";
  EXPECT_EQ(events.back().kv.key, "/r/c");
  EXPECT_EQ(events[events.size() - 2].type, Event::Type::Delete);
  EXPECT_EQ(events[events.size() - 2].prev->value, "b");
}

TEST_F(SqliteStoreTest, RevisionNeverGoesBackWhenCompactionRemovedTheNewestRow) {
  Revision deletedAt = 0;
  {
    auto store = open();
    ASSERT_TRUE(await(store->create("/t/a", "1")).ok());
    deletedAt = await(store->remove("/t/a", 0))->modRevision;
    ASSERT_TRUE(await(store->compact(deletedAt)).ok());  // drops the tombstone row
  }
  auto store = open();
  EXPECT_EQ(await(store->currentRevision()).value(), deletedAt);
  EXPECT_EQ(await(store->create("/t/a", "2"))->modRevision, deletedAt + 1);
}

TEST_F(SqliteStoreTest, AnAcknowledgedWriteIsCommittedToTheFile) {
  auto store = open();
  auto created = await(store->create("/d/a", "durable"));
  ASSERT_TRUE(created.ok());

  // Another connection, as another process would see the file right now.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw, &sqlite3_close_v2);
  sqlite3_stmt* rawStmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT count(*) FROM kv WHERE rev = ?1", -1, &rawStmt, nullptr),
            SQLITE_OK);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(rawStmt, &sqlite3_finalize);
  sqlite3_bind_int64(rawStmt, 1, created->modRevision);
  ASSERT_EQ(sqlite3_step(rawStmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(rawStmt, 0), 1);

  sqlite3_stmt* modeStmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &modeStmt, nullptr), SQLITE_OK);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> mode(modeStmt, &sqlite3_finalize);
  ASSERT_EQ(sqlite3_step(modeStmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(modeStmt, 0)), "wal");
}

TEST_F(SqliteStoreTest, ConcurrentWritesShareTransactions) {
  auto store = open();
  int failures = 0;
  for (int w = 0; w < 32; ++w) {
    boost::asio::co_spawn(
        io_,
        [&, w]() -> boost::asio::awaitable<void> {
          for (int i = 0; i < 20; ++i) {
            auto r = co_await store->create("/g/" + std::to_string(w) + "/" + std::to_string(i), "v");
            if (!r) ++failures;
          }
        },
        boost::asio::detached);
  }
  io_.run();
  EXPECT_EQ(failures, 0);
  SqliteStats stats = store->stats();
  EXPECT_EQ(stats.writes, 640u);
  EXPECT_LE(stats.transactions * 4, stats.writes) << "group commit: many writes per fsync";
}

TEST_F(SqliteStoreTest, CloseFinishesWritesInFlight) {
  auto store = open();
  std::vector<std::string> acknowledged;
  std::mutex mutex;
  int unavailable = 0;
  for (int i = 0; i < 200; ++i) {
    boost::asio::co_spawn(
        io_,
        [&, i]() -> boost::asio::awaitable<void> {
          std::string key = "/f/" + std::to_string(i);
          auto r = co_await store->create(key, "v");
          std::lock_guard lock(mutex);
          if (r) acknowledged.push_back(key);
          else if (r.error().reason == Reason::ServiceUnavailable) ++unavailable;
        },
        boost::asio::detached);
  }
  std::thread runner([this] { io_.run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  store->close();
  runner.join();
  EXPECT_EQ(acknowledged.size() + static_cast<std::size_t>(unavailable), 200u)
      << "every write completes, with success or ServiceUnavailable";
  store.reset();

  auto reopened = open();
  for (const auto& key : acknowledged) {
    EXPECT_TRUE(await(reopened->get(key)).ok()) << key << " was acknowledged but is gone";
  }
}

// Updates churn a fixed set of keys while a compactor keeps up: the database and
// its WAL must stop growing (k3s once grew a WAL to hundreds of GB).
TEST_F(SqliteStoreTest, FilesStayBoundedUnderChurnWithCompaction) {
  SqliteOptions options;
  options.walAutocheckpointPages = 100;
  options.walSizeLimitBytes = 1 << 20;
  auto store = open(options);
  const std::string value(2000, 'x');
  constexpr int kKeys = 64;
  for (int k = 0; k < kKeys; ++k) ASSERT_TRUE(await(store->create("/b/" + std::to_string(k), value)).ok());

  Revision previousRound = await(store->currentRevision()).value();
  std::uintmax_t maxDb = 0;
  std::uintmax_t maxWal = 0;
  std::uintmax_t dbAfterWarmup = 0;
  constexpr int kRounds = 16;
  constexpr int kUpdatesPerKeyPerRound = 8;  // 64 * 8 * 2 KB = 1 MB of updates per round
  for (int round = 0; round < kRounds; ++round) {
    int failures = 0;
    for (int k = 0; k < kKeys; ++k) {
      boost::asio::co_spawn(
          io_,
          [&, k]() -> boost::asio::awaitable<void> {
            for (int i = 0; i < kUpdatesPerKeyPerRound; ++i) {
              auto r = co_await store->update("/b/" + std::to_string(k), value, 0);
              if (!r) ++failures;
            }
          },
          boost::asio::detached);
    }
    io_.restart();
    io_.run();
    ASSERT_EQ(failures, 0);
    // As the apiserver's compactor: compact to the revision seen one round ago.
    ASSERT_TRUE(await(store->compact(previousRound)).ok());
    previousRound = await(store->currentRevision()).value();
    maxDb = std::max(maxDb, fileSize(path_));
    maxWal = std::max(maxWal, fileSize(path_ + "-wal"));
    if (round == 3) dbAfterWarmup = fileSize(path_);
  }
  // 16 MB were written; live data is 128 KB and at most two rounds (2 MB) of history.
  EXPECT_LT(maxDb, 5u << 20) << "database file kept growing";
  EXPECT_LT(maxWal, 3u << 20) << "WAL kept growing";
  EXPECT_LE(fileSize(path_), dbAfterWarmup * 3 / 2) << "database still growing after warm-up";
}

}  // namespace
}  // namespace kcpp::storage
