// AuditTrail: appends audit records in the same transaction as the change they
// describe, lists them for auditors, and verifies the keyed chain.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/keyring.h"
#include "domain/audit.h"
#include "domain/principal.h"
#include "domain/ports/ports.h"

namespace psafe::domain {

struct AuditVerification {
  int64_t records = 0;
  std::optional<int64_t> first_broken_id;  // empty = the chain is intact
};

class AuditTrail {
 public:
  // Installs the keyring's chain MAC into the store.
  AuditTrail(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock);

  // Runs `change` and appends `event` in one transaction: both or neither.
  Status Record(const AuditEvent& event, const std::function<Status()>& change);
  // Record, through UnitOfWork::Submit: for a change whose outcome the caller does not
  // read. The event and the change are run later, so they are taken by value.
  Status Submit(AuditEvent event, std::function<Status()> change);
  // Appends every event in one transaction (e.g. each value one read releases), submitted.
  Status SubmitAll(std::vector<AuditEvent> events);
  // An event attributed to `p`.
  static AuditEvent By(const Principal& p, std::string action, std::string object_type,
                       std::string object_id, int64_t account_id = 0, std::string detail = "");

  // Administrators and holders of the Auditor role.
  Result<Paged<AuditRecord>> List(const Principal& p, const AuditFilter& filter);
  Result<AuditVerification> Verify();

 private:
  Ports ports_;
  const crypto::Keyring& keyring_;
  const Clock& clock_;
};

}  // namespace psafe::domain
