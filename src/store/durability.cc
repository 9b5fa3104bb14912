#include "store/durability.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/crash_point.h"

namespace psafe::store {

namespace {

thread_local bool t_deferred = false;
thread_local bool t_touched = false;
thread_local std::shared_ptr<std::atomic<bool>> t_refused;

// docs/BENCHMARKS.md: at 16 connections the syncer's share of psafed's CPU went from 36 %
// (back-to-back syncs) to 16 % (2 ms); 1 ms keeps most of that and adds at most 1 ms.
constexpr std::chrono::microseconds kMinSyncInterval{1000};

}  // namespace

Durability::Durability(SyncFn sync) : sync_(std::move(sync)) {
  if (sync_) thread_ = std::thread([this] { Loop(); });
}

Durability::~Durability() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t Durability::BeginCommit() {
  if (!sync_) return 0;
  std::lock_guard lk(mu_);
  const uint64_t seq = ++issued_;
  in_flight_.insert(seq);
  return seq;
}

void Durability::EndCommit(uint64_t seq) {
  if (seq == 0) return;
  {
    std::lock_guard lk(mu_);
    in_flight_.erase(seq);
  }
  work_cv_.notify_one();
}

void Durability::WaitAfterCommit(uint64_t seq) {
  if (seq == 0) return;
  std::unique_lock lk(mu_);
  durable_cv_.wait(lk, [&] { return durable_ >= seq || stop_; });
}

uint64_t Durability::Horizon() const {
  std::lock_guard lk(mu_);
  return issued_;
}

void Durability::WhenDurable(uint64_t ticket, std::function<void()> done) {
  {
    std::lock_guard lk(mu_);
    if (durable_ < ticket) {
      waiting_.emplace(ticket, std::move(done));
      return;
    }
  }
  done();
}

// Commits up to here have all returned: a sync started now covers every one of them.
uint64_t Durability::FrontierLocked() const {
  return in_flight_.empty() ? issued_ : *in_flight_.begin() - 1;
}

void Durability::Loop() {
  std::unique_lock lk(mu_);
  for (;;) {
    work_cv_.wait(lk, [&] { return stop_ || FrontierLocked() > durable_; });
    if (FrontierLocked() <= durable_) break;  // stopping, and nothing left to make durable
    // A sync costs the machine far more than a commit (on a virtual disk, a third of a core
    // at ~2,000 syncs/s): under load, one per kMinSyncInterval, covering every commit that
    // arrived meanwhile. A commit after a quiet spell is synced at once.
    const auto earliest = last_sync_ + kMinSyncInterval;
    if (std::chrono::steady_clock::now() < earliest) {
      work_cv_.wait_until(lk, earliest, [&] { return stop_; });
    }
    last_sync_ = std::chrono::steady_clock::now();
    const uint64_t target = FrontierLocked();
    lk.unlock();
    HoldPoint();
    Status synced = sync_();
    lk.lock();
    if (!synced.ok()) {
      std::fprintf(stderr, "psafed: cannot make committed changes durable (%s); stopping\n",
                   synced.ToString().c_str());
      std::abort();
    }
    durable_ = target;
    std::vector<std::function<void()>> ready;
    auto end = waiting_.upper_bound(durable_);
    for (auto it = waiting_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    waiting_.erase(waiting_.begin(), end);
    durable_cv_.notify_all();
    lk.unlock();
    for (auto& done : ready) done();
    lk.lock();
  }
  durable_cv_.notify_all();
}

DeferDurability::DeferDurability() {
  t_deferred = true;
  t_touched = false;
  t_refused.reset();
}

DeferDurability::~DeferDurability() {
  t_deferred = false;
  t_touched = false;
  t_refused.reset();
}

bool DeferDurability::TouchedStore() { return t_touched; }

std::shared_ptr<std::atomic<bool>> DeferDurability::SubmissionRefusal() {
  if (t_refused == nullptr) t_refused = std::make_shared<std::atomic<bool>>(false);
  return t_refused;
}

std::shared_ptr<const std::atomic<bool>> DeferDurability::Refused() { return t_refused; }

bool DurabilityDeferred() { return t_deferred; }

void NoteStoreUse() { t_touched = true; }

}  // namespace psafe::store
