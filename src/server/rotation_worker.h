// RotationWorker: psafed's threads that drive credential changes (domain/rotation_service.h).
// The planner runs on the node holding the "rotation" lease. Its first pass after taking the
// lease recovers any change a crash (of this node or the last holder) interrupted; one runs every
// `poll` after, and as soon as a change is queued; it hands the due accounts to `workers`
// threads, so one slow target does not hold up the others.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "domain/rotation_service.h"
#include "domain/work_lease.h"

namespace psafe::server {

class RotationWorker {
 public:
  // Plans only while `lease` is held: one node at a time schedules changes.
  RotationWorker(domain::RotationService& rotation, domain::WorkLease& lease, int workers, std::chrono::seconds poll);
  ~RotationWorker();  // stops: waits for the changes running now, starts no other
  RotationWorker(const RotationWorker&) = delete;
  RotationWorker& operator=(const RotationWorker&) = delete;

  void Kick();

 private:
  void Plan();
  void Work();

  domain::RotationService& rotation_;
  domain::WorkLease& lease_;
  std::chrono::seconds poll_;
  std::mutex mu_;
  std::condition_variable plan_cv_;
  std::condition_variable work_cv_;
  bool stop_ = false;
  bool kicked_ = true;          // the first pass runs at once: recovery after a restart
  std::deque<int64_t> queue_;   // accounts to Run
  std::set<int64_t> queued_;    // ... as a set, so one account is queued once
  std::vector<std::thread> threads_;  // last: they start once the members above exist
};

}  // namespace psafe::server
