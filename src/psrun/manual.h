// docs/psrun2.md, compiled in so `psrun2 --help` shows the whole manual.
#pragma once

namespace psafe::psrun {

extern const char* const kManual;

}  // namespace psafe::psrun
