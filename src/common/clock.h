// Clock: the only source of "now" for the domain, injectable so tests can move time
// (session expiry, lockout windows) without sleeping.
#pragma once

#include <cstdint>
#include <string>

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

#ifdef PSAFE_TEST_HOOKS
// A test hook, compiled into Debug builds only (PSAFE_TEST_HOOKS, set by CMake): a release
// psafed has no way to move its clock. System time plus an offset read from a file on
// every call: lets end-to-end tests move psafed's clock (request expiry) without
// sleeping. Enabled only when psafed is started with PSAFE_CLOCK_OFFSET_FILE set; a
// missing or empty file means no offset.
class OffsetFileClock final : public Clock {
 public:
  explicit OffsetFileClock(std::string path) : path_(std::move(path)) {}
  int64_t NowSeconds() const override;

 private:
  SystemClock system_;
  std::string path_;
};
#endif  // PSAFE_TEST_HOOKS

}  // namespace psafe
