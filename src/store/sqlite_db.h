// A thin RAII wrapper over the SQLite C API: a connection, prepared statements with
// positional binding (cached per SQL text and reused), and an IMMEDIATE transaction
// guard. The only file that includes sqlite3.h besides its .cc. Errors come back as Status; constraint violations map to
// Conflict so callers can report duplicates.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace psafe::store {

class SqliteDb;

// Rows stepped through in full table scans by every statement finalised so far in this
// process (SQLITE_STMTSTATUS_FULLSCAN_STEP). Tests and benchmarks read it to prove that a
// lookup used an index.
int64_t FullScanSteps();

class Statement {
 public:
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds are 1-based, chainable.
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, std::string_view text);
  // Without these, a literal or std::string would convert to bool or be ambiguous.
  Statement& Bind(int i, const char* text) { return Bind(i, std::string_view(text)); }
  Statement& Bind(int i, const std::string& text) { return Bind(i, std::string_view(text)); }
  Statement& BindBlob(int i, std::string_view bytes);
  Statement& BindNull(int i);
  Statement& Bind(int i, const std::optional<int64_t>& v);
  Statement& Bind(int i, const std::optional<std::string>& v);
  Statement& Bind(int i, bool v) { return Bind(i, static_cast<int64_t>(v ? 1 : 0)); }

  // Advances: true = a row is available, false = done; errors become Status.
  Result<bool> Step();
  // Runs to completion (for writes).
  Status Run();

  int64_t Int(int col) const;
  std::string Text(int col) const;
  std::string Blob(int col) const;
  bool IsNull(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  std::optional<std::string> OptBlob(int col) const;

 private:
  friend class SqliteDb;
  Statement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteDb* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Opens (creating if absent) with WAL, synchronous=FULL, foreign keys on, busy timeout.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::filesystem::path& path);

  Result<Statement> Prepare(std::string_view sql);
  Status Exec(std::string_view sql);  // one or more statements, no results
  int64_t LastInsertId() const;
  bool InTransaction() const;
  int Changes() const;
  Status ErrorStatus(int rc) const;  // maps an sqlite result code to Status

 private:
  friend class Statement;
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  // Takes a statement back from a Statement: reset and kept for the next Prepare of the
  // same text, or finalised once the cache is full.
  void Release(sqlite3_stmt* stmt);

  static constexpr size_t kMaxIdlePerStatement = 4;   // nested uses of one text
  static constexpr size_t kMaxIdleStatements = 512;
  sqlite3* db_;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;
  size_t idle_count_ = 0;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() succeeded.
// Inside an already open transaction it does nothing: the outer one decides.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  const Status& begin_status() const { return begin_; }
  Status Commit();

 private:
  SqliteDb& db_;
  Status begin_;
  bool nested_ = false;
  bool done_ = false;
};

}  // namespace psafe::store
