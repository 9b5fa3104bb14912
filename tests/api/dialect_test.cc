#include "api/dialect.h"

#include <gtest/gtest.h>

#include <boost/json/value.hpp>

#include "api/error_map.h"

namespace psafe::api {
namespace {

// The last line of defence: whatever a string holds, the JSON written is valid UTF-8.
TEST(DialectTest, ToJsonNeverWritesInvalidUtf8) {
  boost::json::object o;
  o["UserName"] = "\xFF\xFE";
  o["Name"] = "ok \xC3\xA9";
  EXPECT_EQ(ToJson(o), "{\"UserName\":\"\xEF\xBF\xBD\xEF\xBF\xBD\",\"Name\":\"ok \xC3\xA9\"}");
  EXPECT_EQ(ErrorResponse(404, "no user '\xC0'", Dialect::kProduct).body, "\"no user '\xEF\xBF\xBD'\"");
}

TEST(DialectTest, AliasedFieldsAreEmittedUnderBothNames) {
  boost::json::object o;
  PutField(o, "AccountId", 7);
  PutField(o, "SystemID", 3);
  PutField(o, "AccountName", "root");
  EXPECT_EQ(o.at("AccountId").as_int64(), 7);
  EXPECT_EQ(o.at("AccountID").as_int64(), 7);
  EXPECT_EQ(o.at("SystemId").as_int64(), 3);
  EXPECT_EQ(o.at("SystemID").as_int64(), 3);
  EXPECT_EQ(o.size(), 5u);
}

TEST(DialectTest, SerialisationNeverEscapesSlashOrAddsNewline) {
  EXPECT_EQ(ToJson(boost::json::string("a/b\"c")), R"("a/b\"c")");
  EXPECT_EQ(ToJson(124), "124");
}

TEST(ErrorMapTest, ShapesFollowTheDialect) {
  auto product = ErrorResponse(Status::Unauthenticated("User not authenticated"), Dialect::kProduct);
  EXPECT_EQ(product.status, 401);
  EXPECT_EQ(product.body, R"("User not authenticated")");
  auto document = ErrorResponse(Status::NotFound("gone"), Dialect::kDocument);
  EXPECT_EQ(document.status, 404);
  EXPECT_EQ(document.body, R"({"Message":"gone","ErrorCode":404})");
}

TEST(ErrorMapTest, ServerFaultsDoNotLeakDetails) {
  auto r = ErrorResponse(Status::IOError("disk /var/lib/x failed"), Dialect::kProduct);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"("internal error")");
  EXPECT_EQ(HttpStatusFor(StatusCode::kLocked), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kConflict), 409);
}

}  // namespace
}  // namespace psafe::api
