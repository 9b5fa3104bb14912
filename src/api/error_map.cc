#include "api/error_map.h"

#include <spdlog/spdlog.h>

#include <boost/json/value.hpp>

namespace psafe::api {

namespace {

struct StatusMapping {
  StatusCode code;
  int http;
};

constexpr StatusMapping kStatusTable[] = {
    {StatusCode::kOk, 200},
    {StatusCode::kInvalidArgument, 400},
    {StatusCode::kUnauthenticated, 401},
    {StatusCode::kLocked, 401},
    {StatusCode::kPermissionDenied, 403},
    {StatusCode::kNotFound, 404},
    {StatusCode::kConflict, 409},
    {StatusCode::kTooLarge, 413},
    {StatusCode::kUnsupportedMedia, 415},
    {StatusCode::kIOError, 500},
    {StatusCode::kCorruption, 500},
    {StatusCode::kInternal, 500},
};

}  // namespace

int HttpStatusFor(StatusCode code) {
  for (const auto& m : kStatusTable) {
    if (m.code == code) return m.http;
  }
  return 500;
}

http::Response ErrorResponse(int http_status, std::string_view message, Dialect dialect) {
  boost::json::value body;
  if (dialect == Dialect::kDocument) {
    body = boost::json::object{{"Message", message}, {"ErrorCode", http_status}};
  } else {
    body = boost::json::string(message);
  }
  return http::Response::Json(http_status, ToJson(body));
}

http::Response ErrorResponse(const Status& status, Dialect dialect) {
  int code = HttpStatusFor(status.code());
  if (code >= 500) {
    spdlog::error("request failed: {}", status.ToString());
    return ErrorResponse(code, "internal error", dialect);
  }
  return ErrorResponse(code, status.message(), dialect);
}

}  // namespace psafe::api
