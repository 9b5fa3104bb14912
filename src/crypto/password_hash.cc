#include "crypto/password_hash.h"

#include <sodium.h>

namespace psafe::crypto {

std::string HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    std::abort();  // out of memory: a hash we cannot compute must not be stored as ""
  }
  return out;
}

bool VerifyPassword(std::string_view encoded, std::string_view password) {
  std::string enc(encoded);  // must be NUL-terminated
  return crypto_pwhash_str_verify(enc.c_str(), password.data(), password.size()) == 0;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace psafe::crypto
