#include "http/multipart.h"

#include "common/strings.h"
#include "common/utf8.h"

namespace psafe::http {

namespace {

constexpr size_t kMaxBoundary = 70;   // RFC 2046 §5.1.1
constexpr size_t kMaxPartHeaders = 8192;
constexpr size_t kMaxParts = 16;      // the upload has two; anything far beyond is hostile

// Splits "a; b=c; d=\"e;f\"" into its ';'-separated items, respecting quotes.
std::vector<std::string_view> SplitParams(std::string_view s) {
  std::vector<std::string_view> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"' && (i == 0 || s[i - 1] != '\\')) quoted = !quoted;
    if (s[i] == ';' && !quoted) {
      out.push_back(TrimWhitespace(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(TrimWhitespace(s.substr(start)));
  return out;
}

// The value of parameter `name` among SplitParams items, unquoted.
std::optional<std::string> Param(const std::vector<std::string_view>& items, std::string_view name) {
  for (size_t i = 1; i < items.size(); ++i) {
    size_t eq = items[i].find('=');
    if (eq == std::string_view::npos) continue;
    if (!EqualsIgnoreCase(TrimWhitespace(items[i].substr(0, eq)), name)) continue;
    std::string_view v = TrimWhitespace(items[i].substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
      std::string out;
      for (size_t j = 1; j + 1 < v.size(); ++j) {
        if (v[j] == '\\' && j + 2 < v.size()) ++j;
        out.push_back(v[j]);
      }
      return out;
    }
    return std::string(v);
  }
  return std::nullopt;
}

Status ParsePartHeaders(std::string_view headers, MultipartPart* part) {
  bool has_disposition = false;
  while (!headers.empty()) {
    size_t eol = headers.find("\r\n");
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Status::InvalidArgument("malformed multipart part header");
    std::string_view name = TrimWhitespace(line.substr(0, colon));
    std::string_view value = TrimWhitespace(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Content-Disposition")) {
      auto items = SplitParams(value);
      if (!EqualsIgnoreCase(items[0], "form-data")) {
        return Status::InvalidArgument("multipart part is not form-data");
      }
      auto n = Param(items, "name");
      if (!n) return Status::InvalidArgument("multipart part has no name");
      part->name = *n;
      part->filename = Param(items, "filename");
      // Both are text the handlers match on or store (the file's name).
      PSAFE_RETURN_IF_ERROR(RequireUtf8("multipart part name", part->name));
      if (part->filename) PSAFE_RETURN_IF_ERROR(RequireUtf8("multipart file name", *part->filename));
      has_disposition = true;
    } else if (EqualsIgnoreCase(name, "Content-Type")) {
      PSAFE_RETURN_IF_ERROR(RequireUtf8("multipart part Content-Type", value));
      part->content_type = std::string(value);
    }
  }
  if (!has_disposition) return Status::InvalidArgument("multipart part has no Content-Disposition");
  return Status::OK();
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  auto items = SplitParams(content_type);
  if (!EqualsIgnoreCase(items[0], "multipart/form-data")) {
    return Status::UnsupportedMedia("Content-Type must be multipart/form-data");
  }
  auto boundary = Param(items, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > kMaxBoundary) {
    return Status::InvalidArgument("multipart boundary is missing or invalid");
  }
  return *boundary;
}

Result<std::vector<MultipartPart>> ParseMultipart(std::string_view content_type, std::string_view body) {
  PSAFE_ASSIGN_OR_RETURN(std::string boundary, MultipartBoundary(content_type));
  const std::string delimiter = "--" + boundary;
  const std::string separator = "\r\n" + delimiter;

  // The preamble (ignored) runs up to the first delimiter, which starts the body or a line.
  size_t pos;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    pos = body.find(separator);
    if (pos == std::string_view::npos) return Status::InvalidArgument("multipart body has no boundary");
    pos += separator.size();
  }

  std::vector<MultipartPart> parts;
  for (;;) {
    // After a delimiter: "--" closes the body; otherwise CRLF and a part follow.
    if (body.substr(pos, 2) == "--") return parts;
    // Transport padding (RFC 2046) may precede the CRLF.
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") return Status::InvalidArgument("malformed multipart delimiter");
    pos += 2;
    if (parts.size() == kMaxParts) return Status::InvalidArgument("too many multipart parts");

    MultipartPart part;
    const size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos || headers_end - pos > kMaxPartHeaders) {
      return Status::InvalidArgument("malformed multipart part headers");
    }
    PSAFE_RETURN_IF_ERROR(ParsePartHeaders(body.substr(pos, headers_end - pos), &part));
    const size_t data_start = headers_end + 4;
    const size_t data_end = body.find(separator, data_start);
    if (data_end == std::string_view::npos) return Status::InvalidArgument("multipart body is not terminated");
    part.data = body.substr(data_start, data_end - data_start);
    parts.push_back(std::move(part));
    pos = data_end + separator.size();
  }
}

}  // namespace psafe::http
