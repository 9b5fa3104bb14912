#include "common/crash_point.h"

#ifdef PSAFE_TEST_HOOKS
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

namespace psafe {

void CrashPoint(std::string_view name) {
  const char* at = std::getenv("PSAFE_TEST_CRASH_AT");
  if (at != nullptr && name == at) std::raise(SIGKILL);
}

void HoldPoint() {
  const char* file = std::getenv("PSAFE_TEST_HOLD_SYNC_FILE");
  while (file != nullptr && ::access(file, F_OK) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace psafe
#endif  // PSAFE_TEST_HOOKS
