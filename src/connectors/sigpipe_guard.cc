#include "connectors/sigpipe_guard.h"

#include <pthread.h>

#include <ctime>

namespace psafe::connectors {

namespace {

sigset_t SigpipeSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  return set;
}

bool SigpipePending() {
  sigset_t pending;
  sigemptyset(&pending);
  return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

SigpipeGuard::SigpipeGuard() {
  const sigset_t set = SigpipeSet();
  sigemptyset(&old_mask_);
  pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
  was_pending_ = SigpipePending();
}

SigpipeGuard::~SigpipeGuard() {
  if (!was_pending_ && SigpipePending()) {
    const sigset_t set = SigpipeSet();
    const timespec zero{};
    sigtimedwait(&set, nullptr, &zero);  // consumes the one this scope raised
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace psafe::connectors
