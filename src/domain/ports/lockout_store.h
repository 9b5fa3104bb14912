// Sign-in failure counters (lockout), by subject. Shared by every node.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "domain/identity.h"

namespace psafe::domain {

class LockoutStore {
 public:
  virtual ~LockoutStore() = default;

  virtual Result<AuthFailureRecord> GetAuthFailures(std::string_view subject) = 0;
  virtual Status PutAuthFailures(std::string_view subject, const AuthFailureRecord& r) = 0;
  virtual Status ClearAuthFailures(std::string_view subject) = 0;
  // Forgets failure counts last bumped before `cutoff` that hold no lock in force at `now`.
  virtual Status DeleteStaleAuthFailures(int64_t cutoff, int64_t now) = 0;
};

}  // namespace psafe::domain
