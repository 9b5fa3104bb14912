// The SQLite connection (store/sql_connection.h): WAL, foreign keys on, a busy timeout, and
// prepared statements cached per SQL text. The only file besides its .cc that knows
// sqlite3.h exists.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "common/result.h"
#include "store/sql_connection.h"

namespace psafe::store {

// Rows stepped through in full table scans by every statement finalised so far in this
// process (SQLITE_STMTSTATUS_FULLSCAN_STEP). Tests and benchmarks read it to prove that a
// lookup used an index.
int64_t FullScanSteps();

enum class SqliteRole {
  kDurable,  // synchronous=FULL: every commit is on disk when it returns (tools, copies)
  kWriter,   // the store's writer: synchronous=NORMAL, made durable by SqliteWalSync
  kReader,   // the store's readers: query_only
};

// Opens (creating if absent) the database file at `path`.
Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::filesystem::path& path,
                                                            SqliteRole role = SqliteRole::kDurable);

// The store's sync (store/durability.h) for the database at `path`, whose writer runs as
// SqliteRole::kWriter: an fdatasync of the WAL, and a PASSIVE checkpoint now and then.
Result<std::function<Status()>> SqliteWalSync(const std::filesystem::path& path);

}  // namespace psafe::store
