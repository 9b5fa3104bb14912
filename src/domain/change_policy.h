// ChangePolicy: when and how a managed account's credential is changed and checked, as
// the product's systems and accounts describe it (ChangeFrequencyType, ChangeFrequencyDays,
// ChangeTime, CheckPasswordFlag, ChangePasswordAfterAnyReleaseFlag,
// ResetPasswordOnMismatchFlag). A system's policy is the default of its new accounts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace psafe::domain {

struct ChangePolicy {
  std::string frequency_type = "first";  // first | last | xdays
  int64_t frequency_days = 30;           // for xdays: 1..999
  std::string change_time = "23:30";     // HH:MM, UTC
  bool check_password = false;           // test the stored credential periodically
  bool change_after_any_release = false; // rotate when a release ends (check-in, cancel, expiry)
  bool reset_on_mismatch = false;        // a check the target refuses resets through the functional account
};

// InvalidArgument naming the field that is wrong.
Status ValidateChangePolicy(const ChangePolicy& p);

// The next scheduled change after `after` (seconds since the epoch): the first or last day
// of a month, or every frequency_days days, at change_time. Each account is offset by up to
// kChangeSpreadSeconds (a hash of its spread key), so thousands of accounts on one schedule do not
// all start in the same second.
inline constexpr int64_t kChangeSpreadSeconds = 1800;
int64_t NextScheduledChange(const ChangePolicy& p, int64_t after, int64_t spread_key);

}  // namespace psafe::domain
