// The SQLite connection (store/sql_connection.h): WAL, synchronous=FULL, foreign keys on,
// a busy timeout, and prepared statements cached per SQL text. The only file besides its
// .cc that knows sqlite3.h exists.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "common/result.h"
#include "store/sql_connection.h"

namespace psafe::store {

// Rows stepped through in full table scans by every statement finalised so far in this
// process (SQLITE_STMTSTATUS_FULLSCAN_STEP). Tests and benchmarks read it to prove that a
// lookup used an index.
int64_t FullScanSteps();

// Opens (creating if absent) the database file at `path`.
Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::filesystem::path& path);

}  // namespace psafe::store
