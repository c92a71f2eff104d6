#include "storage/sqlite/sqlite_writer.h"

#include <algorithm>
#include <cmath>

namespace kcpp::storage::sqlite {

namespace {

Error closedError() { return makeError(Reason::ServiceUnavailable, "the store is closed"); }

Error conflict(const std::string& key, Revision actual, Revision expected) {
  return makeError(Reason::Conflict, "modRevision of " + key + " is " + std::to_string(actual) +
                                         ", not " + std::to_string(expected));
}

// Compaction removes, for rows with revision in (?1, ?2], the rows they replaced,
// and the tombstones themselves: what is left is each key's newest row at or
// below the compacted revision (if live) and everything above it.
constexpr const char* kDeleteSuperseded =
    "DELETE FROM kv WHERE rev IN "
    "(SELECT prev_rev FROM kv WHERE rev > ?1 AND rev <= ?2 AND prev_rev > 0)";
constexpr const char* kDeleteTombstones =
    "DELETE FROM kv WHERE rev > ?1 AND rev <= ?2 AND deleted = 1";
constexpr const char* kInsert =
    "INSERT INTO kv(rev, key, created, prev_rev, deleted, value) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";

}  // namespace

// The side effects of one transaction, undone if it fails.
struct Writer::Batch {
  std::vector<Undo> undo;
  std::vector<Event> events;
};

Result<std::unique_ptr<Writer>> Writer::start(Database db, StoredState state, WatchHub& hub,
                                              WriterShared& shared, const SqliteOptions& options) {
  auto writer = std::make_unique<Writer>(Key{}, std::move(db), std::move(state), hub, shared, options);
  if (auto prepared = writer->prepareAll(); !prepared) return std::move(prepared).error();
  writer->thread_ = std::thread([w = writer.get()] { w->run(); });
  return writer;
}

Writer::Writer(Key, Database db, StoredState state, WatchHub& hub, WriterShared& shared,
               const SqliteOptions& options)
    : db_(std::move(db)), state_(std::move(state)), hub_(hub), shared_(shared), options_(options) {
  shared_.committed = state_.current;
  shared_.compacted = state_.compacted;
  // A compaction interrupted by a shutdown resumes where it stopped.
  if (state_.compactedThrough < state_.compacted) compaction_ = Compaction{state_.compacted, {}};
}

Writer::~Writer() { close(); }

Result<void> Writer::prepareAll() {
  struct Entry {
    Statement* statement;
    const char* sql;
  };
  for (auto [statement, sql] : {
           Entry{&begin_, "BEGIN IMMEDIATE"},
           Entry{&commit_, "COMMIT"},
           Entry{&rollback_, "ROLLBACK"},
           Entry{&insert_, kInsert},
           Entry{&selectValue_, "SELECT value FROM kv WHERE rev = ?1"},
           Entry{&upsertMeta_, kUpsertMeta},
           Entry{&deleteSuperseded_, kDeleteSuperseded},
           Entry{&deleteTombstones_, kDeleteTombstones},
       }) {
    auto prepared = db_.prepare(sql);
    if (!prepared) return std::move(prepared).error();
    *statement = std::move(prepared).value();
  }
  return {};
}

void Writer::write(Kind kind, std::string key, std::string value, Revision expected,
                   Completion<KeyValue> done) {
  enqueue(WriteRequest{kind, std::move(key), std::move(value), expected, std::move(done)});
}

void Writer::compact(Revision revision, Completion<void> done) {
  enqueue(CompactRequest{revision, std::move(done)});
}

void Writer::enqueue(Request request) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(request));
      wake_.notify_one();
      return;
    }
  }
  std::visit([](auto& r) { r.done.complete(closedError()); }, request);
}

void Writer::close() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Writer::run() {
  while (true) {
    auto work = takeWork();
    if (work.empty() && !compaction_) return;  // stopping, and nothing left
    process(work);
    if (compaction_) {
      std::unique_lock lock(mutex_);
      bool stopping = stopping_;
      lock.unlock();
      // A shutdown abandons compaction between chunks; it resumes on reopen.
      if (stopping && work.empty()) {
        for (auto& waiter : compaction_->waiters) waiter.complete(closedError());
        compaction_.reset();
        return;
      }
      compactStep();
    }
  }
}

