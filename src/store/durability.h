// Durability: the point up to which this node's commits are on disk, and the one thread
// that moves it forward.
//
// On SQLite, commits do not wait for the disk themselves (the writer runs
// synchronous=NORMAL). The syncer thread makes everything committed so far durable with one
// fdatasync of the WAL, and starts the next one as soon as that returns (at most once a
// millisecond). So every writer waiting at one moment shares one sync, and a batch is as
// large as the load: nothing caps it at a thread count.
//
// On PostgreSQL there is no syncer: a commit returns once PostgreSQL has flushed it (and,
// with a synchronous standby, once the standby has), and only then do other sessions see
// it. Deferring those commits (synchronous_commit=off and a barrier commit per sync) was
// measured and dropped: it let another node read, and show a client, a request the primary
// then lost in a failover (test_store_failover.py caught it), and its gain (381 -> 561
// audited reads/s, nothing on the flow) came as well from reading sessions from memory with
// synchronous commits (562/s; docs/BENCHMARKS.md).
//
// Who waits:
//  - A thread inside a DeferDurability scope (the HTTP server's handlers) returns from its
//    commits at once; before its response leaves, the server waits for Horizon() taken after
//    the handler (http/response_gate.h). Horizon() covers every commit begun so far, so it
//    also covers whatever the handler read: no value leaves before everything it depends on
//    is durable.
//  - Such a thread may also submit a change (UnitOfWork::Submit): the store counts its
//    commit (BeginCommit) when it is queued and ends it once the committer has run it, so
//    Horizon() covers it too; SubmissionRefusal() tells the gate if it failed.
//  - Every other thread (rotation, the sweeper, the CLI, tests) is back from a commit only
//    once it is durable, so an intent is on disk before a remote system is touched.
//
// A failed sync ends the process: after a failed fsync the page cache's state is unknown,
// and retrying could report lost data as durable (PostgreSQL panics for the same reason).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "common/status.h"

namespace psafe::store {

class Durability {
 public:
  using SyncFn = std::function<Status()>;
  // A null `sync`: commits are durable when they return, and nothing ever waits.
  explicit Durability(SyncFn sync);
  ~Durability();
  Durability(const Durability&) = delete;
  Durability& operator=(const Durability&) = delete;

  // Whether commits return before they are durable (there is a syncer).
  bool Defers() const { return sync_ != nullptr; }

  // Around one commit: Begin before it is sent, End after it returned (either way).
  uint64_t BeginCommit();
  void EndCommit(uint64_t seq);
  // Blocks until every commit up to `seq` is durable.
  void WaitAfterCommit(uint64_t seq);

  // Every commit begun so far: what a caller may have seen.
  uint64_t Horizon() const;
  // Calls `done` once every commit up to `ticket` is durable, on the syncer thread (or at
  // once): keep it short. Never called after the destructor has begun.
  void WhenDurable(uint64_t ticket, std::function<void()> done);

 private:
  void Loop();
  uint64_t FrontierLocked() const;

  const SyncFn sync_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable durable_cv_;
  uint64_t issued_ = 0;                    // GUARDED_BY(mu_)
  std::set<uint64_t> in_flight_;           // GUARDED_BY(mu_)
  uint64_t durable_ = 0;                   // GUARDED_BY(mu_)
  std::multimap<uint64_t, std::function<void()>> waiting_;  // GUARDED_BY(mu_)
  bool stop_ = false;                      // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point last_sync_{};  // the syncer's thread only
  std::thread thread_;                     // last: starts once the members above exist (if sync_)
};

// While one lives, this thread's commits return before they are durable; the caller takes
// responsibility for waiting (see above). Scopes do not nest.
class DeferDurability {
 public:
  DeferDurability();
  ~DeferDurability();
  DeferDurability(const DeferDurability&) = delete;
  DeferDurability& operator=(const DeferDurability&) = delete;
  // Whether the store was used on this thread inside the scope.
  static bool TouchedStore();
  // Set (before their commit ends) when a change this scope submitted failed: its response
  // must not leave. Created on first use; Refused() is null when nothing was submitted.
  static std::shared_ptr<std::atomic<bool>> SubmissionRefusal();
  static std::shared_ptr<const std::atomic<bool>> Refused();
};

bool DurabilityDeferred();
// Called by the store on every call; read by DeferDurability::TouchedStore.
void NoteStoreUse();

}  // namespace psafe::store
