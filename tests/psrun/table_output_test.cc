#include "psrun/table_output.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace psafe::psrun {
namespace {

std::string Render(std::string_view json, OutputOptions o = {}) { return RenderTable(boost::json::parse(json), o); }

TEST(TableOutputTest, ArraysOfObjectsBecomeTabSeparatedRowsWithAHeader) {
  EXPECT_EQ(Render(R"([{"AccessLevelID":1,"Name":"None"},{"AccessLevelID":2,"Name":"Read"}])"),
            "AccessLevelID\tName\n1\tNone\n2\tRead\n");
  EXPECT_EQ(Render(R"({"a":1,"b":null,"c":{"x":[1,"y"]},"d":true})"), "a\tb\tc\td\n1\t\t{\"x\":[1,\"y\"]}\ttrue\n");
  // Keys missing from the first row still get a column.
  EXPECT_EQ(Render(R"([{"a":1},{"a":2,"b":3}])"), "a\tb\n1\t\n2\t3\n");
}

TEST(TableOutputTest, QuoteSeparatorNoHeadersAsTheGuideShows) {
  OutputOptions o;
  o.quote = true;
  o.separator = ",";
  EXPECT_EQ(Render(R"([{"AccessLevelID":1,"Name":"Say \"hi\""}])", o), "\"AccessLevelID\",\"Name\"\n\"1\",\"Say \"\"hi\"\"\"\n");
  o.no_headers = true;
  EXPECT_EQ(Render(R"([{"AccessLevelID":1,"Name":"None"}])", o), "\"1\",\"None\"\n");
}

TEST(TableOutputTest, FilterKeepsColumnsInOrderMatchingCaseInsensitively) {
  OutputOptions o;
  o.filter = {"name", "SystemId", "Missing"};
  EXPECT_EQ(Render(R"([{"SystemID":1,"SystemId":1,"Name":"a"}])", o), "Name\tSystemId\tMissing\na\t1\t\n");
}

TEST(TableOutputTest, ScalarsPagedAnswersAndEmptyResults) {
  EXPECT_EQ(Render(R"("p/w\"x")"), "p/w\"x\n");
  EXPECT_EQ(Render("42"), "42\n");
  EXPECT_EQ(Render("null"), "");
  EXPECT_EQ(Render("[]"), "");
  EXPECT_EQ(Render(R"(["a","b"])"), "a\nb\n");
  EXPECT_EQ(Render(R"({"TotalCount":5,"Data":[{"n":1}]})"), "n\n1\n");
}

}  // namespace
}  // namespace psafe::psrun
