// An alias: a name for "the current account of a role" (docs/REQUESTS.md, "Aliases"), mapped to one or
// more managed accounts in an order the administrator gives. Requests and releases through
// an alias go to its current account — the first one mapped — and are checked exactly as
// for that account.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/assets.h"

namespace psafe::domain {

// The product's AliasState: 0 no account mapped, 1 one account, 2 several (high
// availability: the first is current, the others stand by).
enum class AliasState : int { kUnmapped = 0, kMapped = 1, kHighAvailability = 2 };

struct Alias {
  int64_t id = 0;
  std::string name;  // unique, case-insensitive; never all digits (Aliases/{id|name})
  std::vector<int64_t> account_ids;  // mapped, in order: the first is current
  int64_t version = 0;               // compare-and-set on every change
  // Follows from the mapping: an account's deletion unmaps it from every alias.
  AliasState state() const {
    return account_ids.empty() ? AliasState::kUnmapped
           : account_ids.size() == 1 ? AliasState::kMapped : AliasState::kHighAvailability;
  }
};

// An alias with its mapped accounts as they are now.
struct AliasView {
  Alias alias;
  std::vector<AccountView> accounts;  // same order as alias.account_ids
  const AccountView* current() const { return accounts.empty() ? nullptr : &accounts.front(); }
};

struct AliasFilter {
  std::vector<AliasState> states = {AliasState::kMapped, AliasState::kHighAvailability};
  std::optional<std::string> name;  // exact, case-insensitive
};

}  // namespace psafe::domain
