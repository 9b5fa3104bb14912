#include "http/framing.h"

#include "common/strings.h"

namespace psafe::http {

Status CheckTransferEncoding(std::span<const std::string_view> values, unsigned http_version) {
  if (values.empty()) return Status::OK();
  const Status refused = Status::InvalidArgument("unsupported Transfer-Encoding");
  if (http_version < 11) return refused;
  // Strict on purpose: exactly one coding over all fields, and it is chunked. Accepting
  // anything looser (empty list elements, parameters) would have to match Beast's own
  // reading byte for byte, or the two could frame the body differently.
  size_t codings = 0;
  for (std::string_view field : values) {
    size_t start = 0;
    for (;;) {
      const size_t comma = field.find(',', start);
      const std::string_view coding = TrimWhitespace(field.substr(start, comma - start));
      if (!EqualsIgnoreCase(coding, "chunked") || ++codings > 1) return refused;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return Status::OK();
}

}  // namespace psafe::http
