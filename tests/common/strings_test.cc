#include "common/strings.h"

#include <gtest/gtest.h>

namespace psafe {
namespace {

TEST(StringsTest, CaseInsensitiveEquality) {
  EXPECT_TRUE(EqualsIgnoreCase("ManagedAccounts", "managedaccounts"));
  EXPECT_FALSE(EqualsIgnoreCase("ManagedAccount", "managedaccounts"));
}

TEST(StringsTest, TrimsWhitespace) { EXPECT_EQ(TrimWhitespace(" \t key=1 \r\n"), "key=1"); }

TEST(StringsTest, FormatsRfc3339Utc) { EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z"); }

}  // namespace
}  // namespace psafe
