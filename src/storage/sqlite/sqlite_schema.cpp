#include "storage/sqlite/sqlite_schema.h"

#include <algorithm>

namespace kcpp::storage::sqlite {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS kv (
  rev      INTEGER PRIMARY KEY,
  key      BLOB    NOT NULL,
  created  INTEGER NOT NULL,
  prev_rev INTEGER NOT NULL,
  deleted  INTEGER NOT NULL,
  value    BLOB    NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_key_rev ON kv(key, rev);
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
)sql";

Result<void> enableWal(Database& db) {
  auto statement = db.prepare("PRAGMA journal_mode=WAL");
  if (!statement) return std::move(statement).error();
  auto row = statement->step();
  if (!row) return std::move(row).error();
  if (!*row || statement->blob(0) != "wal") {
    return makeError(Reason::InternalError, "sqlite: the database refused WAL mode");
  }
  return {};
}

Result<void> setUpWriter(Database& db, const SqliteOptions& options) {
  // auto_vacuum only takes effect before the first table exists: set it first.
  // INCREMENTAL lets compaction hand free pages back to the file system.
  if (auto r = db.exec("PRAGMA auto_vacuum=INCREMENTAL"); !r) return r;
  if (auto r = enableWal(db); !r) return r;
  // FULL: every commit fsyncs the WAL, so an acknowledged write survives a crash.
  std::string pragmas = "PRAGMA synchronous=FULL;"
                        "PRAGMA journal_size_limit=" + std::to_string(options.walSizeLimitBytes) + ";"
                        "PRAGMA wal_autocheckpoint=" + std::to_string(options.walAutocheckpointPages) + ";"
                        "PRAGMA cache_size=-16384;";
  if (auto r = db.exec(pragmas); !r) return r;
  return db.exec(kSchema);
}

}  // namespace

Result<Database> openConnection(const std::string& path, const SqliteOptions& options, Role role) {
  auto db = Database::open(path);
  if (!db) return db;
  sqlite3_busy_timeout(db->handle(), static_cast<int>(options.busyTimeout.count()));
  if (role == Role::Writer) {
    if (auto r = setUpWriter(*db, options); !r) return std::move(r).error();
  } else if (auto r = db->exec("PRAGMA query_only=1"); !r) {
    return std::move(r).error();
  }
  return db;
}

Result<std::int64_t> readMeta(Statement& selectMeta, const char* name) {
  StatementUse use(selectMeta);
  use->bind(1, std::string_view(name));
  auto row = use->step();
  if (!row) return std::move(row).error();
  return *row ? use->int64(0) : 0;
}

Result<StoredState> loadState(Database& db) {
  StoredState state;
  auto selectMeta = db.prepare(kSelectMeta);
  if (!selectMeta) return std::move(selectMeta).error();
  auto compacted = readMeta(*selectMeta, kCompactRevision);
  auto through = readMeta(*selectMeta, kCompactedThrough);
  auto maxRev = db.queryInt("SELECT IFNULL(MAX(rev), 0) FROM kv");
  if (!compacted) return std::move(compacted).error();
  if (!through) return std::move(through).error();
  if (!maxRev) return std::move(maxRev).error();
  state.compacted = *compacted;
  state.compactedThrough = *through;
  // Compaction may have removed the newest rows (tombstones); compact_rev keeps
  // the revision from going back.
  state.current = std::max({Revision{1}, *maxRev, *compacted});

  auto scan = db.prepare("SELECT key, rev, created, deleted FROM kv ORDER BY rev");
  if (!scan) return std::move(scan).error();
  while (true) {
    auto row = scan->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    std::string key = scan->blob(0);
    if (scan->int64(3) != 0) state.index.erase(key);
    else state.index[std::move(key)] = IndexEntry{scan->int64(2), scan->int64(1)};
  }
  return state;
}

}  // namespace kcpp::storage::sqlite
