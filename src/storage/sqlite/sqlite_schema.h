#pragma once
// The SQLite backend's file: connection set-up, schema, and the state a writer
// resumes from.
//
// The schema is a log, as k3s' kine keeps it: every write appends one row
//   kv(rev PRIMARY KEY, key, created, prev_rev, deleted, value)
// where rev is the write's revision, created the key's createRevision, prev_rev
// the revision of the value it replaced (0 for a create) and deleted marks a
// tombstone. A range at revision R reads each key's newest row <= R; a watch
// replays rows by rev. Compaction deletes the rows a later row (<= its revision)
// superseded, and tombstones. meta(name, value) holds compact_rev (the compacted
// revision) and compacted_through (superseded rows are gone up to here).

#include <string>
#include <unordered_map>

#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/sqlite_options.h"
#include "storage/store.h"

namespace kcpp::storage::sqlite {

enum class Role { Writer, Reader };

// Opens `path` with the pragmas its role needs; the writer also creates the schema.
Result<Database> openConnection(const std::string& path, const SqliteOptions& options, Role role);

struct IndexEntry {
  Revision createRevision = 0;
  Revision modRevision = 0;
};
using KeyIndex = std::unordered_map<std::string, IndexEntry>;

// Where the log stands: what a writer needs to continue it.
struct StoredState {
  Revision current = 1;  // as etcd: an empty store is at revision 1
  Revision compacted = 0;
  Revision compactedThrough = 0;
  KeyIndex index;  // live keys only
};
Result<StoredState> loadState(Database& db);

inline constexpr const char* kCompactRevision = "compact_rev";
inline constexpr const char* kCompactedThrough = "compacted_through";

// SQL shared by the reader and the writer.
inline constexpr const char* kSelectMeta = "SELECT value FROM meta WHERE name = ?1";
inline constexpr const char* kUpsertMeta =
    "INSERT INTO meta(name, value) VALUES(?1, ?2) "
    "ON CONFLICT(name) DO UPDATE SET value = excluded.value";

// Reads a meta value, 0 when absent.
Result<std::int64_t> readMeta(Statement& selectMeta, const char* name);

}  // namespace kcpp::storage::sqlite
