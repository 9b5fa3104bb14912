// The unit of work: what must commit together (a change and the audit record describing it)
// runs in one Atomically call.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <functional>

#include "common/status.h"

namespace psafe::domain {

class UnitOfWork {
 public:
  virtual ~UnitOfWork() = default;

  // Runs `fn` in one transaction: every store call it makes joins it, and nothing it
  // wrote stays unless it returns OK. Nested calls join the outer transaction.
  virtual Status Atomically(const std::function<Status()>& fn) = 0;
};

}  // namespace psafe::domain
