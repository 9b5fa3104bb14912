// Aliases and the accounts mapped to them (domain/alias.h).
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/alias.h"

namespace psafe::domain {

class AliasStore {
 public:
  virtual ~AliasStore() = default;

  // AlreadyExists for a name in use; NotFound when a mapped account does not exist.
  virtual Result<int64_t> CreateAlias(const Alias& a) = 0;
  virtual Result<Alias> FindAlias(int64_t id) = 0;
  virtual Result<Alias> FindAliasByName(std::string_view name) = 0;
  // Every alias, by name. An account's deletion unmaps it from every alias.
  virtual Result<std::vector<Alias>> ListAliases() = 0;
  // Replaces the name, state and mapping if `a.version` is still the stored one (Conflict
  // otherwise), and moves the version on.
  virtual Status UpdateAlias(const Alias& a) = 0;
  virtual Status DeleteAlias(int64_t id) = 0;
};

}  // namespace psafe::domain
