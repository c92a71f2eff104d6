#pragma once
// Thin RAII wrappers over the SQLite C API: a connection and a prepared statement.
// Each is used by one thread at a time (connections are opened NOMUTEX).

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::storage::sqlite {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  // Binds are 1-based, as in SQLite. Text is bound as a BLOB so that keys compare
  // bytewise (memcmp) and values round-trip any bytes.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view blob);

  // Advances: true when a row is ready, false when done.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Result<void> run();
  // Ready for the next use: clears the previous run and bindings.
  void reset();

  std::int64_t int64(int column) const;
  std::string blob(int column) const;
  bool isNull(int column) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

// Resets a statement when a use of it ends, however it ends (releases read locks).
class StatementUse {
 public:
  explicit StatementUse(Statement& statement) : statement_(statement) { statement_.reset(); }
  ~StatementUse() { statement_.reset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  Statement* operator->() { return &statement_; }

 private:
  Statement& statement_;
};

class Database {
 public:
  static Result<Database> open(const std::string& path);

  Result<void> exec(const std::string& sql);
  Result<Statement> prepare(std::string_view sql);
  // The first column of the first row of `sql`, an integer (e.g. a PRAGMA).
  Result<std::int64_t> queryInt(const std::string& sql);
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  explicit Database(sqlite3* db) : db_(db) {}
  std::unique_ptr<sqlite3, Close> db_;
};

// An InternalError naming what failed and SQLite's message.
Error sqliteError(sqlite3* db, std::string_view what);

}  // namespace kcpp::storage::sqlite
