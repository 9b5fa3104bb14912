#include "store/open_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <thread>
#include <iterator>

#include "domain/estate_service.h"
#include "fixtures/test_env.h"
#include "store/durability.h"
#include "store/migrations.h"
#include "store/postgres_connection.h"
#include "store/sqlite_connection.h"

namespace psafe::store {
namespace {

using testing::StoreEnv;

// A workgroup "wg" (created once) holding a system `name`; returns the system id.
int64_t AddSystem(StoreEnv& env, const std::string& name) {
  auto wg = env.store->FindWorkgroupByName("wg");
  int64_t wg_id = wg.ok() ? wg->id : env.store->CreateWorkgroup({0, "org", "wg", ""}).value();
  domain::ManagedSystem sys;
  sys.workgroup_id = wg_id;
  sys.name = name;
  sys.platform_id = 2;
  return env.store->CreateManagedSystem(sys).value();
}

Result<int64_t> AddAccount(StoreEnv& env, domain::ManagedAccount a) {
  return env.store->CreateManagedAccount(a, [](int64_t) { return domain::SealedCredentials{}; });
}

std::string ReadFileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(SqliteFileTest, OpensWithWalFullSyncForeignKeysAndCurrentSchema) {
  StoreEnv env;
  auto db = std::move(OpenSqliteConnection(env.db_path())).value();
  auto pragma = [&](const char* sql) {
    auto st = std::move(db->Prepare(sql)).value();
    EXPECT_TRUE(st.Step().value());
    return st.Text(0);
  };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(pragma("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(pragma("PRAGMA user_version"), std::to_string(KnownSchemaVersion()));
}

TEST(StoreTest, ReopeningAppliesNoMigrationTwiceAndKeepsData) {
  StoreEnv env;
  ASSERT_TRUE(env.store->CreateWorkgroup({0, "org", "wg", ""}).ok());
  env.store.reset();
  auto reopened = env.Open();
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->FindWorkgroupByName("WG").ok());
}

TEST(StoreTest, RefusesSchemaNewerThanItKnows) {
  StoreEnv env;
  env.store.reset();
  {
    auto db = std::move(env.Connect()).value();
    ASSERT_TRUE(db->Exec(db->dialect() == SqlDialect::kSqlite ? "PRAGMA user_version = 999"
                                                              : "UPDATE psafe_schema SET version = 999").ok());
  }
  auto reopened = env.Open();
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
}

TEST(StoreTest, NamesAreUniqueCaseInsensitively) {
  StoreEnv env;
  ASSERT_TRUE(env.store->CreateWorkgroup({0, "org", "Prod", ""}).ok());
  auto dup = env.store->CreateWorkgroup({0, "org", "PROD", ""});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
}

// What psafed logs or prints of a store URL: the password, in either place libpq takes it, never.
TEST(StoreTest, RedactedUrlHidesThePasswordWhereverTheUrlHoldsIt) {
  EXPECT_EQ(RedactedUrl("postgresql://u:s3cret@h:5432/db?sslmode=verify-full"),
            "postgresql://u:***@h:5432/db?sslmode=verify-full");
  EXPECT_EQ(RedactedUrl("postgresql://u@h/db?password=s3cret&sslmode=require"),
            "postgresql://u@h/db?password=***&sslmode=require");
  EXPECT_EQ(RedactedUrl("postgresql://u@h/db?sslmode=require&password=s3cret"),
            "postgresql://u@h/db?sslmode=require&password=***");
  EXPECT_EQ(RedactedUrl("postgresql://u@h/db?sslmode=require"), "postgresql://u@h/db?sslmode=require");
}

// PSRUN nonces live in the store so that every node refuses a replay.
TEST(StoreTest, NoncesAreSpentOnceUntilTheyExpire) {
  StoreEnv env;
  EXPECT_TRUE(*env.store->SpendNonce("a", 1000, 1600));
  EXPECT_FALSE(*env.store->SpendNonce("a", 1300, 1900));
  EXPECT_TRUE(*env.store->SpendNonce("b", 1001, 1601));
  EXPECT_TRUE(*env.store->SpendNonce("a", 1600, 2200));  // expired: no timestamp can carry it now
  ASSERT_TRUE(env.store->DeleteExpiredNonces(1700).ok());
  EXPECT_FALSE(*env.store->SpendNonce("a", 1700, 2300));  // the renewed one is still spent
}

// A signed call replayed at the same moment on several connections: exactly one wins.
TEST(StoreTest, ARacedNonceIsSpentExactlyOnce) {
  StoreEnv env;
  for (int round = 0; round < 50; ++round) {
    const std::string nonce = "n" + std::to_string(round);
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        auto r = env.store->SpendNonce(nonce, 1000 + round, 1600 + round);
        if (r.ok() && *r) accepted.fetch_add(1);
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(accepted.load(), 1) << nonce;
  }
}

// Background work runs on one node: a lease has one holder until it expires or is released.
TEST(StoreTest, ALeaseHasOneHolderUntilItExpiresOrIsReleased) {
  StoreEnv env;
  EXPECT_TRUE(*env.store->TryHoldLease("sweeper", "node-1", 1000, 1030));
  EXPECT_FALSE(*env.store->TryHoldLease("sweeper", "node-2", 1010, 1040));
  EXPECT_TRUE(*env.store->TryHoldLease("sweeper", "node-1", 1020, 1050));  // renewed
  EXPECT_TRUE(*env.store->TryHoldLease("rotation", "node-2", 1020, 1050));  // another lease
  EXPECT_FALSE(*env.store->TryHoldLease("sweeper", "node-2", 1049, 1079));
  EXPECT_TRUE(*env.store->TryHoldLease("sweeper", "node-2", 1050, 1080));  // expired: taken over
  EXPECT_FALSE(*env.store->TryHoldLease("sweeper", "node-1", 1051, 1081));
  ASSERT_TRUE(env.store->ReleaseLease("sweeper", "node-2").ok());
  EXPECT_TRUE(*env.store->TryHoldLease("sweeper", "node-1", 1052, 1082));
}

// A unique violation and a foreign-key violation are told apart by the database's codes.
TEST(StoreTest, UniqueAndForeignKeyViolationsAreDistinctErrors) {
  StoreEnv env;
  auto db = std::move(env.Connect()).value();
  ASSERT_TRUE(db->Exec("INSERT INTO workgroups(organization_id, name) VALUES ('o', 'w')").ok());
  EXPECT_EQ(db->Exec("INSERT INTO workgroups(organization_id, name) VALUES ('o', 'W')").code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(db->Exec("INSERT INTO user_group_members(group_id, user_id) VALUES (999, 999)").code(),
            StatusCode::kConflict);
}

// The acceptance test: a stored password's plaintext is not in the database file.
TEST(SqliteFileTest, StoredPasswordPlaintextIsNotInTheDatabaseFile) {
  StoreEnv env;
  domain::EstateService estate(env.store->ports(), *env.keyring, env.clock, *env.audit);
  domain::Principal admin;
  admin.user.is_administrator = true;
  auto wg = estate.CreateWorkgroup(admin, {0, "", "wg", ""});
  ASSERT_TRUE(wg.ok());
  domain::ManagedSystem sys;
  sys.name = "sys";
  sys.platform_id = 2;
  auto created_sys = estate.CreateSystemInWorkgroup(admin, wg->id, sys);
  ASSERT_TRUE(created_sys.ok());
  const std::string sentinel = "Sentinel-Plaintext-Password-7731";
  domain::ManagedAccount acct;
  acct.name = "root";
  domain::NewCredentials creds;
  creds.password.emplace(std::string_view(sentinel));
  auto view = estate.CreateAccount(admin, created_sys->id, acct, std::move(creds));
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->account.has_password);

  // The sealed value opens to the password, bound to this account's id.
  auto sealed = env.store->GetSealedCredentials(view->account.id);
  ASSERT_TRUE(sealed.ok() && sealed->password.has_value());
  auto plain = env.keyring->Unseal(*sealed->password,
                                   domain::CredentialContext(view->account.id, "password"));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->view(), sentinel);

  env.store.reset();  // checkpoint and close
  for (const char* suffix : {"", "-wal", "-shm"}) {
    auto path = env.db_path().string() + suffix;
    if (!std::filesystem::exists(path)) continue;
    EXPECT_EQ(ReadFileBytes(path).find(sentinel), std::string::npos) << path;
  }
}

TEST(StoreTest, DeletingASystemRemovesItsAccounts) {
  StoreEnv env;
  int64_t sys_id = AddSystem(env, "s");
  domain::ManagedAccount a;
  a.system_id = sys_id;
  a.name = "acct";
  auto acct_id = AddAccount(env, a);
  ASSERT_TRUE(acct_id.ok());
  ASSERT_TRUE(env.store->DeleteManagedSystem(sys_id).ok());
  EXPECT_EQ(env.store->FindManagedAccount(*acct_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.store->DeleteManagedSystem(sys_id).code(), StatusCode::kNotFound);
}

TEST(StoreTest, AccountListFiltersAndPages) {
  StoreEnv env;
  for (const char* name : {"alpha", "beta"}) {
    int64_t id = AddSystem(env, name);
    for (int i = 0; i < 3; ++i) {
      domain::ManagedAccount a;
      a.system_id = id;
      a.name = "acct" + std::to_string(i);
      ASSERT_TRUE(AddAccount(env, a).ok());
    }
  }
  domain::AccountFilter f;
  f.system_name = "ALPHA";
  f.account_name = "Acct1";
  auto one = env.store->ListManagedAccounts(f);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->items.size(), 1u);
  EXPECT_EQ(one->items[0].system.name, "alpha");
  EXPECT_EQ(one->items[0].workgroup_name, "wg");

  domain::AccountFilter paged;
  paged.page = {2, 3};
  auto page = env.store->ListManagedAccounts(paged);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 6);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].system.name, "beta");
}

