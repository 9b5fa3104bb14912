// ApiRegistrationService: administrators manage API registrations, their rules (IP rules,
// PSRUN rules, signature verification, client certificate, user password) and who they
// admit. A new registration's API key and OAuth secret are returned once and stored only as
// hashes.
//
// A registration admits exactly the users and groups linked to it: creating one links
// nobody implicitly, not even its creator. Its OAuth client acts as the one user it is bound
// to (named at creation, or an application user psafed creates for it, in no group), and
// that user too must stay linked for the client's tokens to work (docs/SECURITY.md).
#pragma once

#include <optional>
#include <vector>

#include "common/result.h"
#include "crypto/keyring.h"
#include "crypto/secret_string.h"
#include "domain/audit_service.h"
#include "domain/identity.h"
#include "domain/principal.h"
#include "domain/ports/ports.h"

namespace psafe::domain {

struct CreatedRegistration {
  ApiRegistration registration;
  crypto::SecretString api_key;        // 128 hex characters, shown once
  crypto::SecretString client_secret;  // shown once
};

// What a create or update names besides the settings.
struct RegistrationChange {
  RegistrationLinks add;                  // links to make (create: the whole set)
  std::optional<int64_t> oauth_user_id;   // bind the OAuth client to this (linked) user
};

class ApiRegistrationService {
 public:
  ApiRegistrationService(const Ports& ports, const crypto::Keyring& keyring, AuditTrail& audit,
                         const Clock& clock);

  Result<std::vector<ApiRegistration>> List(const Principal& p);
  Result<ApiRegistration> Get(const Principal& p, int64_t id);
  Result<CreatedRegistration> Create(const Principal& p, ApiRegistration settings, RegistrationChange change);
  // Replaces name, flags and rules; keys stay. Disabling it or requiring a user password
  // ends the sessions and tokens that no longer qualify, at once.
  Result<ApiRegistration> Update(const Principal& p, int64_t id, ApiRegistration settings,
                                 RegistrationChange change);
  // Its sessions and links go with it, and so does the application user psafed made for
  // its OAuth client.
  Status Delete(const Principal& p, int64_t id);

  Result<std::vector<User>> LinkedUsers(const Principal& p, int64_t id);
  Result<std::vector<UserGroup>> LinkedGroups(const Principal& p, int64_t id);
  Status LinkUser(const Principal& p, int64_t id, int64_t user_id);
  Status UnlinkUser(const Principal& p, int64_t id, int64_t user_id);
  Status LinkGroup(const Principal& p, int64_t id, int64_t group_id);
  Status UnlinkGroup(const Principal& p, int64_t id, int64_t group_id);

 private:
  // Inside a transaction: makes the links and, if asked, checks the OAuth user is admitted.
  Status ApplyChange(const ApiRegistration& r, const RegistrationChange& change, bool check_oauth_user);
  Status ChangeLink(const Principal& p, int64_t id, std::string action, std::string detail,
                    const std::function<Status(const ApiRegistration&)>& change);

  Ports ports_;
  const crypto::Keyring& keyring_;
  AuditTrail& audit_;
  const Clock& clock_;
};

}  // namespace psafe::domain
