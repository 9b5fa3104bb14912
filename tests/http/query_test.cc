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

// Forms (OAuth's client_id, client_secret) are parsed by the same code.
TEST(QueryTest, NamesAndValuesThatAreNotUtf8OnceDecodedAreRejected) {
  for (std::string_view raw : {"a=%FF%FE", "%FF=1", "client_id=%C0%AF"}) {
    auto q = QueryParams::Parse(raw);
    ASSERT_FALSE(q.ok()) << raw;
    EXPECT_EQ(q.status().message(), "query string is not valid UTF-8");
  }
  auto ok = ParseFormBody("grant_type=client_credentials&client_id=%C3%A9");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->Get("client_id").value(), "\xC3\xA9");
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
