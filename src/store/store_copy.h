// `psafed store copy`: moves an installation from its SQLite file into PostgreSQL, every row
// as it is (ciphertexts, hashes and the audit chain's MACs are copied, never re-sealed), in
// one transaction on the target: a failed copy leaves the target as empty as it found it.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/result.h"
#include "store/postgres_connection.h"

namespace psafe::store {

struct StoreCopyReport {
  int tables = 0;
  int64_t rows = 0;
};

// Both stores are first brought to this psafed's schema version. The source must be an
// initialised store (NotFound otherwise); a target holding any row is refused (Conflict),
// so a copy never merges into, or overwrites, another installation.
Result<StoreCopyReport> CopySqliteToPostgres(const std::filesystem::path& sqlite_file,
                                             const PostgresOptions& target);

}  // namespace psafe::store
