#include "crypto/random.h"

#include <sodium.h>

#include "crypto/secret_string.h"

namespace psafe::crypto {

void SecureWipe(void* p, size_t n) {
  if (n > 0) sodium_memzero(p, n);
}

std::string HexEncode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

std::string RandomHex(size_t n_bytes) {
  std::string raw(n_bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out = HexEncode(raw);
  SecureWipe(raw.data(), raw.size());
  return out;
}

uint32_t RandomUniform(uint32_t upper) { return randombytes_uniform(upper); }

std::string RandomGuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string hex = HexEncode(std::string_view(reinterpret_cast<char*>(b), sizeof b));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace psafe::crypto
