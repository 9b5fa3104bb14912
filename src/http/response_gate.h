// ResponseGate: what a response waits for between its handler and its first byte. The
// server knows only that some responses must wait; the composition (server/serve.cc) makes
// the gate the store's durability, so a credential leaves only once its audit record (and
// everything the handler read) is on disk, while the handler's thread goes on to the next
// request instead of sleeping through an fsync.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

namespace psafe::http {

struct GateTicket {
  uint64_t position = 0;  // 0: the response may leave at once
  // Set before the gate opens when something the handler handed on failed: the response
  // must not leave (null: nothing was handed on).
  std::shared_ptr<const std::atomic<bool>> refused;
};

class ResponseGate {
 public:
  virtual ~ResponseGate() = default;
  // On the handler's thread, just before it runs. `deferred`: the handler's writes may
  // return before they are durable (its route does nothing outside psafed that depends on
  // them); otherwise each write is durable when it returns.
  virtual void Enter(bool deferred) = 0;
  // On the same thread, just after.
  virtual GateTicket Leave() = 0;
  // Calls `open` (from any thread, possibly at once) when the ticket's response may leave.
  virtual void WhenOpen(uint64_t ticket, std::function<void()> open) = 0;
};

}  // namespace psafe::http
