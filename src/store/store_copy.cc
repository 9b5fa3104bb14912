#include "store/store_copy.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/migrations.h"
#include "store/sqlite_connection.h"

namespace psafe::store {

namespace {

// Facts about running nodes, not the installation: which node holds the background work
// (the target's nodes take the leases afresh) and the authentication generation (the
// target's starts at its own; no node has cached anything from it yet).
constexpr std::string_view kNotCopied[] = {"leases", "auth_generation"};
bool Copied(std::string_view table) {
  return std::find(std::begin(kNotCopied), std::end(kNotCopied), table) == std::end(kNotCopied);
}

// What a STRICT SQLite column holds, which decides how a value is read and bound.
enum class ColumnKind { kInt, kText, kBlob };

struct Column {
  std::string name;
  ColumnKind kind;
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::set<std::string> parents;  // tables its foreign keys reference (itself excluded)
  std::string self_from, self_to;  // a foreign key to its own rows (a folder's parent), if any
  bool has_integer_id = false;     // an `id` the target numbers from a sequence
};

std::string Quoted(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Result<ColumnKind> KindOf(const std::string& table, const std::string& column, const std::string& type) {
  if (type == "INTEGER" || type == "INT") return ColumnKind::kInt;
  if (type == "TEXT") return ColumnKind::kText;
  if (type == "BLOB") return ColumnKind::kBlob;
  return Status::Internal("store copy: column " + table + "." + column + " has type '" + type +
                          "', which it cannot copy");
}

// The source's tables, each after the tables it references, so every foreign key holds
// row by row on the target.
Result<std::vector<Table>> SourceTables(SqlConnection& db) {
  std::map<std::string, Table> tables;
  {
    PSAFE_ASSIGN_OR_RETURN(auto st, db.Prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"));
    for (;;) {
      PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      const std::string name = st.Text(0);
      tables[name].name = name;
    }
  }
  for (auto& [name, table] : tables) {
    PSAFE_ASSIGN_OR_RETURN(auto cols, db.Prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid"));
    cols.Bind(1, name);
    for (;;) {
      PSAFE_ASSIGN_OR_RETURN(bool row, cols.Step());
      if (!row) break;
      PSAFE_ASSIGN_OR_RETURN(ColumnKind kind, KindOf(name, cols.Text(0), cols.Text(1)));
      table.columns.push_back({cols.Text(0), kind});
      if (cols.Text(0) == "id" && kind == ColumnKind::kInt && cols.Int(2) == 1) table.has_integer_id = true;
    }
    PSAFE_ASSIGN_OR_RETURN(auto fks, db.Prepare("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1)"));
    fks.Bind(1, name);
    for (;;) {
      PSAFE_ASSIGN_OR_RETURN(bool row, fks.Step());
      if (!row) break;
      if (fks.Text(0) == name) {
        table.self_from = fks.Text(1);
        table.self_to = fks.Text(2);
      } else {
        table.parents.insert(fks.Text(0));
      }
    }
  }
  std::vector<Table> ordered;
  std::set<std::string> placed;
  while (ordered.size() < tables.size()) {
    bool progress = false;
    for (auto& [name, table] : tables) {
      if (placed.count(name)) continue;
      bool ready = true;
      for (const auto& p : table.parents) ready = ready && placed.count(p) > 0;
      if (!ready) continue;
      ordered.push_back(table);
      placed.insert(name);
      progress = true;
    }
    if (!progress) return Status::Internal("store copy: the tables' foreign keys form a cycle");
  }
  return ordered;
}

// Rows in an order that inserts a row after the row it references in its own table.
std::string SelectRows(const Table& t) {
  std::string cols;
  for (const auto& c : t.columns) cols += (cols.empty() ? "" : ", ") + std::string("t.") + Quoted(c.name);
  if (t.self_from.empty()) return "SELECT " + cols + " FROM " + Quoted(t.name) + " t";
  const std::string from = Quoted(t.self_from), to = Quoted(t.self_to), name = Quoted(t.name);
  return "WITH RECURSIVE tree(k, depth) AS (SELECT " + to + ", 0 FROM " + name + " WHERE " + from +
         " IS NULL UNION ALL SELECT c." + to + ", tree.depth + 1 FROM " + name + " c JOIN tree ON c." + from +
         " = tree.k) SELECT " + cols + " FROM " + name + " t JOIN tree ON t." + to + " = tree.k ORDER BY tree.depth";
}

Result<int64_t> CountRows(SqlConnection& db, const std::string& table) {
  PSAFE_ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT count(*) FROM " + Quoted(table)));
  PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

// One value read from the source, kept until its batch is written.
struct Cell {
  bool null = false;
  int64_t number = 0;
  std::string bytes;
};
using Row = std::vector<Cell>;

// INSERT ... VALUES (...), (...): one round trip per batch, not per row.
Status InsertBatch(SqlConnection& to, const Table& t, const std::vector<Row>& batch) {
  std::string names, values;
  for (size_t i = 0; i < t.columns.size(); ++i) names += (i ? ", " : "") + Quoted(t.columns[i].name);
  int param = 0;
  for (size_t r = 0; r < batch.size(); ++r) {
    values += r ? ", (" : "(";
    for (size_t i = 0; i < t.columns.size(); ++i) values += (i ? ", ?" : "?") + std::to_string(++param);
    values += ")";
  }
  PSAFE_ASSIGN_OR_RETURN(auto insert, to.Prepare("INSERT INTO " + Quoted(t.name) + " (" + names + ") VALUES " + values));
  param = 0;
  for (const Row& row : batch) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const Cell& cell = row[i];
      const ColumnKind kind = t.columns[i].kind;
      ++param;
      if (cell.null) {
        // A text NULL goes untyped, as a text value does: the INSERT's column types it, and
        // one batch size makes one prepared statement whatever its NULLs.
        insert.BindNull(param, kind == ColumnKind::kInt ? SqlType::kInt
                               : kind == ColumnKind::kText ? SqlType::kUnknown : SqlType::kBlob);
      } else if (kind == ColumnKind::kInt) {
        insert.Bind(param, cell.number);
      } else if (kind == ColumnKind::kText) {
        insert.Bind(param, cell.bytes);
      } else {
        insert.BindBlob(param, cell.bytes);
      }
    }
  }
  return insert.Run();
}

Result<int64_t> HighestIdUsed(SqlConnection& sqlite, const std::string& table) {
  PSAFE_ASSIGN_OR_RETURN(auto st, sqlite.Prepare("SELECT seq FROM sqlite_sequence WHERE name = ?1"));
  st.Bind(1, table);
  PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<int64_t> CopyRows(SqlConnection& from, SqlConnection& to, const Table& t) {
  // PostgreSQL takes at most 65,535 parameters in one statement.
  const size_t batch_rows = std::clamp<size_t>(20000 / std::max<size_t>(t.columns.size(), 1), 1, 500);
  PSAFE_ASSIGN_OR_RETURN(auto rows, from.Prepare(SelectRows(t)));
  std::vector<Row> batch;
  int64_t copied = 0;
  for (;;) {
    PSAFE_ASSIGN_OR_RETURN(bool more, rows.Step());
    if (more) {
      Row row(t.columns.size());
      for (size_t i = 0; i < t.columns.size(); ++i) {
        const int col = static_cast<int>(i);
        Cell& cell = row[i];
        cell.null = rows.IsNull(col);
        if (cell.null) continue;
        switch (t.columns[i].kind) {
          case ColumnKind::kInt: cell.number = rows.Int(col); break;
          case ColumnKind::kText: cell.bytes = rows.Text(col); break;
          case ColumnKind::kBlob: cell.bytes = rows.Blob(col); break;
        }
      }
      batch.push_back(std::move(row));
    }
    if (!batch.empty() && (!more || batch.size() == batch_rows)) {
      Status inserted = InsertBatch(to, t, batch);
      for (Row& done : batch) {  // ciphertexts and hashes do not linger in freed memory
        for (Cell& cell : done) std::fill(cell.bytes.begin(), cell.bytes.end(), '\0');
      }
      PSAFE_RETURN_IF_ERROR(inserted);
      copied += static_cast<int64_t>(batch.size());
      batch.clear();
    }
    if (!more) return copied;
  }
}

// A database holding tables psafe does not make is someone else's: refused before the
// migrations would add psafe's schema to it.
Status RefuseForeignTables(SqlConnection& to, const std::vector<Table>& tables) {
  std::set<std::string> ours = {"psafe_schema"};
  for (const Table& t : tables) ours.insert(t.name);
  PSAFE_ASSIGN_OR_RETURN(auto st, to.Prepare("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = current_schema() ORDER BY table_name"));
  for (;;) {
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::OK();
    if (!ours.count(st.Text(0))) {
      return Status::Conflict("the target database is not empty (it holds a table " + st.Text(0) +
                              " psafe does not make): store copy moves an installation into an empty database only");
    }
  }
}

// Every table but kNotCopied, into a target that must hold none of their rows.
Result<StoreCopyReport> CopyTables(SqlConnection& from, SqlConnection& to, const std::vector<Table>& tables) {
  for (const Table& t : tables) {
    if (!Copied(t.name)) continue;
    PSAFE_ASSIGN_OR_RETURN(int64_t present, CountRows(to, t.name));
    if (present > 0) {
      return Status::Conflict("the target database is not empty (" + t.name + " has " + std::to_string(present) +
                              " rows): store copy moves an installation into an empty database only");
    }
  }
  StoreCopyReport report;
  for (const Table& t : tables) {
    if (!Copied(t.name)) continue;
    auto copied = CopyRows(from, to, t);
    if (!copied.ok()) {
      return Status::WithCode(copied.status().code(), "copying " + t.name + ": " + copied.status().message());
    }
    // Every source row, not only those the ordered SELECT reached (a folder whose parent is
    // missing would not be): the target must hold as many as the source does.
    PSAFE_ASSIGN_OR_RETURN(int64_t source_rows, CountRows(from, t.name));
    PSAFE_ASSIGN_OR_RETURN(int64_t target_rows, CountRows(to, t.name));
    if (source_rows != target_rows || *copied != source_rows) {
      return Status::Internal("copying " + t.name + ": " + std::to_string(source_rows) + " rows in the source, " +
                              std::to_string(target_rows) + " in the target");
    }
    if (t.has_integer_id) {
      // The next id the target hands out follows the highest the source ever handed out
      // (AUTOINCREMENT's sqlite_sequence), so a deleted row's id never names a new one.
      PSAFE_ASSIGN_OR_RETURN(int64_t used, HighestIdUsed(from, t.name));
      PSAFE_RETURN_IF_ERROR(to.Exec("SELECT setval(pg_get_serial_sequence('" + t.name + "', 'id'), GREATEST(" +
                                    std::to_string(used) + ", (SELECT COALESCE(MAX(id), 0) FROM " + Quoted(t.name) +
                                    ")) + 1, false)"));
    }
    report.tables += 1;
    report.rows += *copied;
  }
  return report;
}

}  // namespace

Result<StoreCopyReport> CopySqliteToPostgres(const std::filesystem::path& sqlite_file,
                                             const PostgresOptions& target) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_file, ec)) {
    return Status::NotFound(sqlite_file.string() + " does not exist (run psafed init, or name the data directory)");
  }
  // The source is only read: a store at another schema version is refused, not upgraded.
  PSAFE_ASSIGN_OR_RETURN(auto from, OpenSqliteConnection(sqlite_file));
  PSAFE_ASSIGN_OR_RETURN(int64_t version, SchemaVersion(*from));
  if (version == 0) return Status::NotFound(sqlite_file.string() + " is not initialised (run psafed init)");
  if (version != KnownSchemaVersion()) {
    return Status::Conflict(sqlite_file.string() + " is at schema version " + std::to_string(version) +
                            ", this psafed at " + std::to_string(KnownSchemaVersion()) +
                            ": run this psafed's `psafed migrate` on it first");
  }
  PSAFE_ASSIGN_OR_RETURN(int64_t keys, CountRows(*from, "keyring"));
  if (keys == 0) return Status::NotFound(sqlite_file.string() + " is not initialised (run psafed init)");
  PSAFE_ASSIGN_OR_RETURN(std::vector<Table> tables, SourceTables(*from));
  PSAFE_ASSIGN_OR_RETURN(auto to, OpenPostgresConnection(target));
  PSAFE_RETURN_IF_ERROR(RefuseForeignTables(*to, tables));
  PSAFE_RETURN_IF_ERROR(ApplyMigrations(*to));

  // One read transaction on the source (a consistent snapshot, should psafed still run on
  // it) and one write transaction on the target, which takes the nodes' write lock and is
  // rolled back unless every table arrived whole.
  PSAFE_RETURN_IF_ERROR(from->Exec("BEGIN"));
  Transaction tx(*to);
  PSAFE_RETURN_IF_ERROR(tx.begin_status());
  Result<StoreCopyReport> report = CopyTables(*from, *to, tables);
  (void)from->Exec("ROLLBACK");
  if (!report.ok()) return report.status();
  PSAFE_RETURN_IF_ERROR(tx.Commit());
  return report;
}

}  // namespace psafe::store
