#include "domain/change_policy.h"

#include <chrono>

namespace psafe::domain {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

struct ClockTime {
  int64_t hour = 0;
  int64_t minute = 0;
};

bool ParseChangeTime(std::string_view s, ClockTime* out) {
  if (s.size() != 5 || s[2] != ':') return false;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  out->hour = (s[0] - '0') * 10 + (s[1] - '0');
  out->minute = (s[3] - '0') * 10 + (s[4] - '0');
  return out->hour < 24 && out->minute < 60;
}

int64_t SecondsOf(sys_days day, const ClockTime& t) {
  return static_cast<int64_t>(day.time_since_epoch().count()) * 86400 + t.hour * 3600 + t.minute * 60;
}

// Knuth's multiplicative hash: neighbouring ids land far apart in the window.
int64_t SpreadOf(int64_t key) {
  return static_cast<int64_t>((static_cast<uint64_t>(key) * 2654435761u) % kChangeSpreadSeconds);
}

}  // namespace

Status ValidateChangePolicy(const ChangePolicy& p) {
  if (p.frequency_type != "first" && p.frequency_type != "last" && p.frequency_type != "xdays") {
    return Status::InvalidArgument("ChangeFrequencyType must be first, last or xdays");
  }
  if (p.frequency_days < 1 || p.frequency_days > 999) {
    return Status::InvalidArgument("ChangeFrequencyDays must be between 1 and 999");
  }
  ClockTime t;
  if (!ParseChangeTime(p.change_time, &t)) return Status::InvalidArgument("ChangeTime must be HH:MM (00:00 to 23:59)");
  return Status::OK();
}

int64_t NextScheduledChange(const ChangePolicy& p, int64_t after, int64_t spread_key) {
  ClockTime t{23, 30};
  ParseChangeTime(p.change_time, &t);  // validated on the way in; the default otherwise
  const int64_t spread = SpreadOf(spread_key);
  const sys_days today{days{after >= 0 ? after / 86400 : (after - 86399) / 86400}};
  const auto at = [&](sys_days d) { return SecondsOf(d, t) + spread; };
  if (p.frequency_type == "xdays") return at(today + days{p.frequency_days});
  const year_month_day ymd{today};
  for (int months = 0;; ++months) {
    const auto ym = std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
    const sys_days day = p.frequency_type == "last"
                             ? sys_days{ym / std::chrono::last}
                             : sys_days{ym / std::chrono::day{1}};
    if (at(day) > after) return at(day);
  }
}

}  // namespace psafe::domain
