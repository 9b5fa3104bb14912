// The SSH host key decision of domain::HostKeyCheck, apart from libssh so that it reads as
// the policy it is: mode 0 accepts any key; mode 1 accepts the first key seen (the caller
// pins check.seen) and afterwards only the pinned one; mode 2 accepts only a key pinned in
// advance. A refusal is kConflict, which rotation reports rather than retries.
#pragma once

#include "common/status.h"
#include "domain/target_connector.h"

namespace psafe::connectors {

// `check.seen` must already hold the fingerprint the target offered.
Status CheckHostKey(const domain::HostKeyCheck& check);

}  // namespace psafe::connectors
