// Versioned schema migrations, written once in SQLite's spelling; PostgreSQL gets them
// through store/sql_dialect.h. Migration N brings the schema from version N-1 to N, each in
// its own write transaction (on PostgreSQL under the write lock, so two nodes starting at
// once migrate once). Append only: never edit a shipped step.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "store/sql_connection.h"

namespace psafe::store {

// The schema version this psafed creates and understands.
int64_t KnownSchemaVersion();
// The version the database is at (0: none). SQLite keeps it in PRAGMA user_version, and
// reading it writes nothing; PostgreSQL in a one-row table, which this creates (with the
// CITEXT extension the schema needs) if absent.
Result<int64_t> SchemaVersion(SqlConnection& db);
// Brings the database to KnownSchemaVersion(); Corruption when it is newer.
Status ApplyMigrations(SqlConnection& db);

}  // namespace psafe::store