TEST(StoreTest, AccountTypeFilter) {
  StoreEnv env;
  int64_t sys_id = AddSystem(env, "s");
  domain::ManagedAccount local, domain_acct;
  local.system_id = domain_acct.system_id = sys_id;
  local.name = "local";
  domain_acct.name = "svc";
  domain_acct.domain_name = "corp.example";
  ASSERT_TRUE(AddAccount(env, local).ok());
  ASSERT_TRUE(AddAccount(env, domain_acct).ok());
  domain::AccountFilter f;
  EXPECT_EQ(env.store->ListManagedAccounts(f)->items.size(), 2u);
  f.type = domain::AccountType::kDomainLinked;
  auto linked = env.store->ListManagedAccounts(f);
  ASSERT_EQ(linked->items.size(), 1u);
  EXPECT_EQ(linked->items[0].account.name, "svc");
  f.type = domain::AccountType::kNone;
  EXPECT_EQ(env.store->ListManagedAccounts(f)->items.size(), 0u);
}


}  // namespace
}  // namespace psafe::store

namespace psafe::store {
namespace {

// Group commit: concurrent changes share transactions, yet each one is all-or-nothing on
// its own and the caller sees its own outcome.
TEST(StoreTest, ConcurrentChangesSucceedOrFailAlone) {
  testing::StoreEnv env;
  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const bool fail = (t * kPerThread + i) % 7 == 0;
        Status s = env.store->Atomically([&]() -> Status {
          auto id = env.store->CreateWorkgroup({0, "org", "wg-" + std::to_string(t) + "-" + std::to_string(i), ""});
          if (!id.ok()) return id.status();
          // A nested Atomically joins the batch.
          PSAFE_RETURN_IF_ERROR(env.store->Atomically([] { return Status::OK(); }));
          return fail ? Status::Conflict("refused after writing") : Status::OK();
        });
        EXPECT_EQ(s.ok(), !fail);
        (s.ok() ? ok : failed)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  auto all = env.store->ListWorkgroups();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(static_cast<int>(all->size()), ok.load());
  EXPECT_GT(failed.load(), 0);
  for (const auto& wg : *all) {
    const auto dash = wg.name.find('-', 3);
    const int t = std::stoi(wg.name.substr(3, dash - 3)), i = std::stoi(wg.name.substr(dash + 1));
    EXPECT_NE((t * kPerThread + i) % 7, 0) << wg.name << " survived its failed change";
  }
}


// Submit (what an HTTP handler hands on): from a deferred scope each change runs later on
// the committer, all-or-nothing on its own; when the response's gate opens for the
// scope's horizon, the change is committed, or the scope is refused if it failed. On a
// store that does not defer (PostgreSQL), or outside a deferred scope, Submit is Atomically.
TEST(StoreTest, SubmittedChangesAreInBeforeTheGateOpensOrRefuseTheResponse) {
  testing::StoreEnv env;
  constexpr int kThreads = 4, kRounds = 60;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const bool fail = (t + i) % 5 == 0;
        const std::string name = "sub-" + std::to_string(t) + "-" + std::to_string(i);
        std::shared_ptr<const std::atomic<bool>> refused;
        uint64_t horizon = 0;
        Status s;
        {
          DeferDurability scope;
          s = env.store->Submit([&env, name, fail]() -> Status {
            PSAFE_RETURN_IF_ERROR(env.store->CreateWorkgroup({0, "org", name, ""}).status());
            return fail ? Status::Conflict("refused after writing") : Status::OK();
          });
          horizon = env.store->durability().Horizon();
          refused = DeferDurability::Refused();
        }
        std::promise<void> open;
        env.store->durability().WhenDurable(horizon, [&open] { open.set_value(); });
        open.get_future().wait();
        const bool failure_seen = !s.ok() || (refused != nullptr && refused->load());
        EXPECT_EQ(failure_seen, fail) << name;
        EXPECT_EQ(env.store->FindWorkgroupByName(name).ok(), !fail) << name;
      }
    });
  }
  for (auto& th : threads) th.join();

  // Outside a deferred scope the caller gets the outcome itself.
  EXPECT_EQ(env.store->Submit([] { return Status::Conflict("no"); }).code(), StatusCode::kConflict);
  EXPECT_TRUE(env.store->Submit([&] { return env.store->CreateWorkgroup({0, "org", "direct", ""}).status(); }).ok());
  EXPECT_TRUE(env.store->FindWorkgroupByName("direct").ok());
}