// Waits for work, then takes up to maxBatch requests, stopping after a compaction
// request so that it sees exactly the writes queued before it.
std::vector<Writer::Request> Writer::takeWork() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return stopping_ || !queue_.empty() || compaction_; });
  std::vector<Request> work;
  while (!queue_.empty() && work.size() < options_.maxBatch) {
    work.push_back(std::move(queue_.front()));
    queue_.pop_front();
    if (std::holds_alternative<CompactRequest>(work.back())) break;
  }
  return work;
}

void Writer::process(std::vector<Request>& work) {
  std::vector<WriteRequest> writes;
  for (auto& request : work) {
    if (auto* w = std::get_if<WriteRequest>(&request)) {
      writes.push_back(std::move(*w));
      continue;
    }
    if (!writes.empty()) commitBatch(writes);
    writes.clear();
    acceptCompaction(std::move(std::get<CompactRequest>(request)));
  }
  if (!writes.empty()) commitBatch(writes);
}

Result<void> Writer::execStatement(Statement& statement) {
  StatementUse use(statement);
  return use->run();
}

// One transaction for the whole batch: one fsync however many writes it holds.
void Writer::commitBatch(std::vector<WriteRequest>& requests) {
  const Revision start = state_.current;
  Batch batch;
  std::vector<Result<KeyValue>> replies;
  replies.reserve(requests.size());
  auto failed = execStatement(begin_);
  for (std::size_t i = 0; failed.ok() && i < requests.size(); ++i) {
    auto applied = apply(requests[i], batch);
    if (!applied) failed = std::move(applied).error();
    else replies.push_back(std::move(applied).value());
  }
  if (failed.ok()) failed = execStatement(commit_);

  if (!failed.ok()) {
    (void)execStatement(rollback_);
    for (auto it = batch.undo.rbegin(); it != batch.undo.rend(); ++it) {
      if (it->before) state_.index[it->key] = *it->before;
      else state_.index.erase(it->key);
    }
    state_.current = start;
    for (auto& request : requests) request.done.complete(failed.error());
    return;
  }
  shared_.committed = state_.current;
  shared_.transactions.fetch_add(1, std::memory_order_relaxed);
  shared_.writes.fetch_add(requests.size(), std::memory_order_relaxed);
  hub_.publish(std::move(batch.events));  // before replying: a caller that saw its
                                          // revision can watch from it at once
  for (std::size_t i = 0; i < requests.size(); ++i) requests[i].done.complete(std::move(replies[i]));
}

// Checks one write against the index and appends its row. The outer Result is
// a database failure (the whole batch fails); the inner one is this write's reply.
Result<Result<KeyValue>> Writer::apply(WriteRequest& request, Batch& batch) {
  const std::string& key = request.key;
  auto found = state_.index.find(key);
  bool exists = found != state_.index.end();
  if (request.kind == Kind::Create && exists) {
    return Result<KeyValue>(makeError(Reason::AlreadyExists, "key already exists: " + key));
  }
  if (request.kind != Kind::Create && !exists) {
    return Result<KeyValue>(makeError(Reason::NotFound, "key not found: " + key));
  }
  if (exists && request.expected != 0 && found->second.modRevision != request.expected) {
    return Result<KeyValue>(conflict(key, found->second.modRevision, request.expected));
  }

  const Revision rev = state_.current + 1;
  Event event;
  event.type = request.kind == Kind::Remove ? Event::Type::Delete : Event::Type::Put;
  std::optional<IndexEntry> before;
  if (exists) {
    before = found->second;
    auto prevValue = readValue(before->modRevision);
    if (!prevValue) return std::move(prevValue).error();
    event.prev = KeyValue{key, std::move(prevValue).value(), before->createRevision,
                          before->modRevision};
  }
  const Revision created = exists ? before->createRevision : rev;
  const bool deleted = request.kind == Kind::Remove;
  if (deleted) request.value.clear();
  if (auto inserted = insertRow(rev, key, created, exists ? before->modRevision : 0, deleted,
                                request.value);
      !inserted) {
    return std::move(inserted).error();
  }

  state_.current = rev;
  batch.undo.push_back(Undo{key, before});
  if (deleted) state_.index.erase(found);
  else state_.index[key] = IndexEntry{created, rev};

  event.kv = KeyValue{key, std::move(request.value), created, rev};
  KeyValue reply = event.kv;
  if (deleted) reply.value = event.prev->value;  // remove returns what it deleted
  batch.events.push_back(std::move(event));
  return Result<KeyValue>(std::move(reply));
}

