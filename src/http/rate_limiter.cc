#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace psafe::http {

int64_t RateLimiter::Take(std::string_view client, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (++calls_ % 4096 == 0 || buckets_.size() >= kMaxClients) Prune(now);
  auto it = buckets_.find(client);
  const bool fresh = it == buckets_.end();
  if (fresh) it = buckets_.emplace(std::string(client), Bucket{burst_, now}).first;
  Bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - b.tokens) / rate_)));
}

// Drops the buckets that have refilled completely: forgetting them changes nothing.
void RateLimiter::Prune(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    it = it->second.tokens + elapsed * rate_ >= burst_ ? buckets_.erase(it) : std::next(it);
  }
  // Still full of distinct, busy clients: start over rather than grow without bound.
  if (buckets_.size() >= kMaxClients) buckets_.clear();
}

}  // namespace psafe::http
