#include "crypto/hardening.h"

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace psafe::crypto {

Status InitializeCrypto() {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  return Status::OK();
}

void HardenProcess() {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  struct rlimit none {0, 0};
  setrlimit(RLIMIT_CORE, &none);
}

}  // namespace psafe::crypto
