#include "api/authenticate.h"

#include <variant>

#include "api/client_context.h"

namespace psafe::api {

Result<domain::Principal> AuthenticateHeader(ApiContext& ctx, const http::Authorization& auth,
                                             const http::Request& req) {
  if (const auto* ps = std::get_if<http::PsAuth>(&auth)) {
    domain::ApiKeyCredentials creds{crypto::SecretString(std::string_view(ps->key)), ps->runas, {}};
    if (ps->pwd) creds.password.emplace(std::string_view(*ps->pwd));
    return ctx.auth.AuthenticateApiKey(creds, ClientContextOf(req));
  }
  if (const auto* bearer = std::get_if<http::BearerAuth>(&auth)) {
    return ctx.auth.AuthenticateBearer(bearer->token, TransportContextOf(req));
  }
  if (const auto* bad = std::get_if<http::MalformedAuth>(&auth); bad && bad->invalid_text) {
    return Status::InvalidArgument(bad->reason);
  }
  return Status::Unauthenticated("User not authenticated");
}

Result<domain::Principal> Authenticate(ApiContext& ctx, const http::Request& req) {
  http::Authorization auth = http::ParseAuthorization(req.headers.Get("Authorization"));
  if (auto cookie = req.headers.Get("Cookie")) {
    if (auto sid = http::FindCookie(*cookie, "ASP.NET_SessionId")) {
      auto p = ctx.auth.AuthenticateSession(*sid, TransportContextOf(req));
      if (p.ok() || std::holds_alternative<http::NoAuth>(auth)) return p;
    }
  }
  return AuthenticateHeader(ctx, auth, req);
}

}  // namespace psafe::api
