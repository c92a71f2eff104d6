#include "storage/sqlite/sqlite_reader.h"

#include "storage/sqlite/sqlite_schema.h"

namespace kcpp::storage::sqlite {

namespace {

// Each key's newest revision at or below ?4, in key order, read from the
// covering (key, rev) index: no sort and no value read for old versions.
constexpr const char* kRangeBounded =
    "SELECT key, MAX(rev) FROM kv WHERE key >= ?1 AND key > ?2 AND key < ?3 AND rev <= ?4 "
    "GROUP BY key ORDER BY key";
constexpr const char* kRangeOpen =
    "SELECT key, MAX(rev) FROM kv WHERE key >= ?1 AND key > ?2 AND rev <= ?4 "
    "GROUP BY key ORDER BY key";
// Events in revision order, each with the value it replaced (prev_rev's row,
// which compaction keeps as long as the event itself is above the compacted revision).
constexpr const char* kHistoryBounded =
    "SELECT k.rev, k.key, k.value, k.created, k.deleted, k.prev_rev, p.value "
    "FROM kv k LEFT JOIN kv p ON p.rev = k.prev_rev "
    "WHERE k.rev > ?1 AND k.rev <= ?2 AND k.key >= ?3 AND k.key < ?4 ORDER BY k.rev LIMIT ?5";
constexpr const char* kHistoryOpen =
    "SELECT k.rev, k.key, k.value, k.created, k.deleted, k.prev_rev, p.value "
    "FROM kv k LEFT JOIN kv p ON p.rev = k.prev_rev "
    "WHERE k.rev > ?1 AND k.rev <= ?2 AND k.key >= ?3 ORDER BY k.rev LIMIT ?5";

// A read transaction: BEGIN now, COMMIT (release the snapshot) when it ends.
class ReadTransaction {
 public:
  ReadTransaction(Statement& begin, Statement& commit) : commit_(commit) {
    StatementUse use(begin);
    ok_ = use->run().ok();
  }
  ~ReadTransaction() {
    StatementUse use(commit_);
    (void)use->run();
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  bool ok() const { return ok_; }

 private:
  Statement& commit_;
  bool ok_ = false;
};

Error expired(Revision revision, Revision compacted) {
  return makeError(Reason::Expired, "required revision " + std::to_string(revision) +
                                        " has been compacted (compacted revision " +
                                        std::to_string(compacted) + ")");
}

}  // namespace

std::optional<std::string> prefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::nullopt;
}

Result<Reader> Reader::open(const std::string& path, const SqliteOptions& options) {
  auto db = openConnection(path, options, Role::Reader);
  if (!db) return std::move(db).error();
  Reader reader(std::move(db).value());
  if (auto prepared = reader.prepareAll(); !prepared) return std::move(prepared).error();
  return reader;
}

Result<void> Reader::prepareAll() {
  struct Entry {
    Statement* statement;
    const char* sql;
  };
  for (auto [statement, sql] : {
           Entry{&begin_, "BEGIN"},
           Entry{&commit_, "COMMIT"},
           Entry{&selectMeta_, kSelectMeta},
           Entry{&get_, "SELECT value, created, rev, deleted FROM kv WHERE key = ?1 "
                        "ORDER BY rev DESC LIMIT 1"},
           Entry{&row_, "SELECT value, created, deleted FROM kv WHERE rev = ?1"},
           Entry{&rangeBounded_, kRangeBounded},
           Entry{&rangeOpen_, kRangeOpen},
           Entry{&historyBounded_, kHistoryBounded},
           Entry{&historyOpen_, kHistoryOpen},
       }) {
    auto prepared = db_.prepare(sql);
    if (!prepared) return std::move(prepared).error();
    *statement = std::move(prepared).value();
  }
  return {};
}

Result<Revision> Reader::compacted() { return readMeta(selectMeta_, kCompactRevision); }

Result<KeyValue> Reader::get(const std::string& key) {
  StatementUse use(get_);
  use->bind(1, key);
  auto row = use->step();
  if (!row) return std::move(row).error();
  if (!*row || use->int64(3) != 0) return makeError(Reason::NotFound, "key not found: " + key);
  return KeyValue{key, use->blob(0), use->int64(1), use->int64(2)};
}

Result<RangeResult> Reader::range(const RangeRequest& request, Revision committed) {
  ReadTransaction txn(begin_, commit_);
  if (!txn.ok()) return sqliteError(db_.handle(), "begin read");
  auto compactedRev = compacted();
  if (!compactedRev) return std::move(compactedRev).error();
  Revision revision = request.revision == 0 ? committed : request.revision;
  if (revision < *compactedRev) return expired(revision, *compactedRev);
  if (revision > committed) {
    return makeError(Reason::Timeout, "Too large resource version: " + std::to_string(revision) +
                                          ", current: " + std::to_string(committed));
  }

  RangeResult result;
  result.revision = revision;
  auto end = prefixEnd(request.prefix);
  StatementUse keys(end ? rangeBounded_ : rangeOpen_);
  keys->bind(1, request.prefix).bind(2, request.startAfter).bind(4, revision);
  if (end) keys->bind(3, *end);
  while (true) {
    auto next = keys->step();
    if (!next) return std::move(next).error();
    if (!*next) break;
    StatementUse row(row_);
    row->bind(1, keys->int64(1));
    auto found = row->step();
    if (!found) return std::move(found).error();
    if (!*found || row->int64(2) != 0) continue;  // deleted as of `revision`
    if (request.limit > 0 && std::ssize(result.kvs) == request.limit) {
      result.more = true;
      break;
    }
    result.kvs.push_back(KeyValue{keys->blob(0), row->blob(0), row->int64(1), keys->int64(1)});
  }
  return result;
}

Result<HistoryChunk> Reader::history(const std::string& prefix, Revision after, Revision upTo,
                                     std::size_t maxEvents) {
  ReadTransaction txn(begin_, commit_);
  if (!txn.ok()) return sqliteError(db_.handle(), "begin read");
  auto compactedRev = compacted();
  if (!compactedRev) return std::move(compactedRev).error();
  if (after < *compactedRev) return expired(after, *compactedRev);

  HistoryChunk chunk;
  auto end = prefixEnd(prefix);
  StatementUse rows(end ? historyBounded_ : historyOpen_);
  rows->bind(1, after).bind(2, upTo).bind(3, prefix).bind(5, static_cast<std::int64_t>(maxEvents));
  if (end) rows->bind(4, *end);
  Revision last = after;
  while (true) {
    auto next = rows->step();
    if (!next) return std::move(next).error();
    if (!*next) break;
    Event event;
    bool deleted = rows->int64(4) != 0;
    event.type = deleted ? Event::Type::Delete : Event::Type::Put;
    event.kv = KeyValue{rows->blob(1), deleted ? std::string() : rows->blob(2), rows->int64(3),
                        rows->int64(0)};
    Revision prevRev = rows->int64(5);
    if (prevRev > 0 && !rows->isNull(6)) {
      event.prev = KeyValue{event.kv.key, rows->blob(6), event.kv.createRevision, prevRev};
    }
    last = event.kv.modRevision;
    chunk.events.push_back(std::move(event));
  }
  // A full chunk may stop short of upTo; otherwise everything up to it was seen.
  chunk.scannedTo = chunk.events.size() == maxEvents ? last : upTo;
  return chunk;
}

}  // namespace kcpp::storage::sqlite
