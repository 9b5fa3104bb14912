// JsonBody: a request body read the way ASP.NET model binding reads it, which is what
// real clients rely on: property names match case-insensitively, unknown properties are
// ignored, integers may arrive as numbers or numeric strings, an empty body is {}.
// Every error names the offending field. Parsing is bounded (depth, size via the server's
// body limit); invalid UTF-8 is rejected.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "crypto/secret_string.h"
#include "http/message.h"

namespace psafe::api {

inline constexpr size_t kMaxStringField = 4096;

// application/json, text/json or application/*+json, parameters ignored.
bool IsJsonContentType(std::string_view content_type);

class JsonBody {
 public:
  // 415 (UnsupportedMedia) if Content-Type is present and not JSON; 400 if malformed or
  // not an object.
  static Result<JsonBody> Parse(const http::Request& req);
  static Result<JsonBody> ParseText(std::string_view text);
  // An object nested in a parsed body, read the same way.
  static JsonBody Of(boost::json::object obj) {
    JsonBody b;
    b.obj_ = std::move(obj);
    return b;
  }

  // nullptr if absent (or JSON null).
  const boost::json::value* Find(std::string_view name) const;

  // Read*: leave *out untouched when the field is absent; InvalidArgument naming the
  // field when present with the wrong type or out of bounds.
  Status Read(std::string_view name, std::string* out, size_t max_len = kMaxStringField) const;
  Status Read(std::string_view name, int64_t* out) const;
  Status Read(std::string_view name, bool* out) const;
  Status Read(std::string_view name, std::optional<int64_t>* out) const;
  Status Read(std::string_view name, std::optional<std::string>* out, size_t max_len = kMaxStringField) const;
  Status Read(std::string_view name, std::optional<crypto::SecretString>* out,
              size_t max_len = kMaxStringField) const;
  Status Require(std::string_view name) const;  // InvalidArgument "<name> is required"

 private:
  boost::json::object obj_;
};

}  // namespace psafe::api
