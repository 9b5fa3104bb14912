#include "domain/change_policy.h"

#include <gtest/gtest.h>

namespace psafe::domain {
namespace {

constexpr int64_t kDay = 86400;
// 2026-12-01T00:00:00Z and 2027-01-01T00:00:00Z.
constexpr int64_t kDec1 = 1796083200;
constexpr int64_t kJan1 = kDec1 + 31 * kDay;

int64_t Spread(int64_t key) {
  ChangePolicy p;
  p.frequency_type = "xdays";
  p.frequency_days = 1;
  p.change_time = "00:00";
  return NextScheduledChange(p, kDec1, key) - (kDec1 + kDay);
}

TEST(ChangePolicyTest, XDaysIsThatManyDaysOnAtChangeTimePlusTheSpread) {
  ChangePolicy p;
  p.frequency_type = "xdays";
  p.frequency_days = 7;
  p.change_time = "02:15";
  EXPECT_EQ(NextScheduledChange(p, kDec1 + 5 * 3600, 42), kDec1 + 7 * kDay + 2 * 3600 + 15 * 60 + Spread(42));
}

TEST(ChangePolicyTest, FirstIsTheFirstOfTheNextMonthOnceThisMonthsHasPassed) {
  ChangePolicy p;  // first, 23:30
  EXPECT_EQ(NextScheduledChange(p, kDec1 + 3600, 7), kDec1 + 23 * 3600 + 30 * 60 + Spread(7));  // later today
  EXPECT_EQ(NextScheduledChange(p, kDec1 + 2 * kDay, 7), kJan1 + 23 * 3600 + 30 * 60 + Spread(7));
}

TEST(ChangePolicyTest, LastIsTheLastDayOfTheMonth) {
  ChangePolicy p;
  p.frequency_type = "last";
  p.change_time = "00:00";
  EXPECT_EQ(NextScheduledChange(p, kDec1, 1), kDec1 + 30 * kDay + Spread(1));  // December 31
}

TEST(ChangePolicyTest, TheSpreadStaysInItsWindowAndSeparatesNeighbours) {
  for (int64_t key = 0; key < 1000; ++key) {
    EXPECT_GE(Spread(key), 0);
    EXPECT_LT(Spread(key), kChangeSpreadSeconds);
  }
  EXPECT_NE(Spread(1), Spread(2));
}

TEST(ChangePolicyTest, ValidationNamesTheField) {
  ChangePolicy p;
  EXPECT_TRUE(ValidateChangePolicy(p).ok());
  p.frequency_type = "weekly";
  EXPECT_NE(ValidateChangePolicy(p).message().find("ChangeFrequencyType"), std::string::npos);
  p = {};
  p.frequency_days = 0;
  EXPECT_NE(ValidateChangePolicy(p).message().find("ChangeFrequencyDays"), std::string::npos);
  for (const char* bad : {"24:00", "1:30", "12:60", "ab:cd", ""}) {
    p = {};
    p.change_time = bad;
    EXPECT_NE(ValidateChangePolicy(p).message().find("ChangeTime"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace psafe::domain
