#include "common/utf8.h"

#include <gtest/gtest.h>

namespace psafe {
namespace {

TEST(Utf8Test, AcceptsEveryFormAtItsBoundaries) {
  for (std::string_view s : {"", "plain ASCII", "\x7F", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF",
                             "\xEE\x80\x80", "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF",
                             "h\xC3\xA9llo \xF0\x9F\x98\x80"}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
  }
}

TEST(Utf8Test, RefusesOverlongSurrogateOutOfRangeAndTruncatedSequences) {
  for (std::string_view s : {"\x80", "\xBF", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80",
                             "\xED\xBF\xBF", "\xF0\x80\x80\xAF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                             "\xFF\xFE", "\xE2\x82", "a\xF0\x9F\x98", "\xC3"}) {
    EXPECT_FALSE(IsValidUtf8(s)) << testing::PrintToString(std::string(s));
  }
}

TEST(Utf8Test, DecodesCodePoints) {
  EXPECT_EQ(DecodeUtf8("A").code_point, U'A');
  EXPECT_EQ(DecodeUtf8("\xD0\xB0").code_point, U'\u0430');  // Cyrillic a
  EXPECT_EQ(DecodeUtf8("\xE2\x80\xAE").code_point, U'\u202E');
  const Utf8Sequence emoji = DecodeUtf8("\xF0\x9F\x98\x80!");
  EXPECT_TRUE(emoji.valid);
  EXPECT_EQ(emoji.length, 4u);
  EXPECT_EQ(emoji.code_point, U'\U0001F600');
}

// Unicode §3.9, table 3-8: one U+FFFD per maximal ill-formed subpart.
TEST(Utf8Test, ReplacesEachMaximalSubpartWithOneReplacementCharacter) {
  EXPECT_EQ(ToValidUtf8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
            "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
  EXPECT_EQ(ToValidUtf8("runas=\xFF\xFE"), "runas=\uFFFD\uFFFD");
  EXPECT_EQ(ToValidUtf8("already valid \xC3\xA9"), "already valid \xC3\xA9");
  EXPECT_TRUE(IsValidUtf8(ToValidUtf8("\xED\xA0\x80\xC0")));
}

TEST(Utf8Test, RequireUtf8NamesTheField) {
  EXPECT_TRUE(RequireUtf8("runas", "admin").ok());
  const Status s = RequireUtf8("runas", "\xFF");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "runas is not valid UTF-8");
}

}  // namespace
}  // namespace psafe
