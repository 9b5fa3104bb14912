// Credential changes in flight (docs/ROTATION.md) and the schedule that starts them.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.h"
#include "domain/rotation.h"

namespace psafe::domain {

class RotationStore {
 public:
  virtual ~RotationStore() = default;

  virtual Result<std::optional<Rotation>> FindRotation(int64_t account_id) = 0;
  // Compare-and-set: inserts when `r.version` is 0 and no row exists, else updates the row
  // whose version is `r.version`; the stored version becomes r.version + 1. Conflict when
  // the row changed (or exists) meanwhile.
  virtual Status PutRotation(const Rotation& r) = 0;
  // Commits the rotation at `version`: its pending credentials replace the account's (as
  // ReplaceCredentials does) and the row is deleted, in one transaction.
  virtual Status CommitRotation(int64_t account_id, int64_t version, int64_t now,
                                std::optional<int64_t> next_change_at) = 0;
  virtual Status DeleteRotation(int64_t account_id, int64_t version) = 0;  // compare-and-set
  // Rotations whose next try is due (failed ones included: they are retried), oldest first.
  virtual Result<std::vector<Rotation>> ListRotationsDue(int64_t now, int64_t limit) = 0;
  // Auto-managed accounts whose scheduled change is due, with no rotation row and not
  // checked out (no Approved request open at `now`).
  virtual Result<std::vector<int64_t>> ListAccountsDueForChange(int64_t now, int64_t limit) = 0;
  // Accounts with CheckPasswordFlag not checked since `checked_before`.
  virtual Result<std::vector<int64_t>> ListAccountsDueForCheck(int64_t checked_before, int64_t limit) = 0;
  virtual Status SetAccountCheckedAt(int64_t account_id, int64_t now) = 0;
};

}  // namespace psafe::domain
