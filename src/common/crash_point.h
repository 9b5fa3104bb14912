// CrashPoint: a test hook, compiled into Debug builds only (PSAFE_TEST_HOOKS). When psafed
// runs with PSAFE_TEST_CRASH_AT=<name>, reaching the point of that name kills the process
// with SIGKILL, exactly as an operator's kill -9 there would: the fault-injection tests
// (tests/e2e/test_rotation_faults.py) stop rotation at each step and check the recovery.
// A release build has no such hook: CrashPoint is an empty inline function there.
#pragma once

#include <string_view>

namespace psafe {

#ifdef PSAFE_TEST_HOOKS
void CrashPoint(std::string_view name);
#else
inline void CrashPoint(std::string_view) {}
#endif

}  // namespace psafe
