#include "api/error_map.h"

#include <spdlog/spdlog.h>

#include <boost/json/value.hpp>

#include <optional>

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
    {StatusCode::kAlreadyExists, 409},
    {StatusCode::kTooLarge, 413},
    {StatusCode::kUnsupportedMedia, 415},
    {StatusCode::kUnavailable, 503},
    {StatusCode::kBadGateway, 502},
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

// The product's 403 reason codes (4031-4035): clients compare the body byte for byte with
// the bare number, so it is sent as a JSON number, not a string.
std::optional<int> ReasonCode(int http_status, std::string_view message) {
  if (http_status != 403 || message.size() != 4 || message.substr(0, 3) != "403") return std::nullopt;
  if (message[3] < '1' || message[3] > '5') return std::nullopt;
  return 4030 + (message[3] - '0');
}

http::Response ErrorResponse(int http_status, std::string_view message, Dialect dialect) {
  boost::json::value body;
  const std::optional<int> reason = ReasonCode(http_status, message);
  if (dialect == Dialect::kDocument) {
    body = boost::json::object{{"Message", message}, {"ErrorCode", reason.value_or(http_status)}};
  } else if (reason) {
    body = *reason;
  } else {
    body = boost::json::string(message);
  }
  return http::Response::Json(http_status, ToJson(body));
}

http::Response ErrorResponse(const Status& status, Dialect dialect) {
  int code = HttpStatusFor(status.code());
  // A target out of reach or refusing a change is reported as it is: the message names the
  // target's answer (connectors never put a secret in one), not psafed's internals.
  const bool about_a_target = status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kBadGateway;
  if (code >= 500 && !about_a_target) {
    spdlog::error("request failed: {}", status.ToString());
    return ErrorResponse(code, "internal error", dialect);
  }
  return ErrorResponse(code, status.message(), dialect);
}

}  // namespace psafe::api
