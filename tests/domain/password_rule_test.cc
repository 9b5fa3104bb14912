#include "domain/password_rule.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "crypto/hardening.h"

namespace psafe::domain {
namespace {

TEST(PasswordRuleTest, GeneratedPasswordsSatisfyTheRule) {
  ASSERT_TRUE(crypto::InitializeCrypto().ok());
  PasswordRule rule;
  rule.minimum_length = 12;
  rule.maximum_length = 20;
  rule.excluded_characters = "0O1lI";
  ASSERT_TRUE(ValidatePasswordRule(rule).ok());
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) {
    crypto::SecretString pw = GeneratePassword(rule);
    EXPECT_EQ(pw.size(), 20u);
    EXPECT_TRUE(SatisfiesRule(rule, pw.view())) << pw.view();
    EXPECT_EQ(pw.view().find_first_of("0O1lI"), std::string_view::npos);
    seen.insert(pw.str());
  }
  EXPECT_EQ(seen.size(), 500u);
}

TEST(PasswordRuleTest, ClassesAreHonoured) {
  ASSERT_TRUE(crypto::InitializeCrypto().ok());
  PasswordRule digits_only;
  digits_only.require_lowercase = digits_only.require_uppercase = digits_only.require_symbol = false;
  digits_only.symbols = "";
  // Letters are still allowed unless excluded; exclude them to get a PIN-like rule.
  digits_only.excluded_characters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  ASSERT_TRUE(ValidatePasswordRule(digits_only).ok());
  crypto::SecretString pin = GeneratePassword(digits_only);
  EXPECT_EQ(pin.view().find_first_not_of("0123456789"), std::string_view::npos);
}

// Each allowed character should appear about equally often (no modulo bias). With 200k
// draws over 10 digits, every count is within 5% of 20k for any unbiased generator
// (the standard deviation is ~134).
TEST(PasswordRuleTest, CharactersAreUniformlyDistributed) {
  ASSERT_TRUE(crypto::InitializeCrypto().ok());
  PasswordRule rule;
  rule.require_lowercase = rule.require_uppercase = rule.require_symbol = false;
  rule.symbols = "";
  rule.excluded_characters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  rule.minimum_length = rule.maximum_length = 200;
  std::map<char, int> counts;
  for (int i = 0; i < 1000; ++i) {
    crypto::SecretString pw = GeneratePassword(rule);  // keep it alive while iterating
    for (char c : pw.view()) counts[c]++;
  }
  std::string keys;
  for (const auto& [c, n] : counts) keys += c;
  ASSERT_EQ(counts.size(), 10u) << keys;
  for (const auto& [c, n] : counts) EXPECT_NEAR(n, 20000, 1000) << c;
}

TEST(PasswordRuleTest, InvalidRulesAreRejectedWithTheFieldNamed) {
  PasswordRule r;
  r.minimum_length = 4;
  EXPECT_NE(ValidatePasswordRule(r).message().find("MinimumLength"), std::string::npos);
  r.minimum_length = 16;
  r.maximum_length = 8;
  EXPECT_NE(ValidatePasswordRule(r).message().find("MaximumLength"), std::string::npos);
  r.maximum_length = 16;
  r.excluded_characters = "0123456789";
  EXPECT_NE(ValidatePasswordRule(r).message().find("numeric"), std::string::npos);
}

}  // namespace
}  // namespace psafe::domain
