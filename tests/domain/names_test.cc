#include "domain/names.h"

#include <gtest/gtest.h>

namespace psafe::domain {
namespace {

constexpr NameRules kIdentity{.kind = NameKind::kIdentity};

TEST(NamesTest, OrdinaryNamesOfAnyScriptAreAccepted) {
  for (std::string_view n : {"admin", "svc-deploy.01", "Zo\xC3\xAB M\xC3\xBCller", "\xD0\xB8\xD0\xB2\xD0\xB0\xD0\xBD",
                             "\xCE\xB1\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1", "\xE5\xB1\xB1\xE7\x94\xB0", "a b",
                             "team \xF0\x9F\x98\x80"}) {
    EXPECT_TRUE(ValidateName("UserName", n, kIdentity).ok()) << n;
    EXPECT_TRUE(ValidateName("Title", n).ok()) << n;
  }
}

TEST(NamesTest, ControlCharactersAreRefusedAnywhere) {
  for (std::string_view n : {std::string_view("a\0b", 3), std::string_view("ad\x07min"), std::string_view("a\tb"),
                             std::string_view("a\x7F"), std::string_view("a\xC2\x85z"),  // NEL (C1)
                             std::string_view("a\xC2\x9B" "31m"), std::string_view("a\xE2\x80\xA8z")}) {
    const Status s = ValidateName("Name", n);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << testing::PrintToString(std::string(n));
  }
  EXPECT_EQ(ValidateName("Name", "ad\x07min").message(), "Name contains a control character");
}

TEST(NamesTest, BidirectionalControlsAreRefused) {
  EXPECT_EQ(ValidateName("Title", "invoice\xE2\x80\xAEtxt.exe").message(), "Title contains a bidirectional control");
  EXPECT_FALSE(ValidateName("Title", "a\xE2\x81\xA6" "b").ok());  // U+2066
}

TEST(NamesTest, WhitespaceAtEitherEndIsRefused) {
  for (std::string_view n : {"admin ", " admin", "admin\xC2\xA0", "\xE2\x80\x8B" "admin", "admin\xE3\x80\x80",
                             "\xEF\xBB\xBF" "admin", " "}) {
    const Status s = ValidateName("UserName", n, kIdentity);
    EXPECT_EQ(s.message(), "UserName must not begin or end with whitespace") << testing::PrintToString(std::string(n));
  }
}

TEST(NamesTest, IdentitiesMayNotMixLatinGreekAndCyrillicLetters) {
  // "аdmin" with a Cyrillic а (U+0430), "Αdmin" with a Greek Α (U+0391).
  for (std::string_view n : {"\xD0\xB0" "dmin", "\xCE\x91" "dmin", "adm\xD1\x96n", "\xD0\xB0\xCE\xB1"}) {
    EXPECT_EQ(ValidateName("UserName", n, kIdentity).message(), "UserName must not mix Latin, Greek and Cyrillic letters")
        << n;
    EXPECT_TRUE(ValidateName("Title", n).ok()) << "titles may mix scripts: " << n;
  }
  // Fullwidth "ａｄｍｉｎ", mathematical bold "𝐚dmin".
  for (std::string_view n : {"\xEF\xBD\x81\xEF\xBD\x84\xEF\xBD\x8D\xEF\xBD\x89\xEF\xBD\x8E", "\xF0\x9D\x90\x9A" "dmin"}) {
    EXPECT_EQ(ValidateName("UserName", n, kIdentity).message(),
              "UserName must not use fullwidth or mathematical letters") << n;
  }
}

TEST(NamesTest, RequiredLengthAndEncoding) {
  EXPECT_EQ(ValidateName("Name", "").message(), "Name is required");
  EXPECT_TRUE(ValidateName("FirstName", "", {.required = false}).ok());
  EXPECT_TRUE(ValidateName("Name", std::string(256, 'x')).ok());
  EXPECT_EQ(ValidateName("Name", std::string(257, 'x')).message(), "Name is longer than 256 characters");
  std::string accents;
  for (int i = 0; i < 256; ++i) accents += "\xC3\xA9";  // 256 characters, 512 bytes
  EXPECT_TRUE(ValidateName("Name", accents).ok());
  EXPECT_EQ(ValidateName("Name", "\xFF\xFE").message(), "Name is not valid UTF-8");
}

TEST(NamesTest, FileNamesAreReducedToTheirBaseName) {
  struct Case {
    std::string_view sent, stored;
  };
  const Case cases[] = {{"report.pdf", "report.pdf"}, {"../../etc/passwd", "passwd"}, {"..\\..\\boot.ini", "boot.ini"},
                        {"C:\\Users\\x\\a b.txt", "a b.txt"}, {"/abs/dir/n\xC3\xA9.txt", "n\xC3\xA9.txt"},
                        {"..x", "..x"}};
  for (const Case& c : cases) {
    auto r = FileBaseName(c.sent);
    ASSERT_TRUE(r.ok()) << c.sent << ": " << r.status().message();
    EXPECT_EQ(*r, c.stored);
  }
}

TEST(NamesTest, FileNamesThatAreNotFilesOrNotTextAreRefused) {
  for (std::string_view n : {"", ".", "..", "dir/", "a/..", "..\\..", "\xFF\xFE.txt", "a\x07.txt", "a\x0D\x0A" "b.txt",
                             "invoice\xE2\x80\xAEtxt.exe"}) {
    auto r = FileBaseName(n);
    ASSERT_FALSE(r.ok()) << testing::PrintToString(std::string(n));
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(FileBaseName(std::string(256, 'f')).ok());
  EXPECT_EQ(FileBaseName(std::string(257, 'f')).status().message(), "FileName is longer than 256 bytes");
}

}  // namespace
}  // namespace psafe::domain
