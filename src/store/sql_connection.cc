#include "store/sql_connection.h"

namespace psafe::store {

Status Statement::Run() {
  for (;;) {
    auto r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::OK();
  }
}

std::optional<int64_t> Statement::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::optional<std::string> Statement::OptBlob(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Blob(col);
}

Transaction::Transaction(SqlConnection& db) : db_(db), nested_(db.InTransaction()) {
  if (!nested_) begin_ = db.BeginWrite();
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
