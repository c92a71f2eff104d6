#pragma once
// Writer: the one thread that writes the SQLite log (see sqlite_schema.h).
//
// Callers queue writes; the thread takes everything queued (up to maxBatch),
// checks each against an in-memory index of live keys (createRevision,
// modRevision: compare checks read nothing), appends the rows in ONE transaction
// and commits it with one fsync (group commit). Only then does it publish the
// events to the WatchHub and complete each caller. Compaction runs here too, in
// chunks between write batches, so writes never wait for a whole compaction.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include "storage/sqlite/completion.h"
#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/sqlite_options.h"
#include "storage/sqlite/sqlite_schema.h"
#include "storage/store.h"
#include "storage/watchhub/watch_hub.h"

namespace kcpp::storage::sqlite {

enum class WriteKind { Create, Update, Remove };

// What the writer publishes for readers; counters for benchmarks and tests.
struct WriterShared {
  std::atomic<Revision> committed{0};
  std::atomic<Revision> compacted{0};
  std::atomic<std::uint64_t> transactions{0};
  std::atomic<std::uint64_t> writes{0};
};

class Writer {
  struct Key {
    explicit Key() = default;
  };

 public:
  // `hub` and `shared` must outlive the Writer.
  static Result<std::unique_ptr<Writer>> start(Database db, StoredState state, WatchHub& hub,
                                               WriterShared& shared, const SqliteOptions& options);
  Writer(Key, Database db, StoredState state, WatchHub& hub, WriterShared& shared,
         const SqliteOptions& options);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  using Kind = WriteKind;
  void write(Kind kind, std::string key, std::string value, Revision expected,
             Completion<KeyValue> done);
  void compact(Revision revision, Completion<void> done);

  // Rejects new work, commits what is queued, and stops the thread.
  void close();

 private:
  struct WriteRequest {
    Kind kind = Kind::Create;
    std::string key{};
    std::string value{};
    Revision expected = 0;
    Completion<KeyValue> done{};
  };
  struct CompactRequest {
    Revision revision = 0;
    Completion<void> done{};
  };
  using Request = std::variant<WriteRequest, CompactRequest>;
  struct Compaction {
    Revision target = 0;
    std::vector<Completion<void>> waiters;
  };
  // Undoes one index change when a transaction fails.
  struct Undo {
    std::string key;
    std::optional<IndexEntry> before;
  };
  struct Batch;

  Result<void> prepareAll();
  void enqueue(Request request);
  void run();
  std::vector<Request> takeWork();
  void process(std::vector<Request>& work);
  void commitBatch(std::vector<WriteRequest>& requests);
  Result<Result<KeyValue>> apply(WriteRequest& request, Batch& batch);
  Result<std::string> readValue(Revision revision);
  Result<void> insertRow(Revision rev, const std::string& key, Revision created, Revision prev,
                         bool deleted, const std::string& value);
  void acceptCompaction(CompactRequest request);
  void compactStep();
  Result<void> compactChunk(Revision from, Revision to, Revision target);
  void reclaimSpace();
  Result<void> execStatement(Statement& statement);

  Database db_;
  StoredState state_;  // the writer thread's alone
  WatchHub& hub_;
  WriterShared& shared_;
  SqliteOptions options_;
  std::optional<Compaction> compaction_;

  Statement begin_;
  Statement commit_;
  Statement rollback_;
  Statement insert_;
  Statement selectValue_;
  Statement upsertMeta_;
  Statement deleteSuperseded_;
  Statement deleteTombstones_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Request> queue_;
  bool stopping_ = false;
  std::thread thread_;  // started by start() once the statements are ready
};

}  // namespace kcpp::storage::sqlite
