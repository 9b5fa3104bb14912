// Self-signed TLS material for first start: a throwaway CA (its private key is never
// written to disk) that signs an ECDSA P-256 server certificate for localhost,
// 127.0.0.1 and ::1. Clients trust the CA file (`ca_cert` in `psafed init --json`).
//
// Because the CA key is discarded, nothing it signed can ever be revoked. The CA signs
// one empty CRL before the key goes, valid as long as the certificates are; the server
// certificate names where psafed serves it, so a client that checks revocation gets a
// definite "not revoked" instead of "unknown".
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace psafe::crypto {

struct TlsFiles {
  std::filesystem::path ca_cert;      // PEM, public
  std::filesystem::path server_cert;  // PEM leaf + CA chain
  std::filesystem::path server_key;   // PEM private key, mode 0600
  std::filesystem::path crl;          // DER CRL signed by the CA, empty
};

struct GeneratedTlsOptions {
  // 397 days: the longest lifetime browsers and the CA/Browser Forum accept for a server
  // certificate, so tools that audit TLS configuration have nothing to flag.
  int valid_days = 397;
  std::string crl_uri;  // CRL distribution point written into the server certificate
};

Status GenerateSelfSignedTls(const TlsFiles& files, const GeneratedTlsOptions& options);

// What start-up should do with the TLS files at the default paths. Only a certificate
// issued by psafed's generated CA is ever replaced; an operator's is left alone.
struct GeneratedTlsState {
  enum Verdict { kGenerate, kCurrent, kRenew, kNotGenerated } verdict = kGenerate;
  std::string reason;   // why kGenerate or kRenew
  std::string crl_uri;  // the CRL distribution point of a generated certificate
};
GeneratedTlsState InspectGeneratedTls(const TlsFiles& files, int renew_within_days);

}  // namespace psafe::crypto
