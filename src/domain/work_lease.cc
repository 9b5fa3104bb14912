#include "domain/work_lease.h"

#include <spdlog/spdlog.h>


namespace psafe::domain {

WorkLease::WorkLease(LeaseStore& store, const Clock& clock, std::string name, std::string node,
                     int64_t lifetime_seconds)
    : store_(store), clock_(clock), name_(std::move(name)), lifetime_(lifetime_seconds), holder_(std::move(node)) {}

WorkLease::~WorkLease() {
  if (held_) (void)store_.ReleaseLease(name_, holder_);
}

bool WorkLease::Hold() {
  const int64_t now = clock_.NowSeconds();
  Result<bool> held = store_.TryHoldLease(name_, holder_, now, now + lifetime_);
  const bool now_held = held.ok() && *held;
  if (!held.ok()) spdlog::warn("lease {}: {}", name_, held.status().ToString());
  if (now_held && !held_) {
    spdlog::info("lease {}: this node ({}) runs it now", name_, holder_);
    taken_over_ = true;
  } else if (!now_held && held_) {
    spdlog::warn("lease {}: lost; another node runs it", name_);
  }
  held_ = now_held;
  return held_;
}

bool WorkLease::TakeOver() {
  const bool t = taken_over_;
  taken_over_ = false;
  return t;
}

}  // namespace psafe::domain