// Aliases: a change is a compare-and-set on the version; the mapping keeps its order, and an
// account's deletion unmaps it from every alias.
TEST(StoreTest, AnAliasUpdateIsACompareAndSetAndAnAccountsDeletionUnmapsIt) {
  testing::StoreEnv env;
  domain::ManagedAccount a;
  a.system_id = AddSystem(env, "alias-sys");
  a.name = "one";
  const int64_t one = AddAccount(env, a).value();
  a.name = "two";
  const int64_t two = AddAccount(env, a).value();
  domain::Alias alias;
  alias.name = "Role";
  alias.account_ids = {two, one};
  const int64_t id = env.store->CreateAlias(alias).value();
  EXPECT_EQ(env.store->CreateAlias(alias).status().code(), StatusCode::kAlreadyExists);
  domain::Alias first = env.store->FindAliasByName("ROLE").value();
  EXPECT_EQ(first.account_ids, (std::vector<int64_t>{two, one}));
  domain::Alias second = first;  // two administrators read the same version
  first.account_ids = {one};
  second.name = "Other";
  ASSERT_TRUE(env.store->UpdateAlias(first).ok());
  EXPECT_EQ(env.store->UpdateAlias(second).code(), StatusCode::kConflict);
  EXPECT_EQ(env.store->FindAlias(id)->name, "Role");
  EXPECT_EQ(env.store->FindAlias(id)->account_ids, std::vector<int64_t>{one});
  ASSERT_TRUE(env.store->DeleteManagedAccount(one).ok());
  EXPECT_TRUE(env.store->FindAlias(id)->account_ids.empty());
  EXPECT_EQ(env.store->ListAliases()->size(), 1u);
  ASSERT_TRUE(env.store->DeleteAlias(id).ok());
  EXPECT_EQ(env.store->FindAlias(id).status().code(), StatusCode::kNotFound);
  domain::Alias gone = first;
  EXPECT_EQ(env.store->UpdateAlias(gone).code(), StatusCode::kNotFound);
}


