// ConnectionPool: hands each thread a connection for the length of a store call. A thread
// that already holds one (a call made inside Atomically, or by another store method) gets
// the same connection back, so nested calls join its transaction.
//
// SQLite runs a pool of one: that single connection is the writer lock SQLite needs anyway.
// PostgreSQL runs a bounded pool: at most `max_size` connections are open, a caller waits up
// to `wait` for one, a lost connection is dropped rather than handed out again, and opening
// one after a failure waits a backoff (100 ms doubling to 5 s) so an unreachable database
// answers 503 at once instead of queueing every request behind a connect timeout.
// Thread-safety: Acquire and Lease may be used from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/result.h"
#include "store/sql_connection.h"

namespace psafe::store {

class ConnectionPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<SqlConnection>>()>;
  ConnectionPool(SqlDialect dialect, Opener open, size_t max_size, std::chrono::milliseconds wait);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& o) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    const Status& status() const { return status_; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, SqlConnection* conn, bool owner, Status status)
        : pool_(pool), conn_(conn), owner_(owner), status_(std::move(status)) {}
    ConnectionPool* pool_;
    SqlConnection* conn_;
    bool owner_;
    Status status_;
  };

  // The calling thread's connection, or a free one; check status() before Current().
  Lease Acquire();
  // The connection the calling thread holds through a live Lease.
  SqlConnection& Current();
  bool HeldByThisThread() const;
  SqlDialect dialect() const { return dialect_; }

 private:
  void Release(SqlConnection* conn);
  Result<std::unique_ptr<SqlConnection>> OpenWithBackoff(std::unique_lock<std::mutex>& lk);

  Opener open_;
  const size_t max_size_;
  const std::chrono::milliseconds wait_;
  const SqlDialect dialect_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;  // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<SqlConnection>> busy_;  // GUARDED_BY(mu_)
  size_t opening_ = 0;                                // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point retry_at_{};  // GUARDED_BY(mu_)
  std::chrono::milliseconds backoff_{0};              // GUARDED_BY(mu_)
  Status last_open_error_;                            // GUARDED_BY(mu_)
};

}  // namespace psafe::store
