#include "storage/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include "storage/testing/store_conformance.h"

namespace kcpp::storage {
namespace {

conformance::StoreFactory sqliteFactory(std::string name, SqliteOptions options) {
  return {std::move(name), [options](const std::string& dir) -> Result<StorePtr> {
            auto store = openSqliteStore(dir + "/kcpp.db", options);
            if (!store) return std::move(store).error();
            return StorePtr(std::move(store).value());
          }};
}

// A tiny watch window and batch: watches replay from the log, writes span batches.
SqliteOptions smallOptions() {
  SqliteOptions options;
  options.watchWindow = 4;
  options.maxBatch = 3;
  options.compactionChunk = 2;
  options.readerThreads = 1;
  return options;
}

}  // namespace
}  // namespace kcpp::storage

KCPP_STORE_CONFORMANCE(Sqlite, kcpp::storage::sqliteFactory("Sqlite", {}))
KCPP_STORE_CONFORMANCE(SqliteSmallWindow,
                       kcpp::storage::sqliteFactory("SqliteSmallWindow", kcpp::storage::smallOptions()))
