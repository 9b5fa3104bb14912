// RateLimiter: one token bucket per client (keyed by its address). `rate` tokens a second
// refill each bucket up to `burst`; a call takes one token or is refused with the seconds
// until the next one (the 429's Retry-After). Memory stays bounded: full buckets are
// dropped as they are found idle, and at most kMaxClients buckets exist.
// Thread-safety: Take may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace psafe::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxClients = 100000;

  RateLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst) {}

  // 0 when the call may go ahead; otherwise the whole seconds to wait (at least 1).
  int64_t Take(std::string_view client, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void Prune(Clock::time_point now);
  // Looks a client up by its string_view: no string is built for a client already known.
  struct ClientHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  const double rate_;
  const double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket, ClientHash, std::equal_to<>> buckets_;
  uint64_t calls_ = 0;
};

}  // namespace psafe::http
