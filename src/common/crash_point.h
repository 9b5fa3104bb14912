// CrashPoint: a test hook, compiled into Debug builds only (PSAFE_TEST_HOOKS). When psafed
// runs with PSAFE_TEST_CRASH_AT=<name>, reaching the point of that name kills the process
// with SIGKILL, exactly as an operator's kill -9 there would: the fault-injection tests
// (tests/e2e/test_rotation_faults.py) stop rotation at each step and check the recovery.
// A release build has no such hook: CrashPoint is an empty inline function there.
#pragma once

#include <string_view>

namespace psafe {

// PSAFE_TEST_HOLD_SYNC_FILE=<path>: while that file exists, HoldPoint waits (polling), so
// a test can hold the store's syncer between a commit and its fsync (store/durability.h)
// and see that no response depending on the commit leaves meanwhile.
#ifdef PSAFE_TEST_HOOKS
void CrashPoint(std::string_view name);
void HoldPoint();
#else
inline void CrashPoint(std::string_view) {}
inline void HoldPoint() {}
#endif

}  // namespace psafe
