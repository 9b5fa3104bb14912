// Small string helpers shared by every layer (ASCII only: protocol names are ASCII).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace psafe {

char LowerAscii(char c);
std::string ToLowerAscii(std::string_view s);
std::string ToUpperAscii(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string_view TrimWhitespace(std::string_view s);
// RFC 3339 UTC, e.g. "2026-11-23T13:04:07Z".
std::string FormatTimestamp(int64_t unix_seconds);
// Parses an RFC 3339 date-time, "yyyy-MM-ddTHH:mm:ss[.fraction](Z|+hh:mm|-hh:mm)", or one
// without a zone (UTC); fractions of a second are dropped. nullopt if malformed.
std::optional<int64_t> ParseTimestamp(std::string_view s);

}  // namespace psafe
