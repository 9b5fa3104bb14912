#include "http/multipart.h"

#include <gtest/gtest.h>

namespace psafe::http {
namespace {

const std::string kType = "multipart/form-data; boundary=XyZ";

// GoLib's mime/multipart layout: no preamble, CRLF line ends, closing delimiter + CRLF.
TEST(MultipartTest, ParsesGoLibLayoutWithBinaryContent) {
  const std::string file("a\r\n--Xy\0\xff z", 11);
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"secretmetadata\"\r\n\r\n{\"Title\":\"F\"}\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n" + file + "\r\n--XyZ--\r\n";
  auto parts = ParseMultipart(kType, body);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "secretmetadata");
  EXPECT_FALSE((*parts)[0].filename.has_value());
  EXPECT_EQ((*parts)[0].data, "{\"Title\":\"F\"}");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "a.txt");
  EXPECT_EQ((*parts)[1].content_type, "application/octet-stream");
  EXPECT_EQ((*parts)[1].data, file);
}

// Python requests: quoted boundary allowed in the header, preamble ignored, empty part.
TEST(MultipartTest, AcceptsQuotedBoundaryPreambleAndEmptyPart) {
  const std::string body =
      "preamble\r\n--XyZ\r\ncontent-disposition: form-data; name=\"files\"; filename=\"b;c.txt\"\r\n\r\n"
      "\r\n--XyZ--";
  auto parts = ParseMultipart("Multipart/Form-Data; boundary=\"XyZ\"", body);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "files");
  EXPECT_EQ((*parts)[0].filename, "b;c.txt");
  EXPECT_EQ((*parts)[0].data, "");
}

TEST(MultipartTest, RejectsMalformedBodies) {
  const std::string part = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
  struct Case {
    std::string content_type;
    std::string body;
    StatusCode code;
  };
  const Case cases[] = {
      {"application/json", part + "--XyZ--", StatusCode::kUnsupportedMedia},
      {"multipart/form-data", part + "--XyZ--", StatusCode::kInvalidArgument},             // no boundary
      {"multipart/form-data; boundary=" + std::string(71, 'b'), "", StatusCode::kInvalidArgument},
      {kType, part, StatusCode::kInvalidArgument},                                           // never closed
      {kType, "no delimiter at all", StatusCode::kInvalidArgument},
      {kType, "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", StatusCode::kInvalidArgument},
      {kType, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", StatusCode::kInvalidArgument},
      {kType, "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--",
       StatusCode::kInvalidArgument},
      {kType, "--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--", StatusCode::kInvalidArgument},
      {kType, "--XyZjunk\r\n", StatusCode::kInvalidArgument},
      {kType, "--XyZ\r\nContent-Disposition: form-data; name=\"\xFF\"\r\n\r\nx\r\n--XyZ--",
       StatusCode::kInvalidArgument},                                                      // name not UTF-8
      {kType, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xFF\xFE.txt\"\r\n\r\nx\r\n--XyZ--",
       StatusCode::kInvalidArgument},                                                      // file name not UTF-8
      {kType, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\nContent-Type: \xC0\r\n\r\nx\r\n--XyZ--",
       StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    auto parts = ParseMultipart(c.content_type, c.body);
    ASSERT_FALSE(parts.ok()) << c.body;
    EXPECT_EQ(parts.status().code(), c.code) << c.body;
  }
}

TEST(MultipartTest, BoundsThePartCount) {
  std::string body;
  for (int i = 0; i < 17; ++i) body += "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n";
  body += "--XyZ--";
  EXPECT_FALSE(ParseMultipart(kType, body).ok());
}

}  // namespace
}  // namespace psafe::http
