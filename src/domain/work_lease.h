// WorkLease: background work that must run on one node at a time holds a named lease in
// the store (domain/ports/lease_store.h) and renews it on every pass. When its node dies,
// another takes the lease once it expires: work moves within the lease's lifetime plus one
// pass. Hold() before each pass; a store error counts as not holding (the work waits).
// Thread-safety: one thread uses a WorkLease.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "domain/ports/lease_store.h"

namespace psafe::domain {

class WorkLease {
 public:
  // `node` names this node stably across restarts (host and data directory), so a node
  // restarted after a crash takes its own lease back at once instead of waiting it out.
  WorkLease(LeaseStore& store, const Clock& clock, std::string name, std::string node, int64_t lifetime_seconds);
  ~WorkLease();  // releases the lease if held, so another node takes over at once

  // True while this node holds the lease (taking or renewing it).
  bool Hold();
  // True once after Hold() took the lease over (not a renewal): the work a previous holder
  // may have left half done is this node's to recover.
  bool TakeOver();

 private:
  LeaseStore& store_;
  const Clock& clock_;
  const std::string name_;
  const int64_t lifetime_;
  const std::string holder_;
  bool held_ = false;
  bool taken_over_ = false;
};

}  // namespace psafe::domain
