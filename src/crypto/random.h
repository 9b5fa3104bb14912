// Cryptographically secure randomness (getrandom(2) through libsodium). Never rand().
#pragma once

#include <cstdint>
#include <string>

namespace psafe::crypto {

// n random bytes, hex-encoded (2n characters).
std::string RandomHex(size_t n_bytes);
// A random RFC 4122 version-4 GUID, lower-case, 36 characters.
std::string RandomGuid();
// A uniform integer in [0, upper) without modulo bias (upper > 0).
uint32_t RandomUniform(uint32_t upper);
// Bytes to lower-case hex.
std::string HexEncode(std::string_view bytes);

}  // namespace psafe::crypto
