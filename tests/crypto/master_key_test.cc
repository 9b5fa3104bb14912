#include "crypto/master_key.h"

#include <gtest/gtest.h>

#include <cstring>
#include <sys/stat.h>

#include "fixtures/test_env.h"

namespace psafe::crypto {
namespace {

TEST(MasterKeyTest, CreatedFileIsPrivateAndLoadsBack) {
  ASSERT_TRUE(InitializeCrypto().ok());
  testing::TempDir dir;
  auto path = dir.path() / "master.key";
  auto created = MasterKey::CreateFile(path);
  ASSERT_TRUE(created.ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = MasterKey::LoadFile(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(0, std::memcmp((*created)->data(), (*loaded)->data(), MasterKey::kSize));
  // Never overwrites an existing key.
  EXPECT_FALSE(MasterKey::CreateFile(path).ok());
}

TEST(MasterKeyTest, GroupReadableFileIsRefused) {
  ASSERT_TRUE(InitializeCrypto().ok());
  testing::TempDir dir;
  auto path = dir.path() / "master.key";
  ASSERT_TRUE(MasterKey::CreateFile(path).ok());
  ::chmod(path.c_str(), 0640);
  auto loaded = MasterKey::LoadFile(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("chmod 600"), std::string::npos);
}

TEST(MasterKeyTest, HexMustBe64Characters) {
  ASSERT_TRUE(InitializeCrypto().ok());
  EXPECT_FALSE(MasterKey::FromHex("abcd").ok());
  EXPECT_FALSE(MasterKey::FromHex(std::string(64, 'z')).ok());
  EXPECT_TRUE(MasterKey::FromHex(std::string(64, 'a')).ok());
}

}  // namespace
}  // namespace psafe::crypto
