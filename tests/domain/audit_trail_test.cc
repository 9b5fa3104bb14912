#include "domain/audit_service.h"

#include <gtest/gtest.h>

#include "fixtures/test_env.h"
#include "store/sqlite_connection.h"

namespace psafe::domain {
namespace {

TEST(AuditTrailTest, ChangeAndRecordCommitTogetherOrNotAtAll) {
  testing::StoreEnv env;
  Principal admin;
  admin.user.id = 0;
  // A failing change leaves no audit record behind.
  Status failed = env.audit->Record(AuditTrail::By(admin, "x.fail", "X", "1"),
                                    [] { return Status::Conflict("no"); });
  EXPECT_EQ(failed.code(), StatusCode::kConflict);
  // A change rolled back with its record: the workgroup is not there either.
  Status rolled = env.audit->Record(AuditTrail::By(admin, "workgroup.create", "Workgroup", "wg"), [&]() -> Status {
    PSAFE_RETURN_IF_ERROR(env.store->CreateWorkgroup({0, "org", "wg", ""}).status());
    return Status::Internal("later step failed");
  });
  EXPECT_FALSE(rolled.ok());
  EXPECT_EQ(env.store->FindWorkgroupByName("wg").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.store->ListAudit({})->total, 0);

  ASSERT_TRUE(env.audit->Record(AuditTrail::By(admin, "x.ok", "X", "2"), [] { return Status::OK(); }).ok());
  EXPECT_EQ(env.store->ListAudit({})->total, 1);
}

TEST(AuditTrailTest, VerifyFindsTheFirstAlteredOrDeletedRecord) {
  testing::StoreEnv env;
  Principal admin;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(env.audit->Record(AuditTrail::By(admin, "x.ok", "X", std::to_string(i)),
                                  [] { return Status::OK(); }).ok());
  }
  auto intact = env.audit->Verify();
  ASSERT_TRUE(intact.ok());
  EXPECT_EQ(intact->records, 5);
  EXPECT_FALSE(intact->first_broken_id.has_value());

  auto db = std::move(env.Connect()).value();
  ASSERT_TRUE(db->Exec("UPDATE audit_log SET detail = 'edited' WHERE id = 3").ok());
  auto edited = env.audit->Verify();
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->first_broken_id, 3);

  ASSERT_TRUE(db->Exec("UPDATE audit_log SET detail = '' WHERE id = 3").ok());  // restored
  EXPECT_FALSE(env.audit->Verify()->first_broken_id.has_value());
  ASSERT_TRUE(db->Exec("DELETE FROM audit_log WHERE id = 2").ok());
  EXPECT_EQ(env.audit->Verify()->first_broken_id, 3);  // the link after the gap breaks
}

TEST(AuditTrailTest, ChainNeedsTheKeyring) {
  testing::StoreEnv env;
  Principal admin;
  ASSERT_TRUE(env.audit->Record(AuditTrail::By(admin, "x.ok", "X", "1"), [] { return Status::OK(); }).ok());
  // A keyring with another pepper (a forger without our keys) does not verify the chain.
  auto other_master = std::move(crypto::MasterKey::FromHex(std::string(64, 'b'))).value();
  std::vector<crypto::SealedKey> keys = {
      crypto::Keyring::CreateKey(*other_master, 1, crypto::SealedKey::Purpose::kData),
      crypto::Keyring::CreateKey(*other_master, 1, crypto::SealedKey::Purpose::kPepper)};
  auto other = std::move(crypto::Keyring::Open(*other_master, keys)).value();
  AuditTrail forged(env.store->ports(), *other, env.clock);
  EXPECT_EQ(forged.Verify()->first_broken_id, 1);
}

}  // namespace
}  // namespace psafe::domain
