// Leases: named background work (the expiry sweeper, the rotation planner) that one node at
// a time may run. A lease is held until `expires_at`; its holder renews it, and any node may
// take it once it has expired.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"

namespace psafe::domain {

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;

  // Takes `name` for `holder` until `until` when it is free, expired at `now` or already
  // held by `holder` (a renewal); false when another holder has it. One compare-and-set.
  virtual Result<bool> TryHoldLease(std::string_view name, std::string_view holder, int64_t now, int64_t until) = 0;
  // Gives the lease up (at shutdown), so another node need not wait for it to expire.
  virtual Status ReleaseLease(std::string_view name, std::string_view holder) = 0;
};

}  // namespace psafe::domain
