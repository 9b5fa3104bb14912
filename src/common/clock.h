// Clock: the only source of "now" for the domain, injectable so tests can move time
// (session expiry, lockout windows) without sleeping.
#pragma once

#include <cstdint>

namespace psafe {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual int64_t NowSeconds() const = 0;
};

// Wall-clock time from the system.
class SystemClock final : public Clock {
 public:
  int64_t NowSeconds() const override;
};

}  // namespace psafe
