// Searching Secrets Safe by title or path uses indexes (issue: 100,000 secrets, never a
// scan of values). SQLite's own FULLSCAN_STEP counter proves no table was scanned.
#include <gtest/gtest.h>

#include <chrono>

#include "fixtures/test_env.h"
#include "store/sqlite_connection.h"

namespace psafe::store {
namespace {

constexpr int kFolders = 1000;
constexpr int kPerFolder = 100;  // 100,000 secrets

TEST(SqliteSecretSearchTest, TitleAndPathLookupsOver100kSecretsUseIndexes) {
  testing::StoreEnv env;
  ASSERT_TRUE(env.store->Atomically([&]() -> Status {
    domain::SecretFolder root{"00000000-0000-4000-8000-000000000000", std::nullopt, "Root", "", "Root",
                              std::nullopt, 1};
    PSAFE_RETURN_IF_ERROR(env.store->CreateFolder(root));
    int n = 0;
    for (int f = 0; f < kFolders; ++f) {
      char id[40];
      std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", f + 1);
      domain::SecretFolder folder{id, root.id, "f" + std::to_string(f), "", "Root/f" + std::to_string(f),
                                  std::nullopt, 1};
      PSAFE_RETURN_IF_ERROR(env.store->CreateFolder(folder));
      for (int s = 0; s < kPerFolder; ++s, ++n) {
        domain::Secret x;
        char sid[40];
        std::snprintf(sid, sizeof sid, "10000000-0000-4000-8000-%012d", n);
        x.id = sid;
        x.folder_id = folder.id;
        x.title = "title-" + std::to_string(n);
        x.created_by = x.modified_by = "t";
        PSAFE_RETURN_IF_ERROR(env.store->CreateSecret(x, "sealed"));
      }
    }
    return Status::OK();
  }).ok());

  struct Case {
    const char* what;
    domain::SecretFilter filter;
    size_t expected;
  };
  auto filter = [](std::optional<std::string> path, std::optional<std::string> title) {
    domain::SecretFilter f;
    f.path = std::move(path);
    f.title = std::move(title);
    return f;
  };
  const Case cases[] = {
      {"title", filter(std::nullopt, "TITLE-54321"), 1},
      {"path", filter("root/F500", std::nullopt), kPerFolder},
      {"path and title", filter("Root/f543", "title-54321"), 1},
      {"path and title elsewhere", filter("Root/f1", "title-54321"), 0},
      {"no such title", filter(std::nullopt, "title-x"), 0},
  };
  for (const Case& c : cases) {
    const int64_t scans_before = FullScanSteps();
    const auto t0 = std::chrono::steady_clock::now();
    auto page = env.store->ListSecrets(c.filter);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    ASSERT_TRUE(page.ok()) << c.what;
    EXPECT_EQ(page->items.size(), c.expected) << c.what;
    EXPECT_EQ(page->total, static_cast<int64_t>(c.expected)) << c.what;
    EXPECT_EQ(FullScanSteps() - scans_before, 0) << c.what << ": a table was scanned";
    std::printf("  %-26s %zu hit(s) in %lld us\n", c.what, page->items.size(), static_cast<long long>(us.count()));
  }
}

}  // namespace
}  // namespace psafe::store

namespace psafe::store {
namespace {

// GET ManagedAccounts?systemName=&accountName= among 100,000 accounts, as a user whose
// visibility comes from a role on a smart rule, and the rotation planner's passes (one after
// every check-in): no scan grows with the number of accounts.
TEST(SqliteAccountLookupTest, LookupsAndPlannerPassesAmong100kAccountsScanNothingLarge) {
  testing::StoreEnv env;
  const int64_t wg = env.store->CreateWorkgroup({0, "org", "wg", ""}).value();
  domain::ManagedSystem sys;
  sys.workgroup_id = wg;
  sys.name = "big";
  sys.platform_id = 2;
  const int64_t system_id = env.store->CreateManagedSystem(sys).value();
  ASSERT_TRUE(env.store->Atomically([&]() -> Status {
    for (int i = 0; i < 100000; ++i) {
      domain::ManagedAccount a;
      a.system_id = system_id;
      a.name = "acct-" + std::to_string(i);
      PSAFE_RETURN_IF_ERROR(env.store->CreateManagedAccount(a, [](int64_t) { return domain::SealedCredentials{}; }).status());
    }
    return Status::OK();
  }).ok());
  domain::User u;
  u.user_name = "alice";
  const int64_t user = env.store->CreateUser(u).value();
  domain::UserGroup g;
  g.name = "ops";
  const int64_t group = env.store->CreateUserGroup(g).value();
  ASSERT_TRUE(env.store->AddUserToGroup(group, user).ok());
  domain::SmartRule rule;
  rule.title = "all";
  const int64_t rule_id = env.store->CreateSmartRule(rule).value();
  ASSERT_TRUE(env.store->AssignRole(group, rule_id, domain::Role::kRequestor, std::nullopt).ok());

  for (std::optional<int64_t> visible : {std::optional<int64_t>(), std::optional<int64_t>(user)}) {
    domain::AccountFilter f;
    f.system_name = "BIG";
    f.account_name = "acct-54321";
    f.visible_to_user = visible;
    const int64_t before = FullScanSteps();
    auto page = env.store->ListManagedAccounts(f);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->items.size(), 1u);
    EXPECT_EQ(page->items[0].account.name, "acct-54321");
    // Small tables (role assignments, groups) may be scanned; the 100,000 accounts may not.
    EXPECT_LT(FullScanSteps() - before, 100) << (visible ? "as a user" : "as everyone");
  }
  const int64_t before = FullScanSteps();
  ASSERT_TRUE(env.store->ListAccountsDueForChange(4'000'000'000, 100).ok());
  ASSERT_TRUE(env.store->ListAccountsDueForCheck(4'000'000'000, 100).ok());
  ASSERT_TRUE(env.store->ListRotationsDue(4'000'000'000, 100).ok());
  EXPECT_LT(FullScanSteps() - before, 100) << "a planner pass scanned the accounts";
}

}  // namespace
}  // namespace psafe::store
