#include "crypto/hardening.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace psafe::crypto {
namespace {

// In a child, so the test runner itself stays dumpable for debugging.
TEST(HardeningTest, ProcessIsNotDumpableAndHasNoCoreLimit) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    HardenProcess();
    struct rlimit core {};
    ::getrlimit(RLIMIT_CORE, &core);
    const bool ok = ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 && core.rlim_cur == 0 && core.rlim_max == 0;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "dumpable or a core limit survived HardenProcess()";
}

}  // namespace
}  // namespace psafe::crypto
