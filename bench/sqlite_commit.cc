// psafe-bench-commit: the store's own ceiling. Durable single-row commits per second on a
// SQLite file with psafed's pragmas (WAL, synchronous=FULL), from one thread.
//
//   psafe-bench-commit DB_PATH SECONDS
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "store/sqlite_connection.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: psafe-bench-commit DB_PATH SECONDS\n");
    return 2;
  }
  std::filesystem::remove(argv[1]);
  auto db = psafe::store::OpenSqliteConnection(argv[1]);
  if (!db.ok() || !(*db)->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)").ok()) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(std::atof(argv[2]));
  const auto t0 = std::chrono::steady_clock::now();
  long long commits = 0;
  while (std::chrono::steady_clock::now() < end) {
    psafe::store::Transaction tx(**db);
    auto st = (*db)->Prepare("INSERT INTO t(v) VALUES (?)");
    if (!st.ok()) return 1;
    st->BindBlob(1, std::string(200, 'x'));
    if (!st->Run().ok() || !tx.Commit().ok()) return 1;
    ++commits;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"commits\":%lld,\"seconds\":%.2f,\"commits_per_s\":%.1f}\n", commits, secs, commits / secs);
  return 0;
}
