// Opening a backend: the embedded default (one SQLite file in WAL mode) or PostgreSQL.
// Both create the schema on first use and apply pending migrations (store/migrations.h);
// both refuse a schema newer than this psafed knows.
#pragma once

#include <cstddef>
#include <filesystem>

#include "common/result.h"
#include "store/postgres_connection.h"
#include "store/store.h"

namespace psafe::store {

Result<StorePtr> OpenSqliteStore(const std::filesystem::path& path);
// `pool_size` bounds the connections this node holds open.
Result<StorePtr> OpenPostgresStore(const PostgresOptions& options, size_t pool_size);

}  // namespace psafe::store
