// Self-signed TLS material for first start: a throwaway CA (its private key is never
// written to disk) that signs an ECDSA P-256 server certificate for localhost,
// 127.0.0.1 and ::1. Clients trust the CA file (`ca_cert` in `psafed init --json`).
#pragma once

#include <filesystem>

#include "common/status.h"

namespace psafe::crypto {

struct TlsFiles {
  std::filesystem::path ca_cert;      // PEM, public
  std::filesystem::path server_cert;  // PEM leaf + CA chain
  std::filesystem::path server_key;   // PEM private key, mode 0600
};

Status GenerateSelfSignedTls(const TlsFiles& files, int valid_days = 825);

}  // namespace psafe::crypto
