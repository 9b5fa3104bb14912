#include "common/crash_point.h"

#ifdef PSAFE_TEST_HOOKS
#include <csignal>
#include <cstdlib>

namespace psafe {

void CrashPoint(std::string_view name) {
  const char* at = std::getenv("PSAFE_TEST_CRASH_AT");
  if (at != nullptr && name == at) std::raise(SIGKILL);
}

}  // namespace psafe
#endif  // PSAFE_TEST_HOOKS
