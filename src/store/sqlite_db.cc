#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <atomic>

namespace psafe::store {

namespace {
std::atomic<int64_t> g_full_scan_steps{0};
}  // namespace

int64_t FullScanSteps() { return g_full_scan_steps.load(std::memory_order_relaxed); }

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  g_full_scan_steps.fetch_add(sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1),
                              std::memory_order_relaxed);
  db_->Release(stmt_);
}

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindBlob(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Statement& Statement::Bind(int i, const std::optional<int64_t>& v) {
  return v ? Bind(i, *v) : BindNull(i);
}
Statement& Statement::Bind(int i, const std::optional<std::string>& v) {
  return v ? BindBlob(i, *v) : BindNull(i);
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->ErrorStatus(rc);
}

Status Statement::Run() {
  for (;;) {
    auto r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::OK();
  }
}

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
std::string Statement::Blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
std::optional<int64_t> Statement::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}
std::optional<std::string> Statement::OptBlob(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Blob(col);
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmts] : idle_) {
    for (sqlite3_stmt* s : stmts) sqlite3_finalize(s);
  }
  sqlite3_close_v2(db_);
}

void SqliteDb::Release(sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);  // no bound value (a ciphertext, a hash) outlives its use
  auto& stmts = idle_[sqlite3_sql(stmt)];
  if (stmts.size() >= kMaxIdlePerStatement || idle_count_ >= kMaxIdleStatements) {
    sqlite3_finalize(stmt);
    return;
  }
  stmts.push_back(stmt);
  ++idle_count_;
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  if (rc != SQLITE_OK) return Status::IOError("cannot open database " + path.string());
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  // WAL + FULL: a commit is on disk before it is acknowledged.
  PSAFE_RETURN_IF_ERROR(db->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      "PRAGMA secure_delete=ON;"));
  return db;
}

Result<Statement> SqliteDb::Prepare(std::string_view sql) {
  // Parsing and planning was a third of psafed's CPU under load (docs/BENCHMARKS.md):
  // statements are kept, reset, and handed out again for the same text.
  if (auto it = idle_.find(std::string(sql)); it != idle_.end() && !it->second.empty()) {
    sqlite3_stmt* cached = it->second.back();
    it->second.pop_back();
    --idle_count_;
    return Statement(this, cached);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(rc);
  return Statement(this, stmt);
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string s(sql);
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::OK() : ErrorStatus(rc);
}

int64_t SqliteDb::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
bool SqliteDb::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

int SqliteDb::Changes() const { return sqlite3_changes(db_); }

Status SqliteDb::ErrorStatus(int rc) const {
  std::string msg = sqlite3_errmsg(db_);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Status::Conflict("already exists");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Status::Conflict("referenced by other records, or refers to a missing one");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption("database: " + msg);
    default:
      if ((rc & 0xff) == SQLITE_CONSTRAINT) return Status::InvalidArgument("constraint: " + msg);
      return Status::IOError("database: " + msg);
  }
}

Transaction::Transaction(SqliteDb& db) : db_(db), nested_(db.InTransaction()) {
  if (!nested_) begin_ = db.Exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!nested_ && begin_.ok() && !done_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (nested_) return Status::OK();
  if (!begin_.ok()) return begin_;
  Status s = db_.Exec("COMMIT");
  if (s.ok()) done_ = true;
  return s;
}

}  // namespace psafe::store
