#include "server/rotation_worker.h"

#include <spdlog/spdlog.h>

namespace psafe::server {

RotationWorker::RotationWorker(domain::RotationService& rotation, domain::WorkLease& lease, int workers,
                               std::chrono::seconds poll)
    : rotation_(rotation), lease_(lease), poll_(poll) {
  rotation_.SetOnQueued([this] { Kick(); });
  threads_.emplace_back([this] { Plan(); });
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

RotationWorker::~RotationWorker() {
  rotation_.SetOnQueued({});
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  plan_cv_.notify_all();
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void RotationWorker::Kick() {
  {
    std::lock_guard lock(mu_);
    kicked_ = true;
  }
  plan_cv_.notify_one();
}

void RotationWorker::Plan() {
  std::unique_lock lock(mu_);
  for (;;) {
    plan_cv_.wait_for(lock, poll_, [this] { return stop_ || kicked_; });
    if (stop_) return;
    kicked_ = false;
    lock.unlock();
    if (!lease_.Hold()) {  // another node plans
      lock.lock();
      continue;
    }
    // The first pass after taking the lease finishes what a previous holder left.
    Result<std::vector<int64_t>> due = rotation_.Due(lease_.TakeOver());
    if (!due.ok()) spdlog::warn("rotation pass failed: {}", due.status().ToString());
    lock.lock();
    if (!due.ok()) continue;
    for (int64_t id : *due) {
      if (queued_.insert(id).second) queue_.push_back(id);
    }
    work_cv_.notify_all();
  }
}

void RotationWorker::Work() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    const int64_t id = queue_.front();
    queue_.pop_front();
    lock.unlock();
    Status s = rotation_.Run(id);
    // The outcome of every step is in the audit trail; the log says only that one failed.
    if (!s.ok() && s.code() != StatusCode::kConflict) {
      spdlog::warn("credential change of managed account {} did not complete: {}", id, s.ToString());
    }
    lock.lock();
    queued_.erase(id);
    // A pass hands out at most a batch: when the workers run dry, the next pass runs at
    // once rather than at the next poll, so throughput is not capped by the batch size.
    if (queue_.empty()) {
      kicked_ = true;
      plan_cv_.notify_one();
    }
  }
}

}  // namespace psafe::server
