// ApiRegistrationService: administrators manage API registrations and their rules (IP
// rules, PSRUN rules, signature verification, client certificate, user password). A new
// registration's API key and OAuth secret are returned once and stored only as hashes.
#pragma once

#include <vector>

#include "common/result.h"
#include "crypto/keyring.h"
#include "crypto/secret_string.h"
#include "domain/audit_service.h"
#include "domain/identity.h"
#include "domain/principal.h"
#include "store/store.h"

namespace psafe::domain {

struct CreatedRegistration {
  ApiRegistration registration;
  crypto::SecretString api_key;        // 128 hex characters, shown once
  crypto::SecretString client_secret;  // shown once
};

class ApiRegistrationService {
 public:
  ApiRegistrationService(store::Store& store, const crypto::Keyring& keyring, AuditTrail& audit);

  Result<std::vector<ApiRegistration>> List(const Principal& p);
  Result<ApiRegistration> Get(const Principal& p, int64_t id);
  // `settings` supplies the name, flags and rules; the caller becomes its OAuth user and
  // may use it at once.
  Result<CreatedRegistration> Create(const Principal& p, ApiRegistration settings);
  // Replaces name, flags and rules; keys stay.
  Result<ApiRegistration> Update(const Principal& p, int64_t id, ApiRegistration settings);

 private:
  store::Store& store_;
  const crypto::Keyring& keyring_;
  AuditTrail& audit_;
};

}  // namespace psafe::domain
