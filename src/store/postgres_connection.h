// The PostgreSQL connection (store/sql_connection.h), over libpq. The only file besides its
// .cc that knows libpq-fe.h exists.
//  - Parameters travel out of band (prepared statements, one per query text and connection),
//    never spliced into SQL text.
//  - A write inside a transaction runs in its own savepoint, so a failed statement (a unique
//    violation the caller handles) leaves the transaction usable, as it does in SQLite.
//  - Write transactions take one advisory lock (BeginWrite), so they run one at a time
//    across every node, as SQLite's do: the audit chain has one head and a check and the
//    write it guards cannot interleave with another node's.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "store/sql_connection.h"

namespace psafe::store {

struct PostgresOptions {
  std::string url;       // postgresql://host:port/db?sslmode=verify-full&sslrootcert=...
  std::string password;  // from a file or the environment; empty: libpq's own (PGPASSFILE)
  int connect_timeout_seconds = 5;
  int statement_timeout_ms = 15000;
};

Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const PostgresOptions& options);


// The URL with any password in it replaced by ***, for logs and /health.
std::string RedactedUrl(std::string_view url);

}  // namespace psafe::store
