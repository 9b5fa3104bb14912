// Process hardening applied at psafed start: no core dumps (they would contain keys and
// plaintext secrets), not ptrace-able by other same-uid processes, libsodium initialised.
#pragma once

#include "common/status.h"

namespace psafe::crypto {

Status InitializeCrypto();   // sodium_init; must run before any other crypto call
void HardenProcess();        // PR_SET_DUMPABLE=0, RLIMIT_CORE=0

}  // namespace psafe::crypto
