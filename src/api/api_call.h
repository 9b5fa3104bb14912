// What every API handler receives: the request, the dialect the route table decided,
// the authenticated principal (for routes that require one) and the services.
#pragma once

#include <boost/json/array.hpp>
#include <vector>

#include "api/dialect.h"
#include "common/result.h"
#include "domain/access_service.h"
#include "domain/alias_service.h"
#include "domain/api_registration_service.h"
#include "domain/audit_service.h"
#include "domain/auth_service.h"
#include "domain/estate_service.h"
#include "domain/ports/store_health.h"
#include "domain/request_service.h"
#include "domain/rotation_service.h"
#include "domain/secret_service.h"
#include "http/message.h"
#include "http/rate_limiter.h"

namespace psafe::api {

struct ApiContext {
  domain::AuthService& auth;
  domain::EstateService& estate;
  domain::AccessService& access;
  domain::RequestService& requests;
  domain::RotationService& rotation;
  domain::SecretService& secrets;
  domain::ApiRegistrationService& registrations;
  domain::AliasService& aliases;
  domain::AuditTrail& audit;
  domain::StoreHealth& store_health;
  bool secure_cookies = true;   // false only in loopback plain-HTTP mode
  http::RateLimiter* signin_limiter = nullptr;   // sign-in calls per client; null = unlimited
  http::RateLimiter* request_limiter = nullptr;  // every other API call per client
  std::string ca_crl;  // DER CRL of the generated CA, served at kCaCrlPath; empty = not served
};

struct ApiCall {
  http::Request& req;
  Dialect dialect;
  const domain::Principal* principal;  // non-null on routes that require sign-in
  ApiContext& ctx;
};

using ApiHandler = Result<http::Response> (*)(ApiCall&);

// Shared helpers for handlers.
http::Response JsonResponse(int status, const boost::json::value& v);

template <typename T, typename ToJson>
boost::json::array ArrayOf(const std::vector<T>& items, ToJson to_json) {
  boost::json::array a;
  a.reserve(items.size());
  for (const T& item : items) a.push_back(to_json(item));
  return a;
}
// Path parameter `index` as a positive id; InvalidArgument naming `what` otherwise.
Result<int64_t> PathId(const ApiCall& c, size_t index, std::string_view what);
// limit/offset query parameters (limit 1..100000, offset >= 0).
Result<domain::Page> ReadPage(const ApiCall& c);
// An optional integer query parameter.
Result<std::optional<int64_t>> QueryInt(const ApiCall& c, std::string_view name);

}  // namespace psafe::api
