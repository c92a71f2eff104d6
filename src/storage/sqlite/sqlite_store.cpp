#include "storage/sqlite/sqlite_store.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/sqlite/completion.h"
#include "storage/sqlite/reader_pool.h"
#include "storage/sqlite/sqlite_reader.h"
#include "storage/sqlite/sqlite_schema.h"
#include "storage/sqlite/sqlite_writer.h"
#include "storage/watchhub/watch_hub.h"

namespace kcpp::storage {

namespace {

namespace asio = boost::asio;
using sqlite::Completion;

Error closedError() { return makeError(Reason::ServiceUnavailable, "the store is closed"); }

// Suspends the caller until `start(Completion<T>)` (which hands the completion to
// a backend thread) is completed; the caller resumes on its own executor.
template <class T, class Start>
asio::awaitable<Result<T>> onBackend(Start start) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result<T>)>(
      [](auto handler, Start start) { start(Completion<T>(std::move(handler))); },
      asio::use_awaitable, std::move(start));
}

}  // namespace

SqliteStore::SqliteStore(Key, std::string path) : path_(std::move(path)) {}

SqliteStore::~SqliteStore() { close(); }

Result<std::unique_ptr<SqliteStore>> openSqliteStore(std::string path, SqliteOptions options) {
  auto store = std::make_unique<SqliteStore>(SqliteStore::Key{}, std::move(path));
  if (auto started = store->start(options); !started) return std::move(started).error();
  return store;
}

// Opens the writer's connection first: it creates the file, the schema and WAL
// mode that the readers' connections rely on.
Result<void> SqliteStore::start(const SqliteOptions& options) {
  auto db = sqlite::openConnection(path_, options, sqlite::Role::Writer);
  if (!db) return std::move(db).error();
  auto state = sqlite::loadState(*db);
  if (!state) return std::move(state).error();
  auto history = sqlite::Reader::open(path_, options);
  if (!history) return std::move(history).error();
  std::vector<sqlite::Reader> readers;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options.readerThreads); ++i) {
    auto reader = sqlite::Reader::open(path_, options);
    if (!reader) return std::move(reader).error();
    readers.push_back(std::move(reader).value());
  }

  shared_ = std::make_unique<sqlite::WriterShared>();
  history_ = std::make_unique<sqlite::Reader>(std::move(history).value());
  WatchHubOptions hubOptions;
  hubOptions.windowEvents = std::max<std::size_t>(1, options.watchWindow);
  hubOptions.windowBytes = options.watchWindowBytes;
  hubOptions.history = [reader = history_.get()](const std::string& prefix, Revision after,
                                                 Revision upTo, std::size_t maxEvents) {
    return reader->history(prefix, after, upTo, maxEvents);  // only the hub's thread calls it
  };
  hub_ = std::make_unique<WatchHub>(state->current, state->compacted, std::move(hubOptions));
  auto writer = sqlite::Writer::start(std::move(db).value(), std::move(state).value(), *hub_,
                                      *shared_, options);
  if (!writer) return std::move(writer).error();
  writer_ = std::move(writer).value();
  readers_ = std::make_unique<sqlite::ReaderPool>(std::move(readers));
  return {};
}

void SqliteStore::close() {
  closed_ = true;
  if (writer_) writer_->close();  // commits what is queued
  if (hub_) hub_->close(closedError());
  if (readers_) readers_->close();
}

SqliteStats SqliteStore::stats() const {
  if (!shared_) return {};
  return SqliteStats{shared_->transactions.load(), shared_->writes.load()};
}

asio::awaitable<Result<KeyValue>> SqliteStore::get(std::string key) {
  return onBackend<KeyValue>([this, key = std::move(key)](Completion<KeyValue> done) mutable {
    readers_->submit(sqlite::ReadJob(
        [key = std::move(key), done = std::move(done)](sqlite::Reader* reader) mutable {
          done.complete(reader ? reader->get(key) : Result<KeyValue>(closedError()));
        }));
  });
}

asio::awaitable<Result<RangeResult>> SqliteStore::range(RangeRequest request) {
  return onBackend<RangeResult>(
      [this, request = std::move(request)](Completion<RangeResult> done) mutable {
        readers_->submit(sqlite::ReadJob([this, request = std::move(request),
                                          done = std::move(done)](sqlite::Reader* reader) mutable {
          if (!reader) return done.complete(closedError());
          // Read before the reader's transaction starts, so its snapshot holds it.
          Revision committed = shared_->committed.load();
          done.complete(reader->range(request, committed));
        }));
      });
}

asio::awaitable<Result<KeyValue>> SqliteStore::write(sqlite::WriteKind kind, std::string key,
                                                     std::string value, Revision expected) {
  return onBackend<KeyValue>([this, kind, key = std::move(key), value = std::move(value),
                              expected](Completion<KeyValue> done) mutable {
    writer_->write(kind, std::move(key), std::move(value), expected, std::move(done));
  });
}

asio::awaitable<Result<KeyValue>> SqliteStore::create(std::string key, std::string value) {
  return write(sqlite::WriteKind::Create, std::move(key), std::move(value), 0);
}

asio::awaitable<Result<KeyValue>> SqliteStore::update(std::string key, std::string value,
                                                      Revision expectedModRevision) {
  return write(sqlite::WriteKind::Update, std::move(key), std::move(value), expectedModRevision);
}

asio::awaitable<Result<KeyValue>> SqliteStore::remove(std::string key,
                                                      Revision expectedModRevision) {
  return write(sqlite::WriteKind::Remove, std::move(key), std::string(), expectedModRevision);
}

asio::awaitable<Result<Revision>> SqliteStore::currentRevision() {
  if (closed_) co_return closedError();
  co_return shared_->committed.load();
}

asio::awaitable<Result<Revision>> SqliteStore::compactedRevision() {
  if (closed_) co_return closedError();
  co_return shared_->compacted.load();
}

asio::awaitable<Result<void>> SqliteStore::compact(Revision revision) {
  return onBackend<void>([this, revision](Completion<void> done) {
    writer_->compact(revision, std::move(done));
  });
}

WatchPtr SqliteStore::watch(std::string prefix, Revision afterRevision, WatchSink sink) {
  return hub_->watch(std::move(prefix), afterRevision, std::move(sink));
}

}  // namespace kcpp::storage
