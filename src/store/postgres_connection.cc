#include "store/postgres_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sql_dialect.h"

namespace psafe::store {

namespace {

constexpr unsigned kInt8Oid = 20;
constexpr unsigned kBoolOid = 16;
constexpr unsigned kByteaOid = 17;
constexpr unsigned kTextOid = 25;
// A write transaction and the advisory lock every one holds ("psaf"), in one round trip.
constexpr const char* kBeginWrite = "BEGIN; SELECT pg_advisory_xact_lock(1886609766)";

// Maps a failed result to Status by SQLSTATE (never by message text).
Status ErrorOf(PGconn* conn, const PGresult* res) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state != nullptr ? state : "";
  if (code == "23505") return Status::AlreadyExists("already exists");
  if (code == "23503") return Status::Conflict("referenced by other records, or refers to a missing one");
  if (code.rfind("23", 0) == 0) return Status::InvalidArgument("constraint violated (SQLSTATE " + code + ")");
  if (code == "57014") return Status::Unavailable("the database did not answer in time");
  if (code == "25006") return Status::Unavailable("the database is read-only (a standby)");
  if (code == "40001" || code == "40P01") return Status::Unavailable("the database aborted a conflicting transaction; retry");
  if (code.rfind("08", 0) == 0 || code.rfind("57P", 0) == 0 || PQstatus(conn) != CONNECTION_OK) {
    return Status::Unavailable("the database connection was lost");
  }
  return Status::IOError("database error (SQLSTATE " + (code.empty() ? std::string("none") : code) + ")");
}

bool IsWrite(std::string_view sql) {
  while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\n')) sql.remove_prefix(1);
  auto starts = [&](std::string_view w) {
    return sql.size() >= w.size() && strncasecmp(sql.data(), w.data(), w.size()) == 0;
  };
  return starts("INSERT") || starts("UPDATE") || starts("DELETE");
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

class PostgresConnection;

class PostgresStatement final : public StatementImpl {
 public:
  PostgresStatement(PostgresConnection* db, std::string sql) : db_(db), sql_(std::move(sql)), write_(IsWrite(sql_)) {}
  ~PostgresStatement() override {
    if (res_ != nullptr) PQclear(res_);
    for (std::string& v : values_) std::fill(v.begin(), v.end(), '\0');  // no ciphertext or hash lingers
  }

  void BindInt(int i, int64_t v) override { Set(i, std::to_string(v), kInt8Oid, 0); }
  // Text is sent untyped so that the server infers the column's type (CITEXT stays case-insensitive).
  void BindText(int i, std::string_view text) override { Set(i, std::string(text), 0, 0); }
  void BindBlob(int i, std::string_view bytes) override { Set(i, std::string(bytes), kByteaOid, 1); }
  void BindNull(int i, SqlType type) override {
    Set(i, std::string(), type == SqlType::kInt ? kInt8Oid : type == SqlType::kText ? kTextOid
                          : type == SqlType::kBlob ? kByteaOid : 0, 0);
    nulls_[static_cast<size_t>(i - 1)] = true;
  }

  Result<bool> Step() override;

  int64_t Int(int col) const override {
    const char* v = PQgetvalue(res_, row_, col);
    if (PQftype(res_, col) == kBoolOid) return v[0] == 't' ? 1 : 0;
    return std::strtoll(v, nullptr, 10);
  }
  std::string Text(int col) const override {
    return std::string(PQgetvalue(res_, row_, col), static_cast<size_t>(PQgetlength(res_, row_, col)));
  }
  std::string Blob(int col) const override {
    const char* v = PQgetvalue(res_, row_, col);
    const size_t n = static_cast<size_t>(PQgetlength(res_, row_, col));
    if (PQftype(res_, col) != kByteaOid || n < 2 || v[0] != '\\' || v[1] != 'x') return std::string(v, n);
    std::string out;
    out.reserve((n - 2) / 2);
    for (size_t i = 2; i + 1 < n; i += 2) out += static_cast<char>(Hex(v[i]) << 4 | Hex(v[i + 1]));
    return out;
  }
  bool IsNull(int col) const override { return PQgetisnull(res_, row_, col) != 0; }

 private:
  void Set(int i, std::string v, unsigned type, int format) {
    const size_t k = static_cast<size_t>(i - 1);
    if (values_.size() <= k) {
      values_.resize(k + 1);
      types_.resize(k + 1, 0);
      formats_.resize(k + 1, 0);
      nulls_.resize(k + 1, true);  // a parameter never bound is NULL, as in SQLite
    }
    values_[k] = std::move(v);
    types_[k] = type;
    formats_[k] = format;
    nulls_[k] = false;
  }
  Status Execute();

  PostgresConnection* db_;
  std::string sql_;
  bool write_;
  std::vector<std::string> values_;
  std::vector<unsigned> types_;
  std::vector<int> formats_;
  std::vector<bool> nulls_;
  PGresult* res_ = nullptr;
  int row_ = -1;
  int rows_ = 0;
  bool executed_ = false;
};

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  Result<Statement> Prepare(std::string_view sql) override {
    return Statement(std::make_unique<PostgresStatement>(this, PostgresPlaceholders(sql)));
  }
  Status Exec(std::string_view sql) override {
    PGresult* res = PQexec(conn_, std::string(sql).c_str());
    const ExecStatusType st = PQresultStatus(res);
    Status s = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? Status::OK() : ErrorOf(conn_, res);
    PQclear(res);
    return s;
  }
  int64_t Changes() const override { return changes_; }
  bool InTransaction() const override { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
  Status BeginWrite() override {
    Status s = Exec(kBeginWrite);
    if (!s.ok() && Healthy() && InTransaction()) (void)Exec("ROLLBACK");
    return s;
  }
  bool Healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

  PGconn* raw() { return conn_; }
  void set_changes(int64_t n) { changes_ = n; }

  // The server-side prepared statement for `sql` with these parameter types, prepared on
  // first use: the server parses and plans a query once per connection, not once per call.
  // The types are part of the key (a NULL may be typed or not), so one text can have several.
  Result<const std::string*> Prepared(const std::string& sql, const std::vector<unsigned>& types) {
    std::string key = sql;
    key.push_back('\0');
    key.append(reinterpret_cast<const char*>(types.data()), types.size() * sizeof(unsigned));
    if (auto it = prepared_.find(key); it != prepared_.end()) return &it->second;
    if (prepared_.size() >= kMaxPrepared) {  // texts built from filters: bounded, but not by us
      PSAFE_RETURN_IF_ERROR(Exec("DEALLOCATE ALL"));
      prepared_.clear();
    }
    std::string name = "psafe_" + std::to_string(next_name_++);
    PGresult* res = PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data());
    Status s = PQresultStatus(res) == PGRES_COMMAND_OK ? Status::OK() : ErrorOf(conn_, res);
    PQclear(res);
    if (!s.ok()) return s;
    return &prepared_.emplace(std::move(key), std::move(name)).first->second;
  }

 private:
  static constexpr size_t kMaxPrepared = 1024;
  PGconn* conn_;
  int64_t changes_ = 0;
  std::unordered_map<std::string, std::string> prepared_;  // sql + types -> statement name
  uint64_t next_name_ = 0;
};

Status PostgresStatement::Execute() {
  PGconn* conn = db_->raw();
  const int n = static_cast<int>(values_.size());
  std::vector<const char*> values(values_.size());
  std::vector<int> lengths(values_.size());
  for (size_t k = 0; k < values_.size(); ++k) {
    values[k] = nulls_[k] ? nullptr : values_[k].data();
    lengths[k] = static_cast<int>(values_[k].size());
  }
  // A failed statement must not abort the caller's transaction (see the header).
  const bool savepoint = write_ && db_->InTransaction();
  if (savepoint) PSAFE_RETURN_IF_ERROR(db_->Exec("SAVEPOINT psafe_statement"));
  auto failed = [&](Status error) {
    if (savepoint && db_->Healthy()) {
      (void)db_->Exec("ROLLBACK TO SAVEPOINT psafe_statement; RELEASE SAVEPOINT psafe_statement");
    }
    return error;
  };
  auto prepared = db_->Prepared(sql_, types_);
  if (!prepared.ok()) return failed(prepared.status());
  res_ = PQexecPrepared(conn, (*prepared)->c_str(), n, values.data(), lengths.data(), formats_.data(), 0);
  const ExecStatusType st = PQresultStatus(res_);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return failed(ErrorOf(conn, res_));
  if (savepoint) PSAFE_RETURN_IF_ERROR(db_->Exec("RELEASE SAVEPOINT psafe_statement"));
  const char* tuples = PQcmdTuples(res_);
  db_->set_changes(tuples != nullptr && *tuples != '\0' ? std::strtoll(tuples, nullptr, 10) : 0);
  rows_ = st == PGRES_TUPLES_OK ? PQntuples(res_) : 0;
  return Status::OK();
}

Result<bool> PostgresStatement::Step() {
  if (!executed_) {
    executed_ = true;
    PSAFE_RETURN_IF_ERROR(Execute());
  }
  if (row_ + 1 >= rows_) {
    row_ = rows_;
    return false;
  }
  ++row_;
  return true;
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const PostgresOptions& o) {
  const std::string timeout = std::to_string(o.connect_timeout_seconds);
  const std::string options = "-c statement_timeout=" + std::to_string(o.statement_timeout_ms) +
                              " -c lock_timeout=" + std::to_string(o.statement_timeout_ms);
  std::vector<const char*> keys = {"dbname", "connect_timeout", "application_name", "options", "client_encoding"};
  std::vector<const char*> values = {o.url.c_str(), timeout.c_str(), "psafed", options.c_str(), "UTF8"};
  if (!o.password.empty()) {
    keys.push_back("password");
    values.push_back(o.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("cannot reach the database: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names the host and the reason, never the password.
    std::string why = PQerrorMessage(conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    PQfinish(conn);
    return Status::Unavailable("cannot reach the database: " + why);
  }
  auto db = std::make_unique<PostgresConnection>(conn);
  PSAFE_RETURN_IF_ERROR(db->Exec("SET client_min_messages = warning"));
  return std::unique_ptr<SqlConnection>(std::move(db));
}

std::string RedactedUrl(std::string_view url) {
  std::string out(url);
  // postgresql://user:PASSWORD@host/...
  const size_t scheme = out.find("://");
  const size_t at = out.find('@');
  if (scheme != std::string::npos && at != std::string::npos) {
    const size_t colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) out = out.substr(0, colon + 1) + "***" + out.substr(at);
  }
  // ...?password=PASSWORD&... (libpq takes it as a parameter too)
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
    const size_t value = p + 9, end = std::min(out.find('&', value), out.size());
    if (out.compare(value, end - value, "***") != 0) out = out.substr(0, value) + "***" + out.substr(end);
  }
  return out;
}

}  // namespace psafe::store
