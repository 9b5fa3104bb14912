// Durability: the point up to which this node's commits are on disk, and the one thread
// that moves it forward.
//
// Commits do not wait for the disk themselves (SQLite's writer runs synchronous=NORMAL;
// PostgreSQL's deferred transactions run synchronous_commit=off). The syncer thread makes
// everything committed so far durable with one sync — an fdatasync of SQLite's WAL, or on
// PostgreSQL a synchronous commit, which flushes every WAL record before its own — and
// starts the next one as soon as that returns. So every writer waiting at one moment shares
// one sync, and a batch is as large as the load: nothing caps it at a thread count.
//
// Who waits:
//  - A thread inside a DeferDurability scope (the HTTP server's handlers) returns from its
//    commits at once; before its response leaves, the server waits for Horizon() taken after
//    the handler (http/response_gate.h). Horizon() covers every commit begun so far, so it
//    also covers whatever the handler read: no value leaves before everything it depends on
//    is durable.
//  - Every other thread (rotation, the sweeper, the CLI, tests) is back from a commit only
//    once it is durable, so an intent is on disk before a remote system is touched.
//
// A failed sync on SQLite ends the process: after a failed fsync the page cache's state is
// unknown, and retrying could report lost data as durable (PostgreSQL panics for the same
// reason). On PostgreSQL a failed barrier is retried on a new connection; a response
// waiting for it is answered 503 by the server when its wait times out.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/status.h"

namespace psafe::store {

class Durability {
 public:
  using SyncFn = std::function<Status()>;
  enum class OnSyncFailure { kAbort, kRetry };
  // `waits_after_commit`: whether a thread outside a DeferDurability scope must wait for the
  // syncer after its commit (SQLite) or committed synchronously already (PostgreSQL).
  Durability(SyncFn sync, OnSyncFailure on_failure, bool waits_after_commit);
  ~Durability();
  Durability(const Durability&) = delete;
  Durability& operator=(const Durability&) = delete;

  // Around one commit: Begin before it is sent, End after it returned (either way).
  uint64_t BeginCommit();
  void EndCommit(uint64_t seq);
  // Blocks until every commit up to `seq` is durable (no-op unless waits_after_commit).
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
  const OnSyncFailure on_failure_;
  const bool waits_after_commit_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable durable_cv_;
  uint64_t issued_ = 0;                    // GUARDED_BY(mu_)
  std::set<uint64_t> in_flight_;           // GUARDED_BY(mu_)
  uint64_t durable_ = 0;                   // GUARDED_BY(mu_)
  uint64_t wanted_ = 0;                    // GUARDED_BY(mu_): the highest ticket anyone waits for
  std::multimap<uint64_t, std::function<void()>> waiting_;  // GUARDED_BY(mu_)
  bool stop_ = false;                      // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point last_sync_{};  // the syncer's thread only
  std::thread thread_;                     // last: starts once the members above exist
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
};

bool DurabilityDeferred();
// Called by the store on every call; read by DeferDurability::TouchedStore.
void NoteStoreUse();

}  // namespace psafe::store
