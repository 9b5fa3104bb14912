#include "crypto/psrun_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/psrun_factors.h"
#include "crypto/random.h"
#include "crypto/secret_string.h"

namespace psafe::crypto {

namespace {
std::string Hmac(std::string_view key, std::string_view msg) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), out, &len);
  std::string s(reinterpret_cast<char*>(out), len);
  SecureWipe(out, sizeof out);
  return s;
}
}  // namespace

std::string PsrunSignature(std::string_view api_key, std::string_view canonical) {
  SecretString signing_key(Hmac(api_key, kPsrunSigningLabel));
  return HexEncode(Hmac(signing_key.view(), canonical));
}

}  // namespace psafe::crypto
