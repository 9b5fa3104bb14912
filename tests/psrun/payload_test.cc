#include "psrun/payload.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace psafe::psrun {
namespace {

// The payload, compared as JSON values (Boost writes 1.5 as 1.5E0, which is the same number).
boost::json::value Json(const std::vector<std::string>& words) {
  auto v = ParsePayload(words);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : boost::json::value("<error>");
}

TEST(PayloadTest, KeyValuePairsAreTyped) {
  EXPECT_EQ(Json({"SystemId=1", "AccountId=12", "DurationMinutes=30", "Reason=Just to test request"}),
            boost::json::parse(R"({"SystemId":1,"AccountId":12,"DurationMinutes":30,"Reason":"Just to test request"})"));
  EXPECT_EQ(Json({"Password=123456", "Key=1", "Text=true", "Code=\"7\"", "Ratio=1.10", "Half=00.5", "Neg=-0.25"}),
            boost::json::parse(R"({"Password":"123456","Key":"1","Text":"true","Code":"7","Ratio":"1.10",)"
                               R"("Half":"00.5","Neg":-0.25})"));
  EXPECT_EQ(Json({"A=true", "B=false", "C=-7", "D=1.5", "E=007", "F=\"42\"", "G=", "H=a=b"}),
            boost::json::parse(R"({"A":true,"B":false,"C":-7,"D":1.5,"E":"007","F":"42","G":"","H":"a=b"})"));
}

TEST(PayloadTest, BracketsMakeAnArrayAndARepeatedKeyStartsTheNextObject) {
  EXPECT_EQ(Json({"[", "PermissionID=1", "AccessLevelID=1", "PermissionID=1", "AccessLevelID=2", "]"}),
            boost::json::parse(R"([{"PermissionID":1,"AccessLevelID":1},{"PermissionID":1,"AccessLevelID":2}])"));
  EXPECT_EQ(Json({"[", "]"}), boost::json::parse("[]"));
}

TEST(PayloadTest, RawJsonIsSentAsGiven) {
  EXPECT_EQ(Json({R"({"Name":"x","n":[1,2]})"}), boost::json::parse(R"({"Name":"x","n":[1,2]})"));
  EXPECT_EQ(Json({R"([{"a":1}])"}), boost::json::parse(R"([{"a":1}])"));
  EXPECT_TRUE(Json({}).is_null());
}

TEST(PayloadTest, MalformedPayloadsAreUsageErrors) {
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"novalue"}, {"=x"}, {"[", "A=1"}, {"{bad json"}, {"[", "oops", "]"}}) {
    EXPECT_FALSE(ParsePayload(words).ok()) << words[0];
  }
}

}  // namespace
}  // namespace psafe::psrun
