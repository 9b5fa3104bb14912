// FailureBudget: how many failed sign-ins from one source reach the audit trail.
// Anyone can fail a sign-in, so without a bound an anonymous caller could grow the trail at
// will. Each source address gets `per_window` records per window; the failures past that
// are counted, and the first record the source earns in a later window carries the count
// ("Suppressed"), so nothing is hidden, only aggregated. Memory is bounded too: past
// `max_sources` addresses, the rest share one budget. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace psafe::domain {

class FailureBudget {
 public:
  FailureBudget(int per_window, int64_t window_seconds, size_t max_sources = 4096)
      : per_window_(per_window), window_seconds_(window_seconds), max_sources_(max_sources) {}

  // True when this failure is recorded; then `*suppressed` is how many were not since the
  // source's last record.
  bool Admit(std::string_view source, int64_t now, int64_t* suppressed);

 private:
  struct Window {
    int64_t started = 0;
    int recorded = 0;
    int64_t suppressed = 0;
  };
  const int per_window_;
  const int64_t window_seconds_;
  const size_t max_sources_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;  // guarded by mu_
};

}  // namespace psafe::domain
