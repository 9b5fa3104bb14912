// Keyring: the versioned data keys that encrypt every credential and secret at rest,
// and the pepper that hashes API keys, OAuth secrets and session tokens.
//
// Each key is stored (by the store layer, which never sees plaintext keys) as a
// SealedKey: the key sealed with XChaCha20-Poly1305 under the MasterKey. Rotation adds a
// new data-key version; Seal() always uses the newest, Open() reads any version, so old
// values stay readable without a rewrite.
//
// Ciphertext layout (version 1 of the format):
//   alg (1 byte: 1 = XChaCha20-Poly1305-IETF) | key version (4 bytes, big endian) |
//   nonce (24 bytes) | ciphertext + 16-byte tag
// The header is authenticated together with the caller's context string (e.g.
// "managed_accounts/42/password"), so a ciphertext copied to another row fails to open.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/master_key.h"
#include "crypto/secret_string.h"

namespace psafe::crypto {

struct SealedKey {
  enum class Purpose { kData, kPepper };
  int version = 0;
  Purpose purpose = Purpose::kData;
  std::string sealed;  // opaque bytes, safe to store
};

class Keyring {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kTokenHashSize = 32;

  ~Keyring();
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  // Creates a fresh key of `purpose`, sealed under `master`. `version` must be unique.
  static SealedKey CreateKey(const MasterKey& master, int version, SealedKey::Purpose purpose);
  // Unseals every key. Fails with Corruption if any key does not open under `master`
  // (wrong master key, or a tampered keyring), and if there is no data key or no pepper.
  static Result<std::unique_ptr<Keyring>> Open(const MasterKey& master,
                                               const std::vector<SealedKey>& keys);

  // Encrypts under the newest data key, binding `context` into the tag.
  std::string Seal(std::string_view plaintext, std::string_view context) const;
  // Decrypts; Corruption if the blob was altered, moved to another context, or its key
  // version is unknown.
  Result<SecretString> Unseal(std::string_view blob, std::string_view context) const;
  // HMAC-SHA-256(pepper, token): the lookup index for API keys, client secrets and
  // session tokens. Deterministic, so it can be a unique index; useless without the pepper.
  std::string TokenHash(std::string_view token) const;

  // Link of the audit chain: HMAC-SHA-256 under a key derived from the pepper, over the
  // previous link and this record. Without the keyring nobody can forge or re-chain records.
  std::string AuditMac(std::string_view previous_mac, std::string_view record) const;

  int current_version() const { return current_version_; }
  std::vector<int> versions() const;

 private:
  Keyring() = default;
  struct KeyBytes;  // sodium_malloc'd key material
  std::map<int, std::unique_ptr<KeyBytes>> data_keys_;
  std::unique_ptr<KeyBytes> pepper_;
  int current_version_ = 0;
};

}  // namespace psafe::crypto
