#include "store/sqlite_connection.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace psafe::store {

namespace {

std::atomic<int64_t> g_full_scan_steps{0};

class SqliteConnection;

class SqliteStatement final : public StatementImpl {
 public:
  SqliteStatement(SqliteConnection* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override;

  void BindInt(int i, int64_t v) override { sqlite3_bind_int64(stmt_, i, v); }
  void BindText(int i, std::string_view text) override {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int i, std::string_view bytes) override {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  void BindNull(int i, SqlType) override { sqlite3_bind_null(stmt_, i); }
  Result<bool> Step() override;
  int64_t Int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  std::string Blob(int col) const override {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }

 private:
  SqliteConnection* db_;
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmts] : idle_) {
      for (sqlite3_stmt* s : stmts) sqlite3_finalize(s);
    }
    sqlite3_close_v2(db_);
  }

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  Result<Statement> Prepare(std::string_view sql) override {
    // Parsing and planning was a third of psafed's CPU under load (docs/BENCHMARKS.md):
    // statements are kept, reset, and handed out again for the same text.
    if (auto it = idle_.find(std::string(sql)); it != idle_.end() && !it->second.empty()) {
      sqlite3_stmt* cached = it->second.back();
      it->second.pop_back();
      --idle_count_;
      return Statement(std::make_unique<SqliteStatement>(this, cached));
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return ErrorStatus(rc);
    return Statement(std::make_unique<SqliteStatement>(this, stmt));
  }

  Status Exec(std::string_view sql) override {
    std::string s(sql);
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::OK() : ErrorStatus(rc);
  }

  int64_t Changes() const override { return sqlite3_changes(db_); }
  bool InTransaction() const override { return sqlite3_get_autocommit(db_) == 0; }
  Status BeginWrite() override { return Exec("BEGIN IMMEDIATE"); }

  Status ErrorStatus(int rc) const {
    std::string msg = sqlite3_errmsg(db_);
    switch (rc) {
      case SQLITE_CONSTRAINT_UNIQUE:
      case SQLITE_CONSTRAINT_PRIMARYKEY:
        return Status::AlreadyExists("already exists");
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

  // Takes a statement back: reset and kept for the next Prepare of the same text, or
  // finalised once the cache is full.
  void Release(sqlite3_stmt* stmt) {
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

 private:
  static constexpr size_t kMaxIdlePerStatement = 4;  // nested uses of one text
  static constexpr size_t kMaxIdleStatements = 512;
  sqlite3* db_;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;
  size_t idle_count_ = 0;
};

SqliteStatement::~SqliteStatement() {
  g_full_scan_steps.fetch_add(sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1),
                              std::memory_order_relaxed);
  db_->Release(stmt_);
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->ErrorStatus(rc);
}

}  // namespace

int64_t FullScanSteps() { return g_full_scan_steps.load(std::memory_order_relaxed); }

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::filesystem::path& path,
                                                            SqliteRole role) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto db = std::make_unique<SqliteConnection>(raw);
  if (rc != SQLITE_OK) return Status::IOError("cannot open database " + path.string());
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  PSAFE_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"));
  switch (role) {
    case SqliteRole::kDurable:  // WAL + FULL: a commit is on disk before it is acknowledged
      PSAFE_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"));
      break;
    case SqliteRole::kWriter:  // the WAL is synced, and checkpointed, by SqliteWalSync
      PSAFE_RETURN_IF_ERROR(
          db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;"));
      break;
    case SqliteRole::kReader:  // a write here is a bug in the store, refused by SQLite
      PSAFE_RETURN_IF_ERROR(db->Exec("PRAGMA query_only=ON;"));
      break;
  }
  return std::unique_ptr<SqlConnection>(std::move(db));
}

namespace {

// fdatasync of the WAL file covers every frame written to it so far, which is every
// transaction committed so far (WAL mode appends; the database file changes only in a
// checkpoint, which syncs itself). The WAL file exists while any connection is open, and the
// writer's is, so the descriptor opened once stays the file's.
class WalSync {
 public:
  WalSync(std::filesystem::path db_path, std::unique_ptr<SqlConnection> checkpointer)
      : wal_path_(db_path.string() + "-wal"), dir_(db_path.parent_path()), checkpointer_(std::move(checkpointer)) {}
  ~WalSync() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Sync() {
    if (fd_ < 0) PSAFE_RETURN_IF_ERROR(OpenWal());
    if (::fdatasync(fd_) != 0) return Status::IOError("fdatasync " + wal_path_ + ": " + std::strerror(errno));
    // SQLite's writer does not checkpoint (wal_autocheckpoint=0: it would sync inside a
    // commit); this thread does, PASSIVE, so it never waits for a reader or the writer.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_checkpoint_ >= kCheckpointEvery) {
      last_checkpoint_ = now;
      PSAFE_RETURN_IF_ERROR(checkpointer_->Exec("PRAGMA wal_checkpoint(PASSIVE)"));
    }
    return Status::OK();
  }

 private:
  static constexpr std::chrono::milliseconds kCheckpointEvery{200};

  Status OpenWal() {
    fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Status::IOError("open " + wal_path_ + ": " + std::strerror(errno));
    // The WAL's directory entry must survive a power loss too.
    const int dir = ::open(dir_.empty() ? "." : dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return Status::IOError("open " + dir_.string() + ": " + std::strerror(errno));
    const int rc = ::fsync(dir);
    ::close(dir);
    if (rc != 0) return Status::IOError("fsync " + dir_.string() + ": " + std::strerror(errno));
    return Status::OK();
  }

  const std::string wal_path_;
  const std::filesystem::path dir_;
  std::unique_ptr<SqlConnection> checkpointer_;
  int fd_ = -1;
  std::chrono::steady_clock::time_point last_checkpoint_{};
};

}  // namespace

Result<std::function<Status()>> SqliteWalSync(const std::filesystem::path& path) {
  PSAFE_ASSIGN_OR_RETURN(auto checkpointer, OpenSqliteConnection(path, SqliteRole::kWriter));
  auto sync = std::make_shared<WalSync>(path, std::move(checkpointer));
  return std::function<Status()>([sync] { return sync->Sync(); });
}

}  // namespace psafe::store
