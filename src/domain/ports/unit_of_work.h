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

  // Atomically, for a change whose outcome the caller does not read (the audit record of a
  // read, a session written at sign-in). Where the caller's response waits for durability
  // anyway (an HTTP handler on SQLite), it returns at once and the change commits with
  // whatever else is waiting, in one transaction; the response is held until it is durable
  // and refused if it failed. Everywhere else it is Atomically. `change` runs later, maybe
  // on another thread: it must own what it captures.
  virtual Status Submit(std::function<Status()> change) = 0;
};

}  // namespace psafe::domain
