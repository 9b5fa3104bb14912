#include "common/clock.h"

#include <chrono>
#include <fstream>

namespace psafe {

int64_t SystemClock::NowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

#ifdef PSAFE_TEST_HOOKS
int64_t OffsetFileClock::NowSeconds() const {
  int64_t offset = 0;
  std::ifstream in(path_);
  if (in) in >> offset;
  return system_.NowSeconds() + offset;
}
#endif  // PSAFE_TEST_HOOKS

}  // namespace psafe
