// PSRUN nonces already spent, shared by every node: a request replayed to another node is
// refused there too.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"

namespace psafe::domain {

class NonceStore {
 public:
  virtual ~NonceStore() = default;

  // Records `nonce_hash` as spent until `expires_at`; false when it is already spent (and
  // not yet expired at `now`). One compare-and-set.
  virtual Result<bool> SpendNonce(std::string_view nonce_hash, int64_t now, int64_t expires_at) = 0;
  virtual Status DeleteExpiredNonces(int64_t now) = 0;
};

}  // namespace psafe::domain
