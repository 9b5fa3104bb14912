// Parsers for the Authorization and Cookie headers, written for every variant real
// Password Safe clients send (see shared/compat/real-api-contract.md §1.1):
//   PS-Auth key=K;runas=U;            PS-Auth key=K; runas=U; pwd=[P];
//   PS-Auth key="K"; runas="U"        PS-Auth key=K;runas=DOMAIN\U   (no trailing ';')
//   Bearer T
// Names are case-insensitive; one pair of double quotes is stripped from a value; the
// password is everything between the first '[' and the LAST ']', so passwords holding
// ']' or ';' survive. Bounded: headers over kMaxAuthorizationLength are rejected. runas
// and pwd must be valid UTF-8 (MalformedAuth::invalid_text otherwise).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace psafe::http {

inline constexpr size_t kMaxAuthorizationLength = 4096;

struct PsAuth {
  std::string key;
  std::string runas;
  std::optional<std::string> pwd;
};

struct BearerAuth {
  std::string token;
};

struct NoAuth {};
struct MalformedAuth {
  std::string reason;
  // The header is well formed but a value that would reach the domain (runas, pwd) is
  // not valid UTF-8: bad input (400), not failed credentials (401), so that it never
  // reaches a lookup, a lockout counter or an audit record.
  bool invalid_text = false;
};

using Authorization = std::variant<NoAuth, PsAuth, BearerAuth, MalformedAuth>;

Authorization ParseAuthorization(std::optional<std::string_view> header);

// The value of cookie `name` in a Cookie header ("a=1; b=2"), if present.
std::optional<std::string> FindCookie(std::string_view cookie_header, std::string_view name);

}  // namespace psafe::http
