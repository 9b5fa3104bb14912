// The master key (KEK): 32 random bytes that seal the keyring. It lives outside the
// database: in a 0600 file created by `psafed init`, or supplied by the operator through
// the PSAFE_MASTER_KEY environment variable (64 hex characters) or a configured file path.
// Losing it makes every stored secret unreadable; that is the point.
#pragma once

#include <filesystem>
#include <memory>

#include "common/result.h"

namespace psafe::crypto {

class MasterKey {
 public:
  static constexpr size_t kSize = 32;
  ~MasterKey();
  MasterKey(const MasterKey&) = delete;
  MasterKey& operator=(const MasterKey&) = delete;

  // Creates a new random key and writes it to `path` with mode 0600; fails if it exists.
  static Result<std::unique_ptr<MasterKey>> CreateFile(const std::filesystem::path& path);
  // Loads a key file, refusing one that group or others can read (as ssh does).
  static Result<std::unique_ptr<MasterKey>> LoadFile(const std::filesystem::path& path);
  // Parses 64 hex characters (the PSAFE_MASTER_KEY form).
  static Result<std::unique_ptr<MasterKey>> FromHex(std::string_view hex);

  const unsigned char* data() const { return key_; }

 private:
  MasterKey();
  unsigned char* key_;  // sodium_malloc'd: guard pages, mlocked, excluded from core dumps
};

}  // namespace psafe::crypto
