#include "domain/failure_budget.h"

#include <gtest/gtest.h>

#include "domain/audit.h"

namespace psafe::domain {
namespace {

TEST(FailureBudgetTest, EachSourceGetsItsShareAndTheRestIsCountedNotLost) {
  FailureBudget budget(3, 60);
  int64_t suppressed = -1;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(budget.Admit("10.0.0.1", 1000, &suppressed));
    EXPECT_EQ(suppressed, 0);
  }
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(budget.Admit("10.0.0.1", 1010, &suppressed));
  // Another source is not held back by the first one's failures.
  EXPECT_TRUE(budget.Admit("10.0.0.2", 1010, &suppressed));
  // The next window's first record carries what was held back.
  ASSERT_TRUE(budget.Admit("10.0.0.1", 1060, &suppressed));
  EXPECT_EQ(suppressed, 5);
  ASSERT_TRUE(budget.Admit("10.0.0.1", 1061, &suppressed));
  EXPECT_EQ(suppressed, 0);
}

TEST(FailureBudgetTest, ManySourcesShareOneBudgetPastTheBound) {
  FailureBudget budget(1, 60, 4);
  int64_t suppressed = 0;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(budget.Admit("10.0.1." + std::to_string(i), 0, &suppressed));
  // A fifth live source goes to the shared budget, and the next ones share it too.
  EXPECT_TRUE(budget.Admit("10.0.2.1", 1, &suppressed));
  EXPECT_FALSE(budget.Admit("10.0.2.2", 1, &suppressed));
  // Once the windows have ended, room is made again.
  EXPECT_TRUE(budget.Admit("10.0.3.1", 120, &suppressed));
}

TEST(AuditQuoteTest, AlwaysValidJsonBoundedOnACharacterBoundary) {
  EXPECT_EQ(AuditQuote("plain"), "\"plain\"");
  EXPECT_EQ(AuditQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(AuditQuote("line\nbreak\x7f"), "\"linebreak\"");
  EXPECT_EQ(AuditQuote("\xff\xfe" "admin\xc3"), "\"admin\"");  // bytes that are not UTF-8 are dropped
  EXPECT_EQ(AuditQuote("\xed\xa0\x80x"), "\"x\"");             // a UTF-16 surrogate is not UTF-8
  EXPECT_EQ(AuditQuote("\xc3\xa9\xc3\xa9", 3), "\"\xc3\xa9\"");  // never half a character
  EXPECT_EQ(AuditQuote(std::string(5000, 'x'), 64).size(), 66u);
}

}  // namespace
}  // namespace psafe::domain
