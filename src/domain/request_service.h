// RequestService: access requests, approvals, credential release, check-in, rotation,
// ISA retrieval and ForceReset (docs/REQUESTS.md). Every state change and every
// credential release is audited in the transaction that makes it; a credential leaves
// this service only after its release record has committed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/keyring.h"
#include "crypto/secret_string.h"
#include "domain/audit_service.h"
#include "domain/estate_service.h"
#include "domain/principal.h"
#include "domain/request.h"
#include "domain/rotation_service.h"
#include "domain/ports/ports.h"

namespace psafe::domain {

// 403 bodies real clients compare byte for byte (contract §2.1).
namespace reason {
inline constexpr const char* kNoPermission = "4031";       // or the account is not valid
inline constexpr const char* kRequestorOnly = "4032";
inline constexpr const char* kApproverOnly = "4033";
inline constexpr const char* kNotApproved = "4034";
inline constexpr const char* kNotEnoughApprovers = "4035";
}  // namespace reason

struct NewRequest {
  int64_t system_id = 0;
  int64_t account_id = 0;
  std::string access_type = "View";
  std::optional<int64_t> duration_minutes;
  std::string reason;
  ConflictOption conflict = ConflictOption::kNone;
  int64_t ticket_system_id = 0;
  std::string ticket_number;
  int64_t access_policy_schedule_id = 0;
  std::optional<bool> rotate_on_checkin;
};

struct CreatedRequest {
  int64_t id = 0;
  bool reused = false;
};

enum class CredentialType { kPassword, kDssKey, kPassphrase };

class RequestService {
 public:
  RequestService(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock,
                 AuditTrail& audit, RotationService& rotation);

  Result<CreatedRequest> Create(const Principal& p, const NewRequest& req);
  Result<std::vector<Request>> List(const Principal& p, RequestFilter filter);
  // The caller's own request, or one the caller may approve.
  Result<Request> Get(const Principal& p, int64_t id);
  Status Approve(const Principal& p, int64_t id, std::string_view reason);
  Status Deny(const Principal& p, int64_t id, std::string_view reason);
  Status Cancel(const Principal& p, int64_t id, std::string_view reason);
  Status Checkin(const Principal& p, int64_t id, std::string_view reason);
  Status SetRotateOnCheckin(const Principal& p, int64_t id);

  Result<crypto::SecretString> Retrieve(const Principal& p, int64_t id, CredentialType type);
  // GET ManagedAccounts/{id}/Credentials, for the callers the product names: one holding an
  // Approved request of their own on the account (that request's release), an ISA holder (an
  // ISA release, recorded as a request), or an administrator (a release recorded against the
  // account). Anyone else: 4031.
  Result<crypto::SecretString> RetrieveForAccount(const Principal& p, int64_t account_id, CredentialType type);
  // Administrators: ends every open request in `scope` (cancelled, audited as
  // request.terminate; a released one rotates as a check-in would). NotFound for an unknown
  // account, system or user.
  Status Terminate(const Principal& p, RequestScope scope);
  // ISA: the credential in one call, recorded as a request of its own.
  Result<crypto::SecretString> IsaRetrieve(const Principal& p, const NewRequest& req, CredentialType type);
  // Administrators: set the given credentials, or generate a password under the account's
  // rule; with `update_system`, on the target too (RotationService::Change).
  Status ForceReset(const Principal& p, int64_t account_id, NewCredentials creds, bool update_system);

  // Writes Expired (and its audit record) for open requests past their expiry.
  Status SweepExpired();
  int64_t Now() const { return clock_.NowSeconds(); }

 private:
  Result<Request> OwnRequest(const Principal& p, int64_t id);
  Result<AccountView> RequestedAccount(const NewRequest& nr);
  Status Decide(const Principal& p, int64_t id, bool approve, std::string_view reason);
  using EventFor = std::function<RequestEvent(const Request& current)>;
  using AlsoFn = std::function<Status(const Request& before)>;
  // Applies the event `event_for` picks for the request as it is now, and `also`, in one
  // transaction with its audit record; `seen` names the request.
  Status Transition(const Principal& p, const Request& seen, const EventFor& event_for, std::string action,
                    std::string detail, const AlsoFn& also = {});
  Result<crypto::SecretString> Release(const Principal& p, const Request& r, CredentialType type);
  // The account's credential of `type`, unsealed; NotFound when it has none.
  Result<crypto::SecretString> Unsealed(int64_t account_id, CredentialType type);
  Status RotateAfterRelease(const Principal* by, const Request& ended, std::string_view trigger);

  Ports ports_;
  const crypto::Keyring& keyring_;
  const Clock& clock_;
  AuditTrail& audit_;
  RotationService& rotation_;
};

}  // namespace psafe::domain
