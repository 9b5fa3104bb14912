#include "store/durability.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace psafe::store {
namespace {

using namespace std::chrono_literals;

// A sync that counts itself: how many have started, and the start number of the last one
// that finished.
struct CountingSync {
  std::atomic<int> started{0};
  std::atomic<int> last_finished_start{0};
  std::atomic<bool> gate_open{true};
  Status operator()() {
    const int me = ++started;
    while (!gate_open) std::this_thread::sleep_for(1ms);
    last_finished_start = me;
    return Status::OK();
  }
};

TEST(DurabilityTest, AWaitEndsOnlyAfterASyncThatCoversTheCommit) {
  // A sync covers exactly the commits that had ended when it started: the contiguous run
  // 1..n of ended sequence numbers at that moment (they end in any order).
  constexpr int kWriters = 8, kCommits = 200;
  std::vector<std::atomic<bool>> ended(kWriters * kCommits + 2);
  std::atomic<uint64_t> covered{0};  // by the last sync that finished
  std::atomic<int> syncs{0};
  uint64_t prefix = 0;               // the syncer's thread only
  Durability d(
      [&] {
        ++syncs;
        while (prefix + 1 < ended.size() && ended[prefix + 1]) ++prefix;
        const uint64_t mine = prefix;
        std::this_thread::sleep_for(200us);  // the fsync
        covered = mine;
        return Status::OK();
      });
  // Bounded parallel rounds; the invariant a caller relies on: back from its wait, its
  // commit is covered by a finished sync.
  std::vector<std::thread> writers;
  std::atomic<int> violations{0};
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < kCommits; ++i) {
        const uint64_t seq = d.BeginCommit();
        ended[seq] = true;
        d.EndCommit(seq);
        d.WaitAfterCommit(seq);
        if (covered.load() < seq) ++violations;
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(violations.load(), 0);
  // Shared syncs: far fewer than the 1,600 commits.
  EXPECT_LT(syncs.load(), kWriters * kCommits / 2);
}

TEST(DurabilityTest, ACommitStillInFlightHoldsBackTheOnesAfterIt) {
  CountingSync sync;
  Durability d([&] { return sync(); });
  const uint64_t first = d.BeginCommit();
  const uint64_t second = d.BeginCommit();
  d.EndCommit(second);
  std::atomic<bool> durable{false};
  d.WhenDurable(second, [&] { durable = true; });
  std::this_thread::sleep_for(50ms);
  // A sync now would not cover `first`, whose write may not have reached the file yet.
  EXPECT_FALSE(durable.load());
  d.EndCommit(first);
  for (int i = 0; i < 500 && !durable; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_TRUE(durable.load());
}

TEST(DurabilityTest, NothingToWaitForOpensAtOnce) {
  CountingSync sync;
  Durability d([&] { return sync(); });
  bool called = false;
  d.WhenDurable(d.Horizon(), [&] { called = true; });
  EXPECT_TRUE(called);
  EXPECT_EQ(sync.started.load(), 0);
}

TEST(DurabilityTest, WithoutASyncNothingWaits) {
  Durability d(nullptr);  // PostgreSQL: a commit is durable when it returns
  const uint64_t seq = d.BeginCommit();
  d.EndCommit(seq);
  d.WaitAfterCommit(seq);
  bool called = false;
  d.WhenDurable(d.Horizon(), [&] { called = true; });
  EXPECT_TRUE(called);
}

TEST(DurabilityTest, ADeferredScopeKnowsWhetherTheStoreWasUsed) {
  EXPECT_FALSE(DurabilityDeferred());
  {
    DeferDurability scope;
    EXPECT_TRUE(DurabilityDeferred());
    EXPECT_FALSE(DeferDurability::TouchedStore());
    NoteStoreUse();
    EXPECT_TRUE(DeferDurability::TouchedStore());
  }
  EXPECT_FALSE(DurabilityDeferred());
}

}  // namespace
}  // namespace psafe::store
