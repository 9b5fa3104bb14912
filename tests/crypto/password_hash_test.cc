#include "crypto/password_hash.h"

#include <gtest/gtest.h>

#include "crypto/hardening.h"
#include "crypto/random.h"

namespace psafe::crypto {
namespace {

TEST(PasswordHashTest, VerifiesOnlyTheRightPassword) {
  ASSERT_TRUE(InitializeCrypto().ok());
  std::string hash = HashPassword("correct horse");
  EXPECT_TRUE(hash.starts_with("$argon2id$"));
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(hash, "correct horsE"));
  EXPECT_FALSE(VerifyPassword("not-a-hash", "correct horse"));
}

TEST(PasswordHashTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(RandomTest, ApiKeysAreLongEnoughForRealClients) {
  ASSERT_TRUE(InitializeCrypto().ok());
  std::string key = RandomHex(64);
  EXPECT_EQ(key.size(), 128u);  // GoLib refuses shorter keys
  EXPECT_NE(key, RandomHex(64));
  std::string guid = RandomGuid();
  ASSERT_EQ(guid.size(), 36u);
  EXPECT_EQ(guid[14], '4');
}

}  // namespace
}  // namespace psafe::crypto
