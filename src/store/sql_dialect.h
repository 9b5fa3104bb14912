// What differs between the two SQL dialects, in one place. The store's queries and the
// schema are written once, in SQLite's spelling of the subset both share; PostgreSQL gets
// them through these translations:
//  - parameters: ?N and bare ? (numbered as SQLite numbers them) become $N;
//  - schema: INTEGER ids become identity columns, INTEGER BIGINT, BLOB BYTEA, a TEXT column
//    COLLATE NOCASE becomes CITEXT (case-insensitive compares, LIKE and unique indexes, as
//    NOCASE gives SQLite), and so does a TEXT column referencing one (a foreign key needs
//    both ends of one type), and STRICT / WITHOUT ROWID go.
// Upserts (ON CONFLICT ... DO UPDATE / DO NOTHING) and RETURNING are spelled alike in both.
#pragma once

#include <string>
#include <string_view>

namespace psafe::store {

std::string PostgresPlaceholders(std::string_view sql);
// `schema` is every migration step (to find which referenced columns are NOCASE).
std::string PostgresDdl(std::string_view sqlite_ddl, std::string_view schema);

}  // namespace psafe::store
