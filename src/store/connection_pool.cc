#include "store/connection_pool.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace psafe::store {

namespace {

// The connections this thread holds, by pool (a thread rarely holds more than one).
thread_local std::vector<std::pair<const ConnectionPool*, SqlConnection*>> t_held;

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};

}  // namespace

ConnectionPool::ConnectionPool(SqlDialect dialect, Opener open, size_t max_size, std::chrono::milliseconds wait)
    : open_(std::move(open)), max_size_(std::max<size_t>(1, max_size)), wait_(wait), dialect_(dialect) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::Lease(Lease&& o) noexcept
    : pool_(o.pool_), conn_(o.conn_), owner_(o.owner_), status_(std::move(o.status_)) {
  o.owner_ = false;
  o.conn_ = nullptr;
}

ConnectionPool::Lease::~Lease() {
  if (owner_ && conn_ != nullptr) pool_->Release(conn_);
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  for (const auto& [pool, conn] : t_held) {
    if (pool == this) return Lease(this, conn, false, Status::OK());
  }
  std::unique_lock<std::mutex> lk(mu_);
  const auto deadline = std::chrono::steady_clock::now() + wait_;
  SqlConnection* conn = nullptr;
  while (conn == nullptr) {
    if (!idle_.empty()) {
      busy_.push_back(std::move(idle_.back()));
      idle_.pop_back();
      conn = busy_.back().get();
    } else if (busy_.size() + opening_ < max_size_) {
      auto opened = OpenWithBackoff(lk);
      if (!opened.ok()) return Lease(this, nullptr, false, opened.status());
      busy_.push_back(std::move(opened).value());
      conn = busy_.back().get();
    } else if (cv_.wait_until(lk, deadline) == std::cv_status::timeout &&
               std::chrono::steady_clock::now() >= deadline) {
      return Lease(this, nullptr, false,
                   Status::Unavailable("all " + std::to_string(max_size_) + " database connections are busy"));
    }
  }
  t_held.emplace_back(this, conn);
  return Lease(this, conn, true, Status::OK());
}

Result<std::unique_ptr<SqlConnection>> ConnectionPool::OpenWithBackoff(std::unique_lock<std::mutex>& lk) {
  if (std::chrono::steady_clock::now() < retry_at_) return last_open_error_;
  ++opening_;
  lk.unlock();
  auto opened = open_();
  lk.lock();
  --opening_;
  if (opened.ok()) {
    backoff_ = std::chrono::milliseconds(0);
    return opened;
  }
  backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
  retry_at_ = std::chrono::steady_clock::now() + backoff_;
  last_open_error_ = opened.status();
  cv_.notify_all();
  return opened.status();
}

SqlConnection& ConnectionPool::Current() {
  for (const auto& [pool, conn] : t_held) {
    if (pool == this) return *conn;
  }
  std::fputs("psafed: store call without a connection lease (a bug)\n", stderr);
  std::abort();
}

bool ConnectionPool::HeldByThisThread() const {
  return std::any_of(t_held.begin(), t_held.end(), [this](const auto& held) { return held.first == this; });
}

void ConnectionPool::Release(SqlConnection* conn) {
  auto held = std::find(t_held.begin(), t_held.end(), std::pair<const ConnectionPool*, SqlConnection*>(this, conn));
  if (held != t_held.end()) t_held.erase(held);
  // A transaction left open by a failed call must not leak into the next caller's.
  if (conn->Healthy() && conn->InTransaction()) (void)conn->Exec("ROLLBACK");
  std::lock_guard<std::mutex> lk(mu_);
  auto it = std::find_if(busy_.begin(), busy_.end(), [&](const auto& c) { return c.get() == conn; });
  if (it == busy_.end()) return;
  if (conn->Healthy()) idle_.push_back(std::move(*it));
  busy_.erase(it);  // an unhealthy connection closes here; the next caller opens a fresh one
  cv_.notify_one();
}

}  // namespace psafe::store
