#include "common/status.h"

namespace psafe {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kUnauthenticated: return "Unauthenticated";
    case StatusCode::kPermissionDenied: return "PermissionDenied";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kConflict: return "Conflict";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kTooLarge: return "TooLarge";
    case StatusCode::kUnsupportedMedia: return "UnsupportedMedia";
    case StatusCode::kLocked: return "Locked";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kBadGateway: return "BadGateway";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace psafe
