// Status: the outcome of an operation that can fail, as a value (LevelDB style).
// Errors never cross a layer as exceptions; each layer returns Status or Result<T>,
// and the API edge maps Status codes to HTTP statuses in one table (api/error_map.cc).
//
// Messages are shown to clients: they must never contain a secret.
// Thread-safety: a Status is an immutable value; copies may be used from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace psafe {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // malformed or missing input (400)
  kUnauthenticated,    // who you are is not proven (401)
  kPermissionDenied,   // proven, but not allowed (403)
  kNotFound,           // (404)
  kConflict,           // state forbids it, e.g. a parent still in use (409)
  kAlreadyExists,      // a unique name or key is taken (409)
  kTooLarge,           // (413)
  kUnsupportedMedia,   // (415)
  kLocked,             // locked out after repeated failures (401 on the wire)
  kUnavailable,        // a system psafe depends on could not be reached (503)
  kBadGateway,         // a system psafe acts on refused or failed the operation (502)
  kIOError,            // storage or OS failure (500)
  kCorruption,         // stored data failed authentication or integrity checks (500)
  kInternal,           // a bug (500)
};

class Status {
 public:
  Status() = default;
  static Status OK() { return {}; }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) { return {StatusCode::kUnauthenticated, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {StatusCode::kPermissionDenied, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status TooLarge(std::string msg) { return {StatusCode::kTooLarge, std::move(msg)}; }
  static Status UnsupportedMedia(std::string msg) { return {StatusCode::kUnsupportedMedia, std::move(msg)}; }
  static Status Locked(std::string msg) { return {StatusCode::kLocked, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status BadGateway(std::string msg) { return {StatusCode::kBadGateway, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  // For code that maps foreign errors (e.g. HTTP statuses) through a table of codes.
  static Status WithCode(StatusCode code, std::string msg) { return {code, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::string_view StatusCodeName(StatusCode code);

}  // namespace psafe
