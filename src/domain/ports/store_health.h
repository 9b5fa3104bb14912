// Whether the backend answers, and which it is (for /health).
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace psafe::domain {

class StoreHealth {
 public:
  virtual ~StoreHealth() = default;

  virtual Status Ping() = 0;
  // Whether the backend takes writes now (false on a PostgreSQL standby).
  virtual Result<bool> Writable() = 0;
  virtual std::string BackendName() const = 0;
};

}  // namespace psafe::domain
