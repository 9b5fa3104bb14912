// Versioned schema migrations. Migration N brings PRAGMA user_version from N-1 to N;
// each runs in its own transaction at start. Append only: never edit a shipped step.
#pragma once

#include <span>
#include <string_view>

namespace psafe::store {

std::span<const std::string_view> SqliteMigrations();

}  // namespace psafe::store
