// The keyring's sealed keys (sealed by the master key, which never reaches the store).
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "crypto/keyring.h"

namespace psafe::domain {

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  virtual Result<std::vector<crypto::SealedKey>> LoadSealedKeys() = 0;
  virtual Status AddSealedKey(const crypto::SealedKey& key) = 0;
};

}  // namespace psafe::domain
