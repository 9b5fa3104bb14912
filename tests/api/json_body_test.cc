#include "api/json_body.h"

#include <gtest/gtest.h>

namespace psafe::api {
namespace {

http::Request WithBody(std::string body, std::string content_type = "application/json") {
  http::Request r;
  r.body = std::move(body);
  if (!content_type.empty()) r.headers.Add("Content-Type", content_type);
  return r;
}

TEST(JsonBodyTest, PropertyNamesAreCaseInsensitiveAndUnknownOnesIgnored) {
  auto b = JsonBody::Parse(WithBody(R"({"systemid":10,"ACCOUNTID":"20","FolderType":"FOLDER"})"));
  ASSERT_TRUE(b.ok());
  int64_t system = 0, account = 0;
  ASSERT_TRUE(b->Read("SystemID", &system).ok());
  ASSERT_TRUE(b->Read("AccountId", &account).ok());  // numeric string, as ASP.NET binds it
  EXPECT_EQ(system, 10);
  EXPECT_EQ(account, 20);
}

// psafe relies on Boost.JSON refusing text that is not UTF-8, raw or escaped.
TEST(JsonBodyTest, StringsThatAreNotUtf8AreRefused) {
  for (std::string_view text : {"{\"Name\":\"\xFF\xFE\"}", "{\"Name\":\"\xC0\xAF\"}", "{\"Name\":\"\xED\xA0\x80\"}",
                                "{\"Name\":\"\xF4\x90\x80\x80\"}", "{\"Name\":\"a\xE2\x82\"}", R"({"Name":"\ud800"})",
                                R"({"Name":"\udc00x"})", "{\"\xFF\":1}"}) {
    auto b = JsonBody::ParseText(text);
    ASSERT_FALSE(b.ok()) << testing::PrintToString(std::string(text));
    EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  }
  auto ok = JsonBody::ParseText(R"({"Name":"\ud83d\ude00 \u00e9"})");
  ASSERT_TRUE(ok.ok());
  std::string name;
  ASSERT_TRUE(ok->Read("Name", &name).ok());
  EXPECT_EQ(name, "\xF0\x9F\x98\x80 \xC3\xA9");
}

TEST(JsonBodyTest, EmptyBodyIsAnEmptyObject) {
  auto b = JsonBody::Parse(WithBody(""));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->Find("anything"), nullptr);
  EXPECT_EQ(b->Require("Name").message(), "Name is required");
}

TEST(JsonBodyTest, ErrorsNameTheField) {
  auto b = JsonBody::Parse(WithBody(R"({"Port":"eighty","Name":5,"Flag":"maybe"})"));
  ASSERT_TRUE(b.ok());
  int64_t port = 0;
  std::string name;
  bool flag = false;
  EXPECT_EQ(b->Read("Port", &port).message(), "Port must be an integer");
  EXPECT_EQ(b->Read("Name", &name).message(), "Name must be a string");
  EXPECT_EQ(b->Read("Flag", &flag).message(), "Flag must be true or false");
}

TEST(JsonBodyTest, RejectsMalformedAndHostileBodies) {
  EXPECT_EQ(JsonBody::Parse(WithBody("{")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(JsonBody::Parse(WithBody("[1,2]")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(JsonBody::Parse(WithBody(std::string(100, '[') + std::string(100, ']'))).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(JsonBody::Parse(WithBody("{\"a\":\"\xff\"}")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(JsonBody::Parse(WithBody("{}", "text/plain")).status().code(), StatusCode::kUnsupportedMedia);
  auto b = JsonBody::Parse(WithBody(R"({"Big":123456789012345678901234567890,"Nul":"a\u0000b"})"));
  ASSERT_TRUE(b.ok());
  int64_t big = 0;
  std::string nul;
  EXPECT_FALSE(b->Read("Big", &big).ok());
  EXPECT_FALSE(b->Read("Nul", &nul).ok());
}

TEST(JsonBodyTest, LengthLimitsAreEnforced) {
  auto b = JsonBody::Parse(WithBody(R"({"Name":")" + std::string(300, 'x') + R"("})"));
  ASSERT_TRUE(b.ok());
  std::string name;
  EXPECT_FALSE(b->Read("Name", &name, 256).ok());
  EXPECT_TRUE(b->Read("Name", &name, 300).ok());
}

}  // namespace
}  // namespace psafe::api