int64_t AddUser(StoreEnv& env, const std::string& name) {
  domain::User u;
  u.user_name = name;
  return env.store->CreateUser(u).value();
}

// A request by a new user `user` on a new account of a new system `system`.
domain::Request NewRequest(StoreEnv& env, const std::string& system, const std::string& user) {
  domain::ManagedAccount a;
  a.system_id = AddSystem(env, system);
  a.name = "acct";
  domain::Request r;
  r.account_id = AddAccount(env, a).value();
  r.system_id = a.system_id;
  r.user_id = AddUser(env, user);
  r.duration_minutes = 5;
  r.expires_at = 4'000'000'000;
  return r;
}

TEST(StoreTest, ARequestUpdateIsACompareAndSetOnItsVersion) {
  StoreEnv env;
  const domain::Request r = NewRequest(env, "cas", "alice");
  const int64_t id = env.store->CreateRequest(r, domain::ConflictOption::kNone, 0).value().id;
  domain::Request first = env.store->FindRequest(id).value();
  domain::Request second = first;  // two writers read the same version
  first.status = domain::RequestStatus::kApproved;
  second.status = domain::RequestStatus::kDenied;
  ASSERT_TRUE(env.store->UpdateRequest(first).ok());
  EXPECT_EQ(env.store->UpdateRequest(second).code(), StatusCode::kConflict);
  EXPECT_EQ(env.store->FindRequest(id)->status, domain::RequestStatus::kApproved);
  EXPECT_EQ(env.store->FindRequest(id)->version, first.version + 1);
}

