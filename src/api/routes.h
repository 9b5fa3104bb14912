// Builds the router: the API route table under /BeyondTrust/api/public/v3, plus
// GET /health and (with generated TLS) GET /tls/ca.crl outside it.
#pragma once

#include <memory>

#include "api/api_call.h"
#include "http/router.h"

namespace psafe::api {

inline constexpr std::string_view kBasePath = "/BeyondTrust/api/public/v3";
// Where the generated CA's CRL is served; the generated server certificate names it.
inline constexpr std::string_view kCaCrlPath = "/tls/ca.crl";
// The cookie sign-in sets with the session's CSRF token, which browser state changes echo
// in a RequestVerificationToken header (the product's names).
inline constexpr std::string_view kCsrfCookie = "__RequestVerificationToken";

std::unique_ptr<http::Router> BuildRouter(ApiContext& ctx);
// The error body for failures below the API layer (router, server).
http::Response TransportError(int status, std::string_view message);

}  // namespace psafe::api
