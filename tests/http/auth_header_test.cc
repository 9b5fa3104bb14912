#include "http/auth_header.h"

#include <gtest/gtest.h>

namespace psafe::http {
namespace {

PsAuth MustParse(std::string_view header) {
  Authorization a = ParseAuthorization(header);
  const auto* ps = std::get_if<PsAuth>(&a);
  EXPECT_NE(ps, nullptr) << header;
  return ps ? *ps : PsAuth{};
}

// Every variant from shared/compat/real-api-contract.md §1.1.
TEST(PsAuthParserTest, AcceptsEveryRealClientVariant) {
  struct Case {
    const char* header;
    const char* runas;
  };
  const Case cases[] = {
      {"PS-Auth key=K1;runas=svc;", "svc"},              // GoLib, TF
      {"PS-Auth key=K1;runas=svc", "svc"},               // ESO: no trailing ';'
      {"PS-Auth key=K1; runas=svc;", "svc"},             // JavaSample, Keyfactor
      {"PS-Auth key=\"K1\"; runas=\"svc\"", "svc"},      // USP: quoted values
      {"ps-auth KEY=K1; RunAs=svc;", "svc"},             // any case
      {"PS-Auth key=K1; runas=doe-main\\johndoe;", "doe-main\\johndoe"},
      {"  PS-Auth   key=K1 ;  runas=svc ; ", "svc"},
  };
  for (const Case& c : cases) {
    PsAuth p = MustParse(c.header);
    EXPECT_EQ(p.key, "K1") << c.header;
    EXPECT_EQ(p.runas, c.runas) << c.header;
    EXPECT_FALSE(p.pwd.has_value()) << c.header;
  }
}

TEST(PsAuthParserTest, PasswordMayHoldBracketsAndSemicolons) {
  PsAuth p = MustParse("PS-Auth key=K; runas=u; pwd=[un1qu3];");
  EXPECT_EQ(p.pwd.value(), "un1qu3");
  p = MustParse("PS-Auth key=K; runas=u; pwd=[a]b;c=d]];");
  EXPECT_EQ(p.pwd.value(), "a]b;c=d]");
  p = MustParse("PS-Auth key=K; pwd=[p;w]; runas=u");
  EXPECT_EQ(p.pwd.value(), "p;w");
  EXPECT_EQ(p.runas, "u");
  p = MustParse("PS-Auth key=K; runas=u; pwd=[];");
  EXPECT_EQ(p.pwd.value(), "");
}

TEST(PsAuthParserTest, RejectsMalformedHeaders) {
  EXPECT_TRUE(std::holds_alternative<MalformedAuth>(ParseAuthorization("PS-Auth runas=u")));
  EXPECT_TRUE(std::holds_alternative<MalformedAuth>(ParseAuthorization("PS-Auth key=")));
  EXPECT_TRUE(std::holds_alternative<MalformedAuth>(ParseAuthorization("PS-Auth key=K; pwd=[abc")));
  EXPECT_TRUE(std::holds_alternative<MalformedAuth>(ParseAuthorization("Basic dXNlcjpwYXNz")));
  EXPECT_TRUE(std::holds_alternative<MalformedAuth>(ParseAuthorization("PS-Authkey=K")));
  EXPECT_TRUE(std::holds_alternative<MalformedAuth>(
      ParseAuthorization("PS-Auth key=" + std::string(kMaxAuthorizationLength, 'k'))));
  EXPECT_TRUE(std::holds_alternative<NoAuth>(ParseAuthorization(std::nullopt)));
  EXPECT_TRUE(std::holds_alternative<NoAuth>(ParseAuthorization("  ")));
}

// runas and pwd reach the domain (lookups, lockout subjects, audit records): bytes that
// are not UTF-8 are bad input, told apart from failed credentials.
TEST(PsAuthParserTest, RunasOrPwdThatIsNotUtf8IsInvalidText) {
  for (std::string_view h : {"PS-Auth key=K; runas=\xFF\xFE;", "PS-Auth key=K; runas=u; pwd=[p\xC0\xAF];"}) {
    Authorization a = ParseAuthorization(h);
    const auto* bad = std::get_if<MalformedAuth>(&a);
    ASSERT_NE(bad, nullptr) << h;
    EXPECT_TRUE(bad->invalid_text) << h;
  }
  EXPECT_EQ(MustParse("PS-Auth key=K; runas=j\xC3\xB6rg;").runas, "j\xC3\xB6rg");
  Authorization no_key = ParseAuthorization("PS-Auth runas=u;");
  EXPECT_FALSE(std::get<MalformedAuth>(no_key).invalid_text);
}

TEST(BearerParserTest, ParsesToken) {
  Authorization a = ParseAuthorization("Bearer tok123");
  ASSERT_TRUE(std::holds_alternative<BearerAuth>(a));
  EXPECT_EQ(std::get<BearerAuth>(a).token, "tok123");
  EXPECT_TRUE(std::holds_alternative<MalformedAuth>(ParseAuthorization("Bearer")));
  EXPECT_TRUE(std::holds_alternative<MalformedAuth>(ParseAuthorization("Bearer a b")));
}

TEST(CookieTest, FindsSessionCookieAmongOthers) {
  EXPECT_EQ(FindCookie("ASP.NET_SessionId=abc; __RequestVerificationToken=x", "ASP.NET_SessionId"),
            "abc");
  EXPECT_EQ(FindCookie("a=1;ASP.NET_SessionId=\"q\"", "ASP.NET_SessionId"), "q");
  EXPECT_FALSE(FindCookie("a=1; b=2", "ASP.NET_SessionId").has_value());
  EXPECT_FALSE(FindCookie("XASP.NET_SessionId=1", "ASP.NET_SessionId").has_value());
}

}  // namespace
}  // namespace psafe::http