Result<std::string> Writer::readValue(Revision revision) {
  StatementUse use(selectValue_);
  use->bind(1, revision);
  auto row = use->step();
  if (!row) return std::move(row).error();
  if (!*row) {
    return makeError(Reason::InternalError,
                     "sqlite: the row of revision " + std::to_string(revision) + " is missing");
  }
  return use->blob(0);
}

Result<void> Writer::insertRow(Revision rev, const std::string& key, Revision created,
                               Revision prev, bool deleted, const std::string& value) {
  StatementUse use(insert_);
  use->bind(1, rev).bind(2, key).bind(3, created).bind(4, prev);
  use->bind(5, std::int64_t{deleted ? 1 : 0}).bind(6, value);
  return use->run();
}

void Writer::acceptCompaction(CompactRequest request) {
  if (request.revision > state_.current) {
    request.done.complete(makeError(
        Reason::BadRequest, "cannot compact to future revision " + std::to_string(request.revision) +
                                " (current " + std::to_string(state_.current) + ")"));
    return;
  }
  Revision target = compaction_ ? compaction_->target : state_.compacted;
  if (request.revision <= target && !compaction_) {
    request.done.complete(Result<void>());  // already compacted: idempotent
    return;
  }
  if (!compaction_) compaction_ = Compaction{};
  compaction_->target = std::max(target, request.revision);
  compaction_->waiters.push_back(std::move(request.done));
}

// One chunk of the running compaction, in its own transaction.
void Writer::compactStep() {
  const Revision target = compaction_->target;
  const Revision from = state_.compactedThrough;
  const Revision to = std::min(target, from + options_.compactionChunk);
  auto done = compactChunk(from, to, target);
  if (!done) {
    (void)execStatement(rollback_);
    for (auto& waiter : compaction_->waiters) waiter.complete(done.error());
    compaction_.reset();
    return;
  }
  state_.compactedThrough = to;
  if (state_.compacted < target) {
    state_.compacted = target;
    shared_.compacted = target;
    hub_.setCompacted(target);
  }
  if (to < target) return;
  auto waiters = std::move(compaction_->waiters);
  compaction_.reset();
  reclaimSpace();
  for (auto& waiter : waiters) waiter.complete(Result<void>());
}

Result<void> Writer::compactChunk(Revision from, Revision to, Revision target) {
  if (auto r = execStatement(begin_); !r) return r;
  // compact_rev first: from this commit on, reads below the target are Expired,
  // before any row they would need is gone.
  if (state_.compacted < target) {
    StatementUse meta(upsertMeta_);
    meta->bind(1, std::string_view(kCompactRevision)).bind(2, target);
    if (auto r = meta->run(); !r) return r;
  }
  for (Statement* statement : {&deleteSuperseded_, &deleteTombstones_}) {
    StatementUse use(*statement);
    use->bind(1, from).bind(2, to);
    if (auto r = use->run(); !r) return r;
  }
  {
    StatementUse meta(upsertMeta_);
    meta->bind(1, std::string_view(kCompactedThrough)).bind(2, to);
    if (auto r = meta->run(); !r) return r;
  }
  return execStatement(commit_);
}

// After a compaction: hand excess free pages back to the file system, and empty
// the WAL (TRUNCATE) so neither file grows under steady churn. Free pages up to
// maxFreeFraction stay for new rows to reuse. Failures only cost disk space.
void Writer::reclaimSpace() {
  auto pages = db_.queryInt("PRAGMA page_count");
  auto free = db_.queryInt("PRAGMA freelist_count");
  if (pages && free) {
    auto keep = static_cast<std::int64_t>(std::floor(static_cast<double>(*pages) * options_.maxFreeFraction));
    if (*free > keep) (void)db_.exec("PRAGMA incremental_vacuum(" + std::to_string(*free - keep) + ")");
  }
  (void)db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace kcpp::storage::sqlite
