#pragma once
// Reader: one read-only connection and the queries over the log (see
// sqlite_schema.h): get, range at a revision, and watch history. Each read runs
// in its own short transaction, so it sees one consistent snapshot and never
// holds the WAL back for long. Used by one thread at a time.

#include <optional>
#include <string>

#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/sqlite_options.h"
#include "storage/store.h"
#include "storage/watchhub/watch_hub.h"

namespace kcpp::storage::sqlite {

class Reader {
 public:
  static Result<Reader> open(const std::string& path, const SqliteOptions& options);

  Result<KeyValue> get(const std::string& key);
  // `committed`: the newest revision known committed, read before the call.
  Result<RangeResult> range(const RangeRequest& request, Revision committed);
  // A HistoryReader (watch_hub.h) over the log.
  Result<HistoryChunk> history(const std::string& prefix, Revision after, Revision upTo,
                               std::size_t maxEvents);

 private:
  explicit Reader(Database db) : db_(std::move(db)) {}
  Result<void> prepareAll();
  Result<Revision> compacted();

  Database db_;
  Statement begin_;
  Statement commit_;
  Statement selectMeta_;
  Statement get_;
  Statement row_;
  Statement rangeBounded_;
  Statement rangeOpen_;
  Statement historyBounded_;
  Statement historyOpen_;
};

// The smallest string greater than every string starting with `prefix`; none
// when every byte is 0xff (or the prefix is empty).
std::optional<std::string> prefixEnd(const std::string& prefix);

}  // namespace kcpp::storage::sqlite
