// Turns a request's credentials into a Principal: a valid session cookie first (cheap),
// then the Authorization header (PS-Auth or Bearer), which also works on any call without
// a cookie as an implicit session (contract §1.2).
#pragma once

#include "api/api_call.h"
#include "http/auth_header.h"

namespace psafe::api {

Result<domain::Principal> Authenticate(ApiContext& ctx, const http::Request& req);
Result<domain::Principal> AuthenticateHeader(ApiContext& ctx, const http::Authorization& auth,
                                             const http::Request& req);

}  // namespace psafe::api
