// SigpipeGuard: while alive, a write to a socket the peer closed fails with EPIPE in this
// thread instead of raising SIGPIPE, whose default action ends psafed. libldap writes with
// write(2) and psafed does not ignore SIGPIPE process-wide, so each connector call holds
// one. It is the technique libpq uses internally: block the signal in the calling thread,
// and on the way out discard a SIGPIPE this scope raised (never one already pending).
#pragma once

#include <signal.h>

namespace psafe::connectors {

class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t old_mask_;
  bool was_pending_ = false;
};

}  // namespace psafe::connectors
