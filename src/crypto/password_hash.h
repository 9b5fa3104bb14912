// Argon2id password hashing for local users' passwords (the PS-Auth `pwd=[…]` factor).
// Costs follow libsodium's INTERACTIVE limits (t=2, m=64 MiB, ~50 ms here): paid once per
// sign-in, never per request, because the session cookie carries the rest.
#pragma once

#include <string>
#include <string_view>

namespace psafe::crypto {

// Returns an encoded "$argon2id$…" string (salt and parameters included).
std::string HashPassword(std::string_view password);
// Constant-time verification against an encoded hash; false for malformed hashes.
bool VerifyPassword(std::string_view encoded, std::string_view password);
// Constant-time equality of two byte strings of equal length (false if lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace psafe::crypto
