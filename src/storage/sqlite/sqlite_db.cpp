#include "storage/sqlite/sqlite_db.h"

namespace kcpp::storage::sqlite {

Error sqliteError(sqlite3* db, std::string_view what) {
  std::string message = "sqlite: " + std::string(what);
  if (db) message += ": " + std::string(sqlite3_errmsg(db));
  return makeError(Reason::InternalError, std::move(message));
}

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  KCPP_CHECK(rc == SQLITE_OK, "sqlite3_bind_int64 failed");
  return *this;
}

Statement& Statement::bind(int index, std::string_view blob) {
  // SQLITE_TRANSIENT: SQLite copies, so the caller's buffer may go away.
  int rc = sqlite3_bind_blob64(stmt_.get(), index, blob.data(), blob.size(), SQLITE_TRANSIENT);
  KCPP_CHECK(rc == SQLITE_OK, "sqlite3_bind_blob64 failed");
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqliteError(db_, sqlite3_sql(stmt_.get()));
}

Result<void> Statement::run() {
  auto stepped = step();
  if (!stepped) return std::move(stepped).error();
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

std::string Statement::blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_.get(), column);
  int size = sqlite3_column_bytes(stmt_.get(), column);
  if (!data || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

Result<Database> Database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) return sqliteError(raw, "open " + path);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Result<void> Database::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message);
  std::unique_ptr<char, decltype(&sqlite3_free)> owned(message, &sqlite3_free);
  if (rc != SQLITE_OK) {
    return makeError(Reason::InternalError,
                     "sqlite: " + sql + ": " + (message ? message : sqlite3_errstr(rc)));
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) return sqliteError(db_.get(), "prepare " + std::string(sql));
  return Statement(db_.get(), raw);
}

Result<std::int64_t> Database::queryInt(const std::string& sql) {
  auto statement = prepare(sql);
  if (!statement) return std::move(statement).error();
  auto row = statement->step();
  if (!row) return std::move(row).error();
  if (!*row) return makeError(Reason::InternalError, "sqlite: no row from " + sql);
  return statement->int64(0);
}

}  // namespace kcpp::storage::sqlite
