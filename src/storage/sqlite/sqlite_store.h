#pragma once
// SqliteStore: the embedded, durable Store (DESIGN.md §4): one SQLite 3 file in
// WAL mode holding a log of every write (see sqlite_schema.h).
//
//   - A write completes only after its transaction is fsynced (synchronous=FULL).
//   - Concurrent writes share transactions: one writer thread commits everything
//     queued at once (group commit), so durability costs one fsync per batch.
//   - Reads run on a small pool of reader threads; completions resume each caller
//     on its own executor.
//   - Watches are served from recent events in memory, and from the log for
//     older revisions (replay, then live, with no gap or duplicate).
//   - Compaction deletes superseded rows and tombstones, then returns excess free
//     pages and truncates the WAL, so files stay bounded under churn.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "storage/sqlite/sqlite_options.h"
#include "storage/store.h"
#include "util/error.h"

namespace kcpp::storage {

namespace sqlite {
class Reader;
class ReaderPool;
class Writer;
struct WriterShared;
enum class WriteKind;
}  // namespace sqlite
class WatchHub;

struct SqliteStats {
  std::uint64_t transactions = 0;  // write transactions committed
  std::uint64_t writes = 0;        // writes they held
};

class SqliteStore : public Store {
  struct Key {
    explicit Key() = default;
  };

 public:
  // Use openSqliteStore().
  SqliteStore(Key, std::string path);
  ~SqliteStore() override;

  boost::asio::awaitable<Result<KeyValue>> get(std::string key) override;
  boost::asio::awaitable<Result<RangeResult>> range(RangeRequest request) override;
  boost::asio::awaitable<Result<KeyValue>> create(std::string key, std::string value) override;
  boost::asio::awaitable<Result<KeyValue>> update(std::string key, std::string value,
                                                  Revision expectedModRevision) override;
  boost::asio::awaitable<Result<KeyValue>> remove(std::string key,
                                                  Revision expectedModRevision) override;
  boost::asio::awaitable<Result<Revision>> currentRevision() override;
  boost::asio::awaitable<Result<Revision>> compactedRevision() override;
  boost::asio::awaitable<Result<void>> compact(Revision revision) override;
  WatchPtr watch(std::string prefix, Revision afterRevision, WatchSink sink) override;
  void close() override;

  const std::string& path() const { return path_; }
  SqliteStats stats() const;

 private:
  friend Result<std::unique_ptr<SqliteStore>> openSqliteStore(std::string path,
                                                              SqliteOptions options);
  Result<void> start(const SqliteOptions& options);
  boost::asio::awaitable<Result<KeyValue>> write(sqlite::WriteKind kind, std::string key,
                                                 std::string value, Revision expected);

  std::string path_;
  std::atomic<bool> closed_{false};
  // Destroyed in reverse: readers and the writer stop before the hub they publish
  // to, and the hub before the history connection it reads.
  std::unique_ptr<sqlite::WriterShared> shared_;
  std::unique_ptr<sqlite::Reader> history_;
  std::unique_ptr<WatchHub> hub_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<sqlite::ReaderPool> readers_;
};
using SqliteStorePtr = std::unique_ptr<SqliteStore>;

// Opens (creating if needed) the store in the file `path`; its directory must exist.
Result<std::unique_ptr<SqliteStore>> openSqliteStore(std::string path, SqliteOptions options = {});

}  // namespace kcpp::storage
