#include "http/router.h"

#include <gtest/gtest.h>

namespace psafe::http {
namespace {

Response Error(int status, std::string_view msg) { return Response::Json(status, std::string(msg)); }

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : router_(Error) {
    router_.Add("GET", "/api/managedaccounts", [](Request& r) {
      return Response::Json(200, r.exact_spelling ? "document" : "product");
    });
    router_.Add("GET", "/api/ManagedSystems/{id}/ManagedAccounts", [](Request& r) {
      return Response::Json(200, "accounts of " + r.path_params.at(0));
    });
    router_.Add("POST", "/api/ManagedSystems/{id}/ManagedAccounts",
                [](Request&) { return Response::Json(201, "created"); });
    router_.Add("GET", "/api/Workgroups/{wg}", [](Request& r) { return Response::Json(200, "wg " + r.path_params[0]); });
    router_.Add("GET", "/api/Workgroups/special", [](Request&) { return Response::Json(200, "literal"); });
  }

  Response Get(std::string target, std::string method = "GET") {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    return router_.Dispatch(r);
  }

  Router router_;
};

TEST_F(RouterTest, ExactSpellingSelectsDocumentOtherSpellingsProduct) {
  EXPECT_EQ(Get("/api/managedaccounts").body, "document");
  EXPECT_EQ(Get("/api/ManagedAccounts").body, "product");
  EXPECT_EQ(Get("/API/managedaccounts").body, "product");
  EXPECT_EQ(Get("/api/managedaccounts?systemName=x").body, "document");
}

TEST_F(RouterTest, TrailingSlashAndEmptyQueryAreTolerated) {
  EXPECT_EQ(Get("/api/ManagedAccounts/").status, 200);
  EXPECT_EQ(Get("/api/ManagedAccounts?").status, 200);
  EXPECT_EQ(Get("/api/ManagedAccounts/?").status, 200);
}

TEST_F(RouterTest, CapturesParametersAndDecodesSegments) {
  EXPECT_EQ(Get("/api/managedsystems/42/managedaccounts").body, "accounts of 42");
  EXPECT_EQ(Get("/api/Workgroups/my%20group").body, "wg my group");
}

TEST_F(RouterTest, LiteralBeatsParameter) {
  EXPECT_EQ(Get("/api/Workgroups/special").body, "literal");
  EXPECT_EQ(Get("/api/Workgroups/SPECIAL").body, "literal");
  EXPECT_EQ(Get("/api/Workgroups/other").body, "wg other");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  Response r = Get("/api/ManagedSystems/1/ManagedAccounts", "DELETE");
  EXPECT_EQ(r.status, 405);
  auto allow = r.headers.Get("Allow");
  ASSERT_TRUE(allow.has_value());
  EXPECT_EQ(*allow, "GET, POST");
}

TEST_F(RouterTest, UnknownPathsAre404AndBadTargets400) {
  EXPECT_EQ(Get("/api/Nope").status, 404);
  EXPECT_EQ(Get("/api//ManagedAccounts").status, 404);
  EXPECT_EQ(Get("/api/ManagedAccounts?a=%zz").status, 400);
  EXPECT_EQ(Get("no-slash").status, 400);
}

TEST_F(RouterTest, PathsThatAreNotUtf8OnceDecodedAre400) {
  Response r = Get("/api/Workgroups/%FF%FE");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "request path is not valid UTF-8");
  EXPECT_EQ(Get("/api/Workgroups/%C0%AF").status, 400);  // overlong '/'
  EXPECT_EQ(Get("/api/Workgroups/%ED%A0%80").status, 400);  // a surrogate
  EXPECT_EQ(Get("/api/Workgroups/%C3%A9").body, "wg \xC3\xA9");
  EXPECT_EQ(Get("/api/ManagedAccounts?systemName=%FF").status, 400);
}

}  // namespace
}  // namespace psafe::http
