// The PSRUN call signature (common/psrun_factors.h): HMAC-SHA-256 keyed from the API key.
// psrun2 computes it; psafed recomputes it at sign-in, where the key is in hand.
#pragma once

#include <string>
#include <string_view>

namespace psafe::crypto {

// hex(HMAC-SHA-256(HMAC-SHA-256(api_key, kPsrunSigningLabel), canonical)), 64 characters.
std::string PsrunSignature(std::string_view api_key, std::string_view canonical);

}  // namespace psafe::crypto