TEST(StoreTest, MaxOpenRequestsCountsEveryonesOpenRequests) {
  StoreEnv env;
  domain::Request r = NewRequest(env, "limit", "u1");
  ASSERT_TRUE(env.store->CreateRequest(r, domain::ConflictOption::kNone, 0, 1).ok());
  r.user_id = AddUser(env, "u2");
  EXPECT_EQ(env.store->CreateRequest(r, domain::ConflictOption::kNone, 0, 1).status().code(), StatusCode::kConflict);
  EXPECT_TRUE(env.store->CreateRequest(r, domain::ConflictOption::kNone, 0, 2).ok());
}

TEST(StoreTest, ADeletedUserWithHistoryIsATombstoneThatFreesItsName) {
  StoreEnv env;
  const domain::Request r = NewRequest(env, "tomb", "bob");
  const int64_t request = env.store->CreateRequest(r, domain::ConflictOption::kNone, 0).value().id;
  const int64_t quiet = AddUser(env, "carol");
  ASSERT_TRUE(env.store->DeleteUser(r.user_id).ok());
  ASSERT_TRUE(env.store->DeleteUser(quiet).ok());
  EXPECT_EQ(env.store->DeleteUser(quiet).code(), StatusCode::kNotFound);
  EXPECT_EQ(env.store->FindUserByName("bob").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.store->FindUserById(r.user_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.store->FindRequest(request)->user_id, r.user_id);  // history keeps its owner
  EXPECT_NE(AddUser(env, "bob"), r.user_id);
}

TEST(StoreTest, StaleFailureCountsAreForgottenButLocksInForceAreKept) {
  testing::StoreEnv env;
  ASSERT_TRUE(env.store->PutAuthFailures("old", {3, 100, 0}).ok());
  ASSERT_TRUE(env.store->PutAuthFailures("locked", {5, 100, 2000}).ok());
  ASSERT_TRUE(env.store->PutAuthFailures("recent", {1, 1500, 0}).ok());
  ASSERT_TRUE(env.store->DeleteStaleAuthFailures(1000, 1600).ok());
  EXPECT_EQ(env.store->GetAuthFailures("old")->failures, 0);
  EXPECT_EQ(env.store->GetAuthFailures("locked")->failures, 5);
  EXPECT_EQ(env.store->GetAuthFailures("recent")->failures, 1);
}


// --- Rotations (docs/ROTATION.md) ---

int64_t AddAutoManagedAccount(StoreEnv& env, const std::string& system, int64_t next_change_at) {
  domain::ManagedAccount a;
  a.system_id = AddSystem(env, system);
  a.name = "managed";
  a.auto_management = true;
  a.next_change_at = next_change_at;
  return env.store->CreateManagedAccount(a, [](int64_t) {
    return domain::SealedCredentials{std::string("current-ct"), std::nullopt, std::nullopt};
  }).value();
}

TEST(StoreTest, ARotationIsACompareAndSetFromInsertToCommit) {
  StoreEnv env;
  const int64_t id = AddAutoManagedAccount(env, "rot", 0);
  domain::Rotation r;
  r.account_id = id;
  r.trigger = "change";
  r.next_try_at = 10;
  ASSERT_TRUE(env.store->PutRotation(r).ok());
  EXPECT_EQ(env.store->PutRotation(r).code(), StatusCode::kConflict);  // one change per account
  domain::Rotation stored = env.store->FindRotation(id).value().value();
  EXPECT_EQ(stored.version, 1);
  EXPECT_EQ(env.store->FindManagedAccount(id)->account.change_state, 2);  // queued

  domain::Rotation a = stored, b = stored;  // two workers read version 1
  a.step = domain::RotationStep::kPending;
  a.pending_password = "pending-ct";
  b.step = domain::RotationStep::kFailed;
  ASSERT_TRUE(env.store->PutRotation(a).ok());
  EXPECT_EQ(env.store->PutRotation(b).code(), StatusCode::kConflict);
  EXPECT_EQ(env.store->FindManagedAccount(id)->account.change_state, 1);  // changing

  EXPECT_EQ(env.store->CommitRotation(id, 1, 20, std::nullopt).code(), StatusCode::kConflict);  // stale
  EXPECT_EQ(*env.store->GetSealedCredentials(id)->password, "current-ct");  // nothing half-written
  ASSERT_TRUE(env.store->CommitRotation(id, 2, 20, 99).ok());
  EXPECT_EQ(*env.store->GetSealedCredentials(id)->password, "pending-ct");
  EXPECT_FALSE(env.store->FindRotation(id)->has_value());
  const auto account = env.store->FindManagedAccount(id).value().account;
  EXPECT_EQ(account.change_state, 0);
  EXPECT_EQ(account.last_change_at, 20);
  EXPECT_EQ(account.next_change_at, 99);
}

TEST(StoreTest, ScheduledChangesSkipAccountsInFlightOrCheckedOut) {
  StoreEnv env;
  const int64_t due = AddAutoManagedAccount(env, "due", 100);
  const int64_t later = AddAutoManagedAccount(env, "later", 5000);
  const int64_t inflight = AddAutoManagedAccount(env, "inflight", 100);
  const int64_t out = AddAutoManagedAccount(env, "out", 100);
  domain::Rotation r;
  r.account_id = inflight;
  r.trigger = "change";
  ASSERT_TRUE(env.store->PutRotation(r).ok());
  domain::Request q;
  q.account_id = out;
  q.system_id = env.store->FindManagedAccount(out)->system.id;
  q.user_id = AddUser(env, "holder");
  q.duration_minutes = 5;
  q.status = domain::RequestStatus::kApproved;
  q.expires_at = 4'000'000'000;
  ASSERT_TRUE(env.store->CreateRequest(q, domain::ConflictOption::kNone, 0).ok());
  EXPECT_EQ(env.store->ListAccountsDueForChange(1000, 10).value(), std::vector<int64_t>{due});
  (void)later;
}

}  // namespace
}  // namespace psafe::store
