#include "http/query.h"

#include <gtest/gtest.h>

namespace psafe::http {
namespace {

TEST(QueryTest, NamesAreCaseInsensitiveAndValuesDecoded) {
  auto q = QueryParams::Parse("systemname=my+sys&AccountName=a%20b&limit=10&flag");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->Get("systemName").value(), "my sys");
  EXPECT_EQ(q->Get("accountname").value(), "a b");
  EXPECT_EQ(q->Get("LIMIT").value(), "10");
  EXPECT_EQ(q->Get("flag").value(), "");
  EXPECT_FALSE(q->Get("offset").has_value());
}

TEST(QueryTest, EmptyQueryIsNoQuery) {
  auto q = QueryParams::Parse("");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->size(), 0u);
}

TEST(QueryTest, FirstValueWins) {
  auto q = QueryParams::Parse("a=1&A=2");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->Get("a").value(), "1");
}

TEST(QueryTest, MalformedPercentEncodingIsRejected) {
  EXPECT_FALSE(QueryParams::Parse("a=%zz").ok());
}

}  // namespace
}  // namespace psafe::http

namespace psafe::http {
namespace {

// Regression (fuzz_http_parsers): the query is a view that does not end the buffer; what
// follows it must not be read.
TEST(QueryRegressionTest, ReadsOnlyTheViewItIsGiven) {
  const std::string buffer = "systemName=a+b&accountName=c%20d%%%-not-part-of-it";
  const std::string_view view(buffer.data(), buffer.find('%', buffer.find("%20") + 1));
  auto q = QueryParams::Parse(view);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->Get("accountName"), "c d");
  EXPECT_EQ(q->Get("systemName"), "a b");
  EXPECT_FALSE(QueryParams::Parse(std::string_view("a=1\0b=2", 7)).ok());
}

}  // namespace
}  // namespace psafe::http
