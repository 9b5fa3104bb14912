// `psafed serve`: opens the data directory and serves until SIGINT/SIGTERM.
#pragma once

#include "common/status.h"
#include "server/config.h"

namespace psafe::server {

// Prints "psafed listening on <url>" on stdout once bound (tests read the port from it).
Status Serve(const Config& config);

}  // namespace psafe::server
