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

// What SIEMs send back (Elastic's cursor is Go's RFC3339, or a CreateDate psafed wrote).
TEST(StringsTest, ParsesRfc3339WithFractionsAndOffsets) {
  EXPECT_EQ(ParseTimestamp("2024-12-06T17:59:40Z"), 1733507980);
  EXPECT_EQ(ParseTimestamp("2024-12-06T17:59:40"), 1733507980);
  EXPECT_EQ(ParseTimestamp("2024-12-06T17:59:40.36Z"), 1733507980);
  EXPECT_EQ(ParseTimestamp("2024-12-06T18:59:40+01:00"), 1733507980);
  EXPECT_EQ(ParseTimestamp("2024-12-06T16:29:40.5-01:30"), 1733507980);
  for (const char* bad : {"2024-12-06", "2024-12-06T17:59:40.Z", "2024-12-06T17:59:40+1:00",
                          "2024-12-06T17:59:40+24:00", "2024-12-06T17:59:40.3x", "x024-12-06T17:59:40Z", ""}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace psafe
