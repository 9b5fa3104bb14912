#include "http/framing.h"

#include <gtest/gtest.h>

#include <vector>

namespace psafe::http {
namespace {

Status Check(std::vector<std::string_view> values, unsigned version = 11) {
  return CheckTransferEncoding(values, version);
}

TEST(FramingTest, NoTransferEncodingOrExactlyChunkedIsAccepted) {
  EXPECT_TRUE(Check({}).ok());
  EXPECT_TRUE(Check({}, 10).ok());
  EXPECT_TRUE(Check({"chunked"}).ok());
  EXPECT_TRUE(Check({" Chunked\t"}).ok());
}

TEST(FramingTest, AnyOtherCodingListIsRefused) {
  for (std::vector<std::string_view> v : std::vector<std::vector<std::string_view>>{
           {"xchunked"}, {"chunked, identity"}, {"identity"}, {"gzip"}, {"gzip, chunked"}, {"chunked, chunked"},
           {"chunked", "chunked"}, {"gzip", "chunked"}, {""}, {" "}, {",chunked"}, {"chunked,"},
           {"chunked;q=1"}, {"chunkedx"}, {"\"chunked\""}}) {
    const Status s = Check(v);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << testing::PrintToString(v);
    EXPECT_EQ(s.message(), "unsupported Transfer-Encoding");
  }
}

TEST(FramingTest, TransferEncodingOnHttp10IsRefused) {
  EXPECT_EQ(Check({"chunked"}, 10).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace psafe::http
