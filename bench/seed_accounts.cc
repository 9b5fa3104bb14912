// psafe-bench-seed: adds COUNT managed accounts PREFIX0..PREFIX<COUNT-1> (no credentials) to
// system SYSTEM_ID straight through the store, 10,000 per transaction, so the 1,000,000
// account benchmark does not spend an hour on the API. psafed must not be running.
// STORE is a SQLite file, or a postgresql:// URL (the password in PSAFE_STORE_PASSWORD).
//
//   psafe-bench-seed STORE SYSTEM_ID COUNT PREFIX
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "store/open_store.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: psafe-bench-seed STORE SYSTEM_ID COUNT PREFIX\n");
    return 2;
  }
  const std::string where = argv[1];
  auto store = [&] {
    if (where.rfind("postgresql://", 0) != 0) return psafe::store::OpenSqliteStore(where);
    psafe::store::PostgresOptions options;
    options.url = where;
    if (const char* pw = std::getenv("PSAFE_STORE_PASSWORD")) options.password = pw;
    options.statement_timeout_ms = 0;
    return psafe::store::OpenPostgresStore(options, 1);
  }();
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  const int64_t system_id = std::atoll(argv[2]);
  const int64_t count = std::atoll(argv[3]);
  const std::string prefix = argv[4];
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t done = 0; done < count;) {
    const int64_t batch = std::min<int64_t>(10000, count - done);
    psafe::Status s = (*store)->Atomically([&]() -> psafe::Status {
      for (int64_t i = 0; i < batch; ++i) {
        psafe::domain::ManagedAccount a;
        a.system_id = system_id;
        a.name = prefix + std::to_string(done + i);
        auto id = (*store)->CreateManagedAccount(a, [](int64_t) { return psafe::domain::SealedCredentials{}; });
        if (!id.ok()) return id.status();
      }
      return psafe::Status::OK();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    done += batch;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"accounts\":%lld,\"seconds\":%.2f}\n", static_cast<long long>(count), secs);
  return 0;
}
