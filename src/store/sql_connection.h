// The SQL layer both backends share: a connection, prepared statements with positional
// binding, and a write transaction. The store's queries (store/sql_store.cc) are written
// once against it, in the form both databases accept, with parameters numbered ?1, ?2 ...
// (or bare ?, numbered in order); each connection translates what it must (store/sql_dialect.h).
//
// Errors come back as Status, mapped from the database's own codes, never its message text:
// a unique violation is AlreadyExists, a foreign-key violation Conflict, any other
// constraint InvalidArgument, a lost connection or timeout Unavailable.
// Thread-safety: a connection and its statements belong to one thread at a time
// (store/connection_pool.h hands them out).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace psafe::store {

enum class SqlDialect { kSqlite, kPostgres };
// The type a NULL parameter stands for: PostgreSQL must know it where nothing else says.
enum class SqlType { kUnknown, kInt, kText, kBlob };

// Bytes bound as a BLOB (BYTEA), where a string_view alone would bind TEXT.
struct SqlBlob {
  std::string_view bytes;
};

// What a backend's statement does; Statement is the value the store code holds.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void BindInt(int i, int64_t v) = 0;
  virtual void BindText(int i, std::string_view text) = 0;
  virtual void BindBlob(int i, std::string_view bytes) = 0;
  virtual void BindNull(int i, SqlType type) = 0;
  virtual Result<bool> Step() = 0;
  virtual int64_t Int(int col) const = 0;
  virtual std::string Text(int col) const = 0;
  virtual std::string Blob(int col) const = 0;
  virtual bool IsNull(int col) const = 0;
};

class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}

  // Binds are 1-based, chainable.
  Statement& Bind(int i, int64_t v) { impl_->BindInt(i, v); return *this; }
  Statement& Bind(int i, std::string_view text) { impl_->BindText(i, text); return *this; }
  // Without these, a literal or std::string would convert to bool or be ambiguous.
  Statement& Bind(int i, const char* text) { return Bind(i, std::string_view(text)); }
  Statement& Bind(int i, const std::string& text) { return Bind(i, std::string_view(text)); }
  Statement& BindBlob(int i, std::string_view bytes) { impl_->BindBlob(i, bytes); return *this; }
  Statement& Bind(int i, SqlBlob blob) { return BindBlob(i, blob.bytes); }
  Statement& BindNull(int i, SqlType type = SqlType::kUnknown) { impl_->BindNull(i, type); return *this; }
  Statement& Bind(int i, const std::optional<int64_t>& v) { return v ? Bind(i, *v) : BindNull(i, SqlType::kInt); }
  Statement& Bind(int i, const std::optional<std::string>& v) { return v ? BindBlob(i, *v) : BindNull(i, SqlType::kBlob); }
  Statement& Bind(int i, bool v) { return Bind(i, static_cast<int64_t>(v ? 1 : 0)); }

  // Advances: true = a row is available, false = done; errors become Status.
  Result<bool> Step() { return impl_->Step(); }
  // Runs to completion (for writes).
  Status Run();

  int64_t Int(int col) const { return impl_->Int(col); }  // a boolean column reads 0 or 1
  std::string Text(int col) const { return impl_->Text(col); }
  std::string Blob(int col) const { return impl_->Blob(col); }
  bool IsNull(int col) const { return impl_->IsNull(col); }
  std::optional<int64_t> OptInt(int col) const;
  std::optional<std::string> OptBlob(int col) const;

 private:
  std::unique_ptr<StatementImpl> impl_;
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual SqlDialect dialect() const = 0;
  virtual Result<Statement> Prepare(std::string_view sql) = 0;
  // One or more statements without parameters or results (DDL, transaction control).
  virtual Status Exec(std::string_view sql) = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  virtual int64_t Changes() const = 0;
  virtual bool InTransaction() const = 0;
  // Starts a write transaction. Write transactions run one at a time across every
  // connection to the database (SQLite's BEGIN IMMEDIATE; on PostgreSQL one advisory
  // lock), so a check and the write it guards cannot interleave with another's.
  virtual Status BeginWrite() = 0;
  // False once the connection is lost: the pool drops it instead of handing it out again.
  virtual bool Healthy() const { return true; }
};

// BeginWrite on construction; ROLLBACK on destruction unless Commit() succeeded.
// Inside an already open transaction it does nothing: the outer one decides.
class Transaction {
 public:
  explicit Transaction(SqlConnection& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  const Status& begin_status() const { return begin_; }
  Status Commit();

 private:
  SqlConnection& db_;
  Status begin_;
  bool nested_ = false;
  bool done_ = false;
};

}  // namespace psafe::store
