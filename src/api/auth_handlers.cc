#include <boost/json/object.hpp>
#include <variant>

#include "api/authenticate.h"
#include "api/client_context.h"
#include "api/handlers.h"
#include "api/json_body.h"
#include "common/strings.h"
#include "api/routes.h"

namespace psafe::api {

namespace json = boost::json;

namespace {

json::object SessionJson(const domain::User& u) {
  return {{"UserId", u.id},       {"SID", nullptr},       {"EmailAddress", u.email},
          {"UserName", u.user_name}, {"Name", u.name}, {"IsAdministrator", u.is_administrator}};
}

http::Response OAuthError(int status, std::string_view error) {
  return JsonResponse(status, json::object{{"error", error}});
}

}  // namespace

// POST Auth/SignAppIn: credentials in the Authorization header (PS-Auth or Bearer) with
// an empty or {} body, or - the OpenAPI document's form - {ApplicationID, APIKey}.
Result<http::Response> SignAppIn(ApiCall& c) {
  http::Authorization auth = http::ParseAuthorization(c.req.headers.Get("Authorization"));
  Result<domain::Principal> principal = Status::Unauthenticated("User not authenticated");
  const char* method = std::holds_alternative<http::BearerAuth>(auth) ? "bearer" : "apikey";
  if (std::holds_alternative<http::NoAuth>(auth)) {
    PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
    std::optional<crypto::SecretString> key;
    std::string application;
    PSAFE_RETURN_IF_ERROR(body.Read("APIKey", &key, 512));
    PSAFE_RETURN_IF_ERROR(body.Read("ApplicationID", &application, 256));
    if (!key) return Status::Unauthenticated("User not authenticated");
    principal = c.ctx.auth.AuthenticateApiKey({std::move(*key), application, std::nullopt}, ClientContextOf(c.req));
  } else {
    principal = AuthenticateHeader(c.ctx, auth, c.req);
  }
  if (!principal.ok()) return principal.status();
  PSAFE_ASSIGN_OR_RETURN(crypto::SecretString token, c.ctx.auth.StartSession(*principal, method));

  http::Response res = JsonResponse(200, SessionJson(principal->user));
  const std::string secure = c.ctx.secure_cookies ? "; secure" : "";
  // SameSite=Strict: a browser sends the session on no cross-site request at all.
  res.headers.Add("Set-Cookie", "ASP.NET_SessionId=" + token.str() + "; path=/" + secure +
                                    "; HttpOnly; SameSite=Strict");
  // Real servers set this too, and some clients' cookie handling was written against it.
  // It is the session's CSRF token, readable by the page that must echo it (not HttpOnly).
  res.headers.Add("Set-Cookie", std::string(kCsrfCookie) + "=" + c.ctx.auth.CsrfToken(token.view()) +
                                    "; path=/" + secure + "; SameSite=Strict");
  res.log_principal = "user:" + std::to_string(principal->user.id);
  return res;
}

// POST/DELETE Auth/Signout, POST /auth/signappout: ends the cookie session if any.
Result<http::Response> SignOut(ApiCall& c) {
  if (auto cookie = c.req.headers.Get("Cookie")) {
    if (auto sid = http::FindCookie(*cookie, "ASP.NET_SessionId")) {
      PSAFE_RETURN_IF_ERROR(c.ctx.auth.EndSession(*c.principal, *sid));
    }
  }
  return http::Response::Empty(200);
}

// POST Auth/connect/token (OAuth 2.0 client credentials, RFC 6749 §4.4). The route table
// has already refused a body that is not application/x-www-form-urlencoded (415).
Result<http::Response> IssueOAuthToken(ApiCall& c) {
  auto form = http::ParseFormBody(c.req.body);
  if (!form.ok()) return OAuthError(400, "invalid_request");
  auto grant = form->Get("grant_type");
  auto id = form->Get("client_id");
  auto secret = form->Get("client_secret");
  if (!grant || !id || !secret) return OAuthError(400, "invalid_request");
  crypto::SecretString client_secret(std::move(*secret));
  if (*grant != "client_credentials") return OAuthError(400, "unsupported_grant_type");
  auto token = c.ctx.auth.IssueToken(*id, client_secret.view(), ClientContextOf(c.req));
  if (!token.ok()) {
    if (token.status().code() == StatusCode::kUnauthenticated ||
        token.status().code() == StatusCode::kLocked) {
      return OAuthError(401, "invalid_client");
    }
    return token.status();
  }
  http::Response res = JsonResponse(200, json::object{{"access_token", token->access_token.str()},
                                                      {"expires_in", token->expires_in},
                                                      {"token_type", "Bearer"},
                                                      {"scope", "publicapi"}});
  res.sensitive = true;
  return res;
}

}  // namespace psafe::api
