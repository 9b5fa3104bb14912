#include "crypto/keyring.h"

#include <gtest/gtest.h>

#include "crypto/hardening.h"
#include "crypto/master_key.h"

namespace psafe::crypto {
namespace {

constexpr std::string_view kHexA = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kHexB = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

class KeyringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitializeCrypto().ok());
    master_ = std::move(MasterKey::FromHex(kHexA)).value();
    keys_ = {Keyring::CreateKey(*master_, 1, SealedKey::Purpose::kData),
             Keyring::CreateKey(*master_, 1, SealedKey::Purpose::kPepper)};
  }
  std::unique_ptr<Keyring> Open() { return std::move(Keyring::Open(*master_, keys_)).value(); }

  std::unique_ptr<MasterKey> master_;
  std::vector<SealedKey> keys_;
};

TEST_F(KeyringTest, SealedValueRoundTripsAndHidesPlaintext) {
  auto ring = Open();
  std::string blob = ring->Seal("hunter2-secret", "managed_accounts/1/password");
  EXPECT_EQ(blob.find("hunter2"), std::string::npos);
  auto plain = ring->Unseal(blob, "managed_accounts/1/password");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->view(), "hunter2-secret");
}

TEST_F(KeyringTest, SameValueSealsDifferentlyEachTime) {
  auto ring = Open();
  EXPECT_NE(ring->Seal("x", "ctx"), ring->Seal("x", "ctx"));
}

TEST_F(KeyringTest, CiphertextMovedToAnotherRowFailsToOpen) {
  auto ring = Open();
  std::string blob = ring->Seal("pw", "managed_accounts/1/password");
  auto moved = ring->Unseal(blob, "managed_accounts/2/password");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), StatusCode::kCorruption);
}

TEST_F(KeyringTest, TamperedCiphertextFailsToOpen) {
  auto ring = Open();
  std::string blob = ring->Seal("pw", "ctx");
  blob[blob.size() - 1] ^= 0x01;
  EXPECT_FALSE(ring->Unseal(blob, "ctx").ok());
  EXPECT_FALSE(ring->Unseal("short", "ctx").ok());
}

TEST_F(KeyringTest, RotationKeepsOldValuesReadableAndSealsWithNewest) {
  auto v1 = Open();
  std::string old_blob = v1->Seal("old-value", "ctx");
  keys_.push_back(Keyring::CreateKey(*master_, 2, SealedKey::Purpose::kData));
  auto v2 = Open();
  EXPECT_EQ(v2->current_version(), 2);
  ASSERT_TRUE(v2->Unseal(old_blob, "ctx").ok());
  EXPECT_EQ(v2->Unseal(old_blob, "ctx")->view(), "old-value");
  std::string new_blob = v2->Seal("new-value", "ctx");
  // The key version is in the header (bytes 1-4, big endian).
  EXPECT_EQ(static_cast<unsigned char>(new_blob[4]), 2);
  EXPECT_EQ(static_cast<unsigned char>(old_blob[4]), 1);
  // A keyring that lacks version 2 cannot read the new value.
  EXPECT_FALSE(v1->Unseal(new_blob, "ctx").ok());
}

TEST_F(KeyringTest, WrongMasterKeyIsRefused) {
  auto other = std::move(MasterKey::FromHex(kHexB)).value();
  auto ring = Keyring::Open(*other, keys_);
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), StatusCode::kCorruption);
}

TEST_F(KeyringTest, IncompleteKeyringIsRefused) {
  keys_.pop_back();  // no pepper
  EXPECT_FALSE(Keyring::Open(*master_, keys_).ok());
}

TEST_F(KeyringTest, TokenHashIsDeterministicAndKeyed) {
  auto ring = Open();
  EXPECT_EQ(ring->TokenHash("api-key"), ring->TokenHash("api-key"));
  EXPECT_NE(ring->TokenHash("api-key"), ring->TokenHash("api-kez"));
  EXPECT_EQ(ring->TokenHash("api-key").size(), Keyring::kTokenHashSize);
  // Another keyring (another pepper) hashes differently.
  std::vector<SealedKey> other = {Keyring::CreateKey(*master_, 1, SealedKey::Purpose::kData),
                                  Keyring::CreateKey(*master_, 1, SealedKey::Purpose::kPepper)};
  auto ring2 = std::move(Keyring::Open(*master_, other)).value();
  EXPECT_NE(ring->TokenHash("api-key"), ring2->TokenHash("api-key"));
}

}  // namespace
}  // namespace psafe::crypto
