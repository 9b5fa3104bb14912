// The client factors psrun2 sends (guide, "Authentication factors"; the protocol is
// common/psrun_factors.h): read from this machine once per run, then signed per call.
#pragma once

#include <string>
#include <vector>

#include "common/psrun_factors.h"
#include "crypto/secret_string.h"

namespace psafe::psrun {

// IP and MAC address of the first interface that is up and not loopback, system name,
// FQDN, DNS domain, the effective user's name, the root file system's id, and the OS
// name and release. A factor that cannot be read is sent empty.
PsrunFactors CollectFactors();

// The X-PSRUN-* header lines for one call at `now`, with a fresh nonce, signed with `key`.
std::vector<std::string> FactorHeaders(PsrunFactors factors, const crypto::SecretString& key, std::string_view method,
                                       std::string_view path, int64_t now);

}  // namespace psafe::psrun
