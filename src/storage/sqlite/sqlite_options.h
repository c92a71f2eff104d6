#pragma once
// Tuning of the SQLite backend; the defaults suit a server.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace kcpp::storage {

struct SqliteOptions {
  // Writes committed in one transaction (one fsync) at most: group commit.
  std::size_t maxBatch = 1024;
  // Threads (each with its own connection) serving get and range.
  std::size_t readerThreads = 2;
  // Recent events kept in memory for watches (at most this many, and about this
  // many bytes); watches from older revisions replay them from the log.
  std::size_t watchWindow = 4096;
  std::size_t watchWindowBytes = 16 << 20;
  // Revisions one compaction transaction covers, so writes wait at most that long.
  std::int64_t compactionChunk = 10000;
  // The WAL is truncated to this size when SQLite rewinds it (journal_size_limit).
  std::int64_t walSizeLimitBytes = 64 << 20;
  // Pages of WAL after which a commit checkpoints it (wal_autocheckpoint).
  std::int64_t walAutocheckpointPages = 1000;
  // After a compaction, free pages beyond this fraction of the file are returned
  // to the file system (incremental_vacuum); fewer are kept for reuse.
  double maxFreeFraction = 0.25;
  std::chrono::milliseconds busyTimeout{5000};
};

}  // namespace kcpp::storage
