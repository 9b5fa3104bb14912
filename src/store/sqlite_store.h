// SqliteStore: the embedded default Store, one SQLite file in WAL mode.
// One connection guarded by a mutex: SQLite serialises writers anyway, and reads are
// short. (A reader pool is the known next step when benchmarks show contention.)
#pragma once

#include <filesystem>
#include <memory>

#include "common/result.h"
#include "store/store.h"

namespace psafe::store {

// Opens or creates the database at `path` and applies pending migrations.
Result<StorePtr> OpenSqliteStore(const std::filesystem::path& path);

}  // namespace psafe::store
