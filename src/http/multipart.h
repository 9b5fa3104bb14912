// multipart/form-data (RFC 7578) as the Secrets Safe file upload uses it: GoLib's
// mime/multipart writer and Python requests' encoder both produce it. The parser is
// strict and bounded: it never copies the body (parts are views into it), it rejects a
// missing or over-long boundary, a part without a Content-Disposition name, a part name,
// file name or Content-Type that is not valid UTF-8, and a body that does not end with the
// closing delimiter.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace psafe::http {

struct MultipartPart {
  std::string name;                     // Content-Disposition name="…"
  std::optional<std::string> filename;  // Content-Disposition filename="…", if given
  std::string content_type;             // the part's Content-Type, "" if absent
  std::string_view data;                // a view into the body passed to ParseMultipart
};

// The boundary parameter of a multipart/form-data Content-Type; InvalidArgument when the
// type is another one or the boundary is missing or malformed.
Result<std::string> MultipartBoundary(std::string_view content_type);

// Splits `body` into its parts. InvalidArgument on any malformation.
Result<std::vector<MultipartPart>> ParseMultipart(std::string_view content_type, std::string_view body);

}  // namespace psafe::http
