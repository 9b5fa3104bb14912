#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace psafe::http {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiterTest, BurstThenRefusalWithTheWaitThenRefill) {
  RateLimiter limiter(2.0, 3.0);  // 2 a second, bursts of 3
  const auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("10.0.0.1", t0), 0) << i;
  EXPECT_EQ(limiter.Take("10.0.0.1", t0), 1);  // 0.5 s to the next token, rounded up
  EXPECT_EQ(limiter.Take("10.0.0.2", t0), 0) << "another client has its own bucket";
  EXPECT_EQ(limiter.Take("10.0.0.1", t0 + 500ms), 0);
  EXPECT_EQ(limiter.Take("10.0.0.1", t0 + 500ms), 1);
  // A long pause refills to the burst, not beyond.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("10.0.0.1", t0 + 60s), 0) << i;
  EXPECT_GT(limiter.Take("10.0.0.1", t0 + 60s), 0);
}

TEST(RateLimiterTest, SlowRatesReportLongerWaits) {
  RateLimiter limiter(0.1, 1.0);  // one every 10 s
  const auto t0 = RateLimiter::Clock::now();
  EXPECT_EQ(limiter.Take("c", t0), 0);
  EXPECT_EQ(limiter.Take("c", t0), 10);
  EXPECT_EQ(limiter.Take("c", t0 + 4s), 6);
}

TEST(RateLimiterTest, ManyClientsStayBounded) {
  RateLimiter limiter(1000.0, 1.0);
  const auto t0 = RateLimiter::Clock::now();
  for (size_t i = 0; i < RateLimiter::kMaxClients + 10; ++i) {
    EXPECT_EQ(limiter.Take("client-" + std::to_string(i), t0 + std::chrono::microseconds(i)), 0);
  }
}

// Worker threads take tokens for the same client at once: the bucket never grants more
// than its burst at one instant (run under the tsan preset, this is also a race check).
TEST(RateLimiterTest, ConcurrentCallersNeverShareMoreThanTheBurst) {
  RateLimiter limiter(1.0, 50.0);
  const auto t0 = RateLimiter::Clock::now();
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (limiter.Take("10.0.0.1", t0) == 0) granted.fetch_add(1);
        limiter.Take("10.0.0." + std::to_string(2 + i % 5), t0);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 50);
}

}  // namespace
}  // namespace psafe::http
