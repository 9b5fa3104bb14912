#include "domain/failure_budget.h"

#include <iterator>

namespace psafe::domain {

bool FailureBudget::Admit(std::string_view source, int64_t now, int64_t* suppressed) {
  std::lock_guard<std::mutex> lock(mu_);
  if (windows_.size() >= max_sources_ && windows_.find(std::string(source)) == windows_.end()) {
    // Forget sources whose window ended with nothing owed; if all are live, share one.
    for (auto it = windows_.begin(); it != windows_.end();) {
      it = now - it->second.started >= window_seconds_ && it->second.suppressed == 0 ? windows_.erase(it) : std::next(it);
    }
    if (windows_.size() >= max_sources_) source = "*";
  }
  Window& w = windows_[std::string(source)];
  if (now - w.started >= window_seconds_) {
    w.started = now;
    w.recorded = 0;
  }
  if (w.recorded >= per_window_) {
    ++w.suppressed;
    return false;
  }
  ++w.recorded;
  *suppressed = w.suppressed;
  w.suppressed = 0;
  return true;
}

}  // namespace psafe::domain
