#include "domain/estate_service.h"

#include <gtest/gtest.h>

#include "fixtures/test_env.h"

namespace psafe::domain {
namespace {

class EstateServiceTest : public ::testing::Test {
 protected:
  EstateServiceTest() { admin_.user.is_administrator = true; }
  testing::StoreEnv env_;
  EstateService estate_{env_.store->ports(), *env_.keyring, env_.clock, *env_.audit};
  Principal admin_;
  Principal user_;  // not an administrator
};

TEST_F(EstateServiceTest, OnlyAdministratorsCreateAndDelete) {
  EXPECT_EQ(estate_.CreateWorkgroup(user_, {0, "", "wg", ""}).status().code(),
            StatusCode::kPermissionDenied);
  ASSERT_TRUE(estate_.CreateWorkgroup(admin_, {0, "", "wg", ""}).ok());
  EXPECT_EQ(estate_.ListWorkgroups(user_).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(EstateServiceTest, WorkgroupsResolveByIdOrName) {
  auto wg = estate_.CreateWorkgroup(admin_, {0, "", "Prod Servers", ""});
  ASSERT_TRUE(wg.ok());
  EXPECT_FALSE(wg->organization_id.empty());
  EXPECT_EQ(estate_.ResolveWorkgroup(admin_, std::to_string(wg->id))->name, "Prod Servers");
  EXPECT_EQ(estate_.ResolveWorkgroup(admin_, "prod servers")->id, wg->id);
  EXPECT_EQ(estate_.ResolveWorkgroup(admin_, "nope").status().code(), StatusCode::kNotFound);
}

TEST_F(EstateServiceTest, ValidatesSystemsAndAccounts) {
  auto wg = estate_.CreateWorkgroup(admin_, {0, "", "wg", ""}).value();
  ManagedSystem sys;
  sys.name = "s1";
  sys.platform_id = 999;
  EXPECT_EQ(estate_.CreateSystemInWorkgroup(admin_, wg.id, sys).status().code(),
            StatusCode::kInvalidArgument);
  sys.platform_id = 2;
  sys.release_duration = 0;
  EXPECT_EQ(estate_.CreateSystemInWorkgroup(admin_, wg.id, sys).status().code(),
            StatusCode::kInvalidArgument);
  sys.release_duration = 60;
  auto created = estate_.CreateSystemInWorkgroup(admin_, wg.id, sys);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(estate_.CreateSystemInWorkgroup(admin_, wg.id, sys).status().code(), StatusCode::kConflict);

  ManagedAccount acct;
  acct.name = "";
  EXPECT_EQ(estate_.CreateAccount(admin_, created->id, acct, {}).status().code(),
            StatusCode::kInvalidArgument);
  acct.name = "root";
  ASSERT_TRUE(estate_.CreateAccount(admin_, created->id, acct, {}).ok());
  auto dup = estate_.CreateAccount(admin_, created->id, acct, {});
  EXPECT_EQ(dup.status().code(), StatusCode::kConflict);
  EXPECT_EQ(estate_.CreateAccount(admin_, 12345, acct, {}).status().code(), StatusCode::kNotFound);
}

TEST_F(EstateServiceTest, SystemOnAssetInheritsNameAndWorkgroup) {
  auto wg = estate_.CreateWorkgroup(admin_, {0, "", "wg", ""}).value();
  Asset a;
  a.name = "db01";
  a.ip_address = "10.1.1.1";
  auto asset = estate_.CreateAsset(admin_, "wg", a);
  ASSERT_TRUE(asset.ok());
  ManagedSystem sys;
  sys.platform_id = 1;
  auto created = estate_.CreateSystemOnAsset(admin_, asset->id, sys);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->name, "db01");
  EXPECT_EQ(created->workgroup_id, wg.id);
  EXPECT_EQ(created->asset_id.value(), asset->id);
  EXPECT_EQ(created->ip_address, "10.1.1.1");
}

TEST_F(EstateServiceTest, RequestableAccountsAreThoseTheCallerHoldsARoleOn) {
  auto wg = estate_.CreateWorkgroup(admin_, {0, "", "wg", ""}).value();
  ManagedSystem sys;
  sys.platform_id = 2;
  for (const char* name : {"lnx-web", "win-db"}) {
    sys.name = name;
    auto s = estate_.CreateSystemInWorkgroup(admin_, wg.id, sys).value();
    ManagedAccount acct;
    acct.name = "root";
    ASSERT_TRUE(estate_.CreateAccount(admin_, s.id, acct, {}).ok());
  }
  User u;
  u.user_name = "alice";
  user_.user.id = env_.store->CreateUser(u).value();
  // Without a role nobody may request anything, administrators included.
  EXPECT_EQ(estate_.FindRequestableAccounts(admin_, {})->items.size(), 0u);
  EXPECT_EQ(estate_.FindRequestableAccounts(user_, {})->items.size(), 0u);

  UserGroup g;
  g.name = "ops";
  int64_t group = env_.store->CreateUserGroup(g).value();
  ASSERT_TRUE(env_.store->AddUserToGroup(group, user_.user.id).ok());
  SmartRule rule;
  rule.title = "linux";
  rule.system_pattern = "LNX-*";
  int64_t rule_id = env_.store->CreateSmartRule(rule).value();
  ASSERT_TRUE(env_.store->AssignRole(group, rule_id, Role::kApprover, std::nullopt).ok());
  EXPECT_EQ(estate_.FindRequestableAccounts(user_, {})->items.size(), 0u);  // approving is not requesting
  ASSERT_TRUE(env_.store->AssignRole(group, rule_id, Role::kRequestor, std::nullopt).ok());
  auto visible = estate_.FindRequestableAccounts(user_, {});
  ASSERT_EQ(visible->items.size(), 1u);
  EXPECT_EQ(visible->items[0].system.name, "lnx-web");
}

}  // namespace
}  // namespace psafe::domain
