#include "domain/request_service.h"

#include <algorithm>

#include "domain/access.h"
#include "domain/access_service.h"

namespace psafe::domain {

namespace {

constexpr int64_t kMaxDurationMinutes = 525600;

std::string_view FieldOf(CredentialType t) {
  switch (t) {
    case CredentialType::kPassword: return "password";
    case CredentialType::kDssKey: return "private_key";
    case CredentialType::kPassphrase: return "passphrase";
  }
  return "password";
}

// The longest release the account allows under `policy_max`: the smallest of the policy's,
// the system's and the account's maximum (a limit of 0 is none).
int64_t MaxReleaseMinutes(const AccountView& a, int64_t policy_max) {
  int64_t max = kMaxDurationMinutes;
  for (int64_t limit : {policy_max, a.system.max_release_duration, a.account.max_release_duration}) {
    if (limit > 0) max = std::min(max, limit);
  }
  return max;
}

Status CheckDuration(int64_t duration, int64_t max) {
  if (duration > max) {
    return Status::InvalidArgument("DurationMinutes exceeds the maximum release duration of " + std::to_string(max) +
                                   " minutes");
  }
  return Status::OK();
}

Status ValidateNewRequest(const NewRequest& r, std::string* access_type) {
  if (r.duration_minutes && (*r.duration_minutes < 1 || *r.duration_minutes > kMaxDurationMinutes)) {
    return Status::InvalidArgument("DurationMinutes must be between 1 and 525600");
  }
  auto type = NormalizeAccessType(r.access_type);
  if (!type) return Status::InvalidArgument("AccessType must be View, RDP, SSH or App");
  *access_type = *type;
  if (r.ticket_number.size() > 20) return Status::InvalidArgument("TicketNumber is longer than 20 characters");
  if (r.reason.size() > 1000) return Status::InvalidArgument("Reason is longer than 1000 characters");
  return Status::OK();
}

// The grant that lets the user request with the fewest approvals.
const Grant* BestRequestGrant(const std::vector<Grant>& grants) {
  const Grant* best = nullptr;
  for (const Grant& g : grants) {
    const RoleInfo* info = FindRole(static_cast<int64_t>(g.role));
    if (info == nullptr || !info->may_request) continue;
    if (best == nullptr || g.policy.required_approvals < best->policy.required_approvals) best = &g;
  }
  return best;
}

bool AnyRole(const std::vector<Grant>& grants, bool RoleInfo::*flag) {
  return std::any_of(grants.begin(), grants.end(), [flag](const Grant& g) {
    const RoleInfo* info = FindRole(static_cast<int64_t>(g.role));
    return info != nullptr && info->*flag;
  });
}

// The request row both ordinary and ISA requests start from.
Request NewRecord(const Principal& p, const NewRequest& nr, std::string access_type,
                  int64_t duration, int64_t now) {
  Request r;
  r.user_id = p.user.id;
  r.account_id = nr.account_id;
  r.system_id = nr.system_id;
  r.access_type = std::move(access_type);
  r.reason = nr.reason;
  r.duration_minutes = duration;
  r.created_at = now;
  r.expires_at = now + duration * 60;
  return r;
}

bool Has(const std::vector<Grant>& grants, Role role) {
  return std::any_of(grants.begin(), grants.end(), [role](const Grant& g) { return g.role == role; });
}

}  // namespace

RequestService::RequestService(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock,
                               AuditTrail& audit, RotationService& rotation)
    : ports_(ports), keyring_(keyring), clock_(clock), audit_(audit), rotation_(rotation) {}

Result<AccountView> RequestService::RequestedAccount(const NewRequest& nr) {
  auto account = ports_.estate.FindManagedAccount(nr.account_id);
  // An unknown account, one not on the named system or one without API access reads as no
  // permission (4031), as the product answers.
  if (!account.ok() && account.status().code() != StatusCode::kNotFound) return account.status();  // 503
  if (!account.ok() || account->system.id != nr.system_id || !account->account.api_enabled) {
    return Status::PermissionDenied(reason::kNoPermission);
  }
  return account;
}

Result<CreatedRequest> RequestService::Create(const Principal& p, const NewRequest& nr) {
  std::string access_type;
  PSAFE_RETURN_IF_ERROR(ValidateNewRequest(nr, &access_type));
  PSAFE_ASSIGN_OR_RETURN(AccountView account, RequestedAccount(nr));
  PSAFE_ASSIGN_OR_RETURN(auto grants, ports_.permissions.GrantsFor(p.user.id, nr.account_id));
  const Grant* grant = BestRequestGrant(grants);
  if (grant == nullptr) {
    return Status::PermissionDenied(AnyRole(grants, &RoleInfo::may_approve) ? reason::kApproverOnly
                                                                            : reason::kNoPermission);
  }
  const AccessPolicy& policy = grant->policy;
  const int64_t max_duration = MaxReleaseMinutes(account, policy.max_duration_minutes);
  const int64_t duration = nr.duration_minutes.value_or(std::min(policy.default_duration_minutes, max_duration));
  PSAFE_RETURN_IF_ERROR(CheckDuration(duration, max_duration));
  if (std::find(policy.access_types.begin(), policy.access_types.end(), access_type) ==
      policy.access_types.end()) {
    return Status::PermissionDenied(reason::kNoPermission);
  }
  if (policy.required_approvals > 0) {
    PSAFE_ASSIGN_OR_RETURN(int64_t approvers, ports_.permissions.CountApprovers(nr.account_id, p.user.id));
    if (approvers < policy.required_approvals) return Status::PermissionDenied(reason::kNotEnoughApprovers);
  }
  ConflictOption conflict = nr.conflict;
  if (conflict == ConflictOption::kReuse && !policy.allow_reuse) conflict = ConflictOption::kNone;

  const int64_t now = clock_.NowSeconds();
  Request r = NewRecord(p, nr, access_type, duration, now);
  r.required_approvals = policy.required_approvals;
  r.status = policy.required_approvals == 0 ? RequestStatus::kApproved : RequestStatus::kPending;
  if (r.status == RequestStatus::kApproved) r.approved_at = now;
  r.rotate_on_checkin = nr.rotate_on_checkin.value_or(policy.rotate_on_checkin);
  r.ticket_system_id = nr.ticket_system_id;
  r.ticket_number = nr.ticket_number;
  r.access_policy_schedule_id = nr.access_policy_schedule_id;

  CreatedRequest out;
  PSAFE_RETURN_IF_ERROR(ports_.tx.Atomically([&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(auto outcome,
                           ports_.requests.CreateRequest(r, conflict, now, account.account.max_concurrent_requests));
    out = {outcome.id, outcome.reused};
    if (outcome.renewed_id) {
      PSAFE_RETURN_IF_ERROR(ports_.audit_log.AppendAudit(
          AuditTrail::By(p, "request.cancel", "Request", std::to_string(*outcome.renewed_id),
                         nr.account_id, "{\"ConflictOption\":\"renew\"}"), now));
    }
    std::string detail = "{\"Status\":\"" + std::string(RequestStatusName(r.status)) +
                         "\",\"DurationMinutes\":" + std::to_string(duration) +
                         ",\"AccessType\":\"" + access_type + "\",\"Reason\":" + AuditQuote(nr.reason) + "}";
    return ports_.audit_log.AppendAudit(AuditTrail::By(p, outcome.reused ? "request.reuse" : "request.create",
                                             "Request", std::to_string(outcome.id), nr.account_id, detail),
                              now);
  }));
  return out;
}

Result<std::vector<Request>> RequestService::List(const Principal& p, RequestFilter filter) {
  filter.user_id = p.user.id;
  return ports_.requests.ListRequests(filter, clock_.NowSeconds());
}

Result<Request> RequestService::Get(const Principal& p, int64_t id) {
  PSAFE_ASSIGN_OR_RETURN(Request r, ports_.requests.FindRequest(id));
  if (r.user_id == p.user.id) return r;
  PSAFE_ASSIGN_OR_RETURN(auto grants, ports_.permissions.GrantsFor(p.user.id, r.account_id));
  if (AnyRole(grants, &RoleInfo::may_approve)) return r;
  return Status::NotFound("request not found");
}

Result<Request> RequestService::OwnRequest(const Principal& p, int64_t id) {
  auto r = ports_.requests.FindRequest(id);
  if (!r.ok() && r.status().code() != StatusCode::kNotFound) return r.status();  // 503, not 404
  if (!r.ok() || r->user_id != p.user.id) return Status::NotFound("request not found");
  return r;
}

// The transition is decided on the request as it is inside the transaction that writes it
// and the write is a compare-and-set on its version: of two racing transitions exactly one
// wins, and the other gets 409 with nothing written.
Status RequestService::Transition(const Principal& p, const Request& seen, const EventFor& event_for,
                                  std::string action, std::string detail, const AlsoFn& also) {
  return audit_.Record(
      AuditTrail::By(p, std::move(action), "Request", std::to_string(seen.id), seen.account_id, std::move(detail)),
      [&]() -> Status {
        const int64_t now = clock_.NowSeconds();
        PSAFE_ASSIGN_OR_RETURN(Request r, ports_.requests.FindRequest(seen.id));
        const RequestStatus current = r.StatusAt(now);
        auto next = NextRequestStatus(current, event_for(r));
        if (!next) {
          return Status::Conflict("request " + std::to_string(r.id) + " is " + std::string(RequestStatusName(current)));
        }
        const Request before = r;
        r.status = *next;
        switch (*next) {
          case RequestStatus::kApproved: r.approved_at = now; break;
          case RequestStatus::kDenied: r.denied_at = now; break;
          case RequestStatus::kCancelled: r.cancelled_at = now; break;
          case RequestStatus::kReleased: r.released_at = now; break;
          default: break;
        }
        PSAFE_RETURN_IF_ERROR(ports_.requests.UpdateRequest(r));
        return also ? also(before) : Status::OK();
      });
}

Status RequestService::Decide(const Principal& p, int64_t id, bool approve, std::string_view why) {
  if (why.size() > 1000) return Status::InvalidArgument("Reason is longer than 1000 characters");
  auto found = ports_.requests.FindRequest(id);
  if (!found.ok() && found.status().code() != StatusCode::kNotFound) return found.status();  // 503, not 404
  if (!found.ok()) return Status::NotFound("request not found");
  Request r = std::move(found).value();
  PSAFE_ASSIGN_OR_RETURN(auto grants, ports_.permissions.GrantsFor(p.user.id, r.account_id));
  if (!AnyRole(grants, &RoleInfo::may_approve)) {
    // Someone else's request is absent to a non-approver, whatever roles they hold: a
    // different answer would tell which request ids exist.
    if (r.user_id == p.user.id) return Status::PermissionDenied(reason::kRequestorOnly);
    return Status::NotFound("request not found");
  }
  if (r.user_id == p.user.id) return Status::PermissionDenied("you cannot approve or deny your own request");
  const auto event_for = [approve](const Request& current) {
    return !approve ? RequestEvent::kDeny
           : current.approvals + 1 >= current.required_approvals ? RequestEvent::kApproveEnough
                                                                 : RequestEvent::kApproveMore;
  };
  return Transition(p, r, event_for, approve ? "request.approve" : "request.deny",
                    "{\"Reason\":" + AuditQuote(why) + "}", [&](const Request&) {
                      return ports_.requests.AddApproval(id, p.user.id, approve, why, clock_.NowSeconds());
                    });
}

Status RequestService::Approve(const Principal& p, int64_t id, std::string_view why) { return Decide(p, id, true, why); }
Status RequestService::Deny(const Principal& p, int64_t id, std::string_view why) { return Decide(p, id, false, why); }

// In the transaction that ends an Approved request (check-in, cancel, expiry): queues the
// rotation the request (RotateOnCheckin) or its account (ChangePasswordAfterAnyReleaseFlag)
// asks for; the change is made on the target after the transaction (docs/ROTATION.md).
Status RequestService::RotateAfterRelease(const Principal* by, const Request& ended, std::string_view trigger) {
  PSAFE_ASSIGN_OR_RETURN(AccountView account, ports_.estate.FindManagedAccount(ended.account_id));
  if (!ended.rotate_on_checkin && !account.account.change.change_after_any_release) return Status::OK();
  return rotation_.QueueInTransaction(by, account, trigger);
}

Status RequestService::Cancel(const Principal& p, int64_t id, std::string_view why) {
  PSAFE_ASSIGN_OR_RETURN(Request r, OwnRequest(p, id));
  // A cancelled Approved request may have released its credential: it rotates as a check-in would.
  const auto rotate = [this, &p](const Request& before) -> Status {
    if (before.StatusAt(clock_.NowSeconds()) != RequestStatus::kApproved) return Status::OK();
    return RotateAfterRelease(&p, before, "cancel");
  };
  PSAFE_RETURN_IF_ERROR(Transition(p, r, [](const Request&) { return RequestEvent::kCancel; }, "request.cancel",
                                   "{\"Reason\":" + AuditQuote(why) + "}", rotate));
  rotation_.Kick();
  return Status::OK();
}

Status RequestService::Checkin(const Principal& p, int64_t id, std::string_view why) {
  if (why.size() > 1000) return Status::InvalidArgument("Reason is longer than 1000 characters");
  // Another user's request is answered as absent, as by every other call on it.
  PSAFE_ASSIGN_OR_RETURN(Request r, OwnRequest(p, id));
  // Whether to rotate is read off the request as the transition found it.
  const auto rotate = [this, &p](const Request& before) -> Status {
    if (before.StatusAt(clock_.NowSeconds()) != RequestStatus::kApproved) return Status::OK();
    return RotateAfterRelease(&p, before, "checkin");
  };
  PSAFE_RETURN_IF_ERROR(Transition(p, r, [](const Request&) { return RequestEvent::kCheckin; }, "request.checkin",
                                   "{\"Reason\":" + AuditQuote(why) + "}", rotate));
  rotation_.Kick();
  return Status::OK();
}

Status RequestService::SetRotateOnCheckin(const Principal& p, int64_t id) {
  PSAFE_ASSIGN_OR_RETURN(Request r, OwnRequest(p, id));
  if (r.StatusAt(clock_.NowSeconds()) != RequestStatus::kApproved) {
    return Status::Conflict("request " + std::to_string(id) + " is not Approved");
  }
  r.rotate_on_checkin = true;
  return audit_.Record(AuditTrail::By(p, "request.rotateoncheckin", "Request", std::to_string(id), r.account_id),
                       [&] { return ports_.requests.UpdateRequest(r); });
}

Result<crypto::SecretString> RequestService::Release(const Principal& p, const Request& r, CredentialType type) {
  // The request must still be Approved when the release is recorded: a check-in, cancel or
  // expiry that commits first wins, and no credential leaves for a closed request.
  // The caller must also still hold the role the request needs: a revoked role stops the
  // releases of requests approved before it, on the next call.
  const auto still_approved = [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(Request now, ports_.requests.FindRequest(r.id));
    const RequestStatus status = now.StatusAt(clock_.NowSeconds());
    if (status != RequestStatus::kApproved) {
      return Status::PermissionDenied("request " + std::to_string(r.id) + " is " + std::string(RequestStatusName(status)));
    }
    PSAFE_ASSIGN_OR_RETURN(auto grants, ports_.permissions.GrantsFor(p.user.id, r.account_id));
    const bool holds = r.isa ? Has(grants, Role::kIsa) : BestRequestGrant(grants) != nullptr;
    return holds ? Status::OK() : Status::PermissionDenied(reason::kNoPermission);
  };
  PSAFE_ASSIGN_OR_RETURN(crypto::SecretString plain, Unsealed(r.account_id, type));
  // The release is on record before the credential leaves.
  PSAFE_RETURN_IF_ERROR(audit_.Record(
      AuditTrail::By(p, "credential.release", "Request", std::to_string(r.id), r.account_id,
                     "{\"Type\":\"" + std::string(FieldOf(type)) + "\"}"),
      still_approved));
  return plain;
}

Result<crypto::SecretString> RequestService::Unsealed(int64_t account_id, CredentialType type) {
  PSAFE_ASSIGN_OR_RETURN(SealedCredentials sealed, ports_.estate.GetSealedCredentials(account_id));
  const std::optional<std::string>& blob = type == CredentialType::kPassword ? sealed.password
                                           : type == CredentialType::kDssKey  ? sealed.private_key
                                                                              : sealed.passphrase;
  if (!blob) return Status::NotFound("the account has no " + std::string(FieldOf(type)) + " stored");
  return keyring_.Unseal(*blob, CredentialContext(account_id, FieldOf(type)));
}

Result<crypto::SecretString> RequestService::RetrieveForAccount(const Principal& p, int64_t account_id,
                                                                CredentialType type) {
  auto account = ports_.estate.FindManagedAccount(account_id);
  if (!account.ok() && account.status().code() != StatusCode::kNotFound) return account.status();
  // Unknown, or without API access: no permission, as POST Requests answers.
  if (!account.ok() || !account->account.api_enabled) return Status::PermissionDenied(reason::kNoPermission);
  const int64_t now = clock_.NowSeconds();
  PSAFE_ASSIGN_OR_RETURN(auto mine, ports_.requests.ListOpenRequests({RequestScope::Of::kUser, p.user.id}, now));
  for (auto it = mine.rbegin(); it != mine.rend(); ++it) {
    if (it->account_id == account_id && it->StatusAt(now) == RequestStatus::kApproved) return Release(p, *it, type);
  }
  PSAFE_ASSIGN_OR_RETURN(auto grants, ports_.permissions.GrantsFor(p.user.id, account_id));
  if (Has(grants, Role::kIsa)) {
    NewRequest nr;
    nr.system_id = account->system.id;
    nr.account_id = account_id;
    nr.reason = "GET ManagedAccounts/{id}/Credentials";
    return IsaRetrieve(p, nr, type);
  }
  if (!p.is_administrator()) return Status::PermissionDenied(reason::kNoPermission);
  PSAFE_ASSIGN_OR_RETURN(crypto::SecretString plain, Unsealed(account_id, type));
  PSAFE_RETURN_IF_ERROR(audit_.Record(
      AuditTrail::By(p, "credential.release", "ManagedAccount", std::to_string(account_id), account_id,
                     "{\"Type\":\"" + std::string(FieldOf(type)) + "\",\"Direct\":true}"),
      [] { return Status::OK(); }));
  return plain;
}

Status RequestService::Terminate(const Principal& p, RequestScope scope) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  // The target must exist: terminating nothing on an unknown id is a 404, not a quiet 204.
  Status exists = scope.of == RequestScope::Of::kAccount ? ports_.estate.FindManagedAccount(scope.id).status()
                  : scope.of == RequestScope::Of::kSystem ? ports_.estate.FindManagedSystem(scope.id).status()
                                                          : ports_.identity.FindUserById(scope.id).status();
  PSAFE_RETURN_IF_ERROR(exists);
  PSAFE_ASSIGN_OR_RETURN(auto open, ports_.requests.ListOpenRequests(scope, clock_.NowSeconds()));
  const auto rotate = [this, &p](const Request& before) -> Status {
    if (before.StatusAt(clock_.NowSeconds()) != RequestStatus::kApproved) return Status::OK();
    return RotateAfterRelease(&p, before, "terminate");
  };
  for (const Request& r : open) {
    Status s = Transition(p, r, [](const Request&) { return RequestEvent::kCancel; }, "request.terminate",
                          "{\"Reason\":\"terminated by an administrator\"}", rotate);
    // Ended meanwhile (checked in, expired, cancelled): already what termination wants.
    if (s.code() == StatusCode::kConflict) continue;
    PSAFE_RETURN_IF_ERROR(s);
  }
  if (!open.empty()) rotation_.Kick();
  return Status::OK();
}

Result<crypto::SecretString> RequestService::Retrieve(const Principal& p, int64_t id, CredentialType type) {
  PSAFE_ASSIGN_OR_RETURN(Request r, OwnRequest(p, id));
  switch (r.StatusAt(clock_.NowSeconds())) {
    case RequestStatus::kApproved: return Release(p, r, type);
    case RequestStatus::kPending: return Status::PermissionDenied(reason::kNotApproved);
    default:
      return Status::PermissionDenied("request " + std::to_string(id) + " is " +
                                      std::string(RequestStatusName(r.StatusAt(clock_.NowSeconds()))));
  }
}

Result<crypto::SecretString> RequestService::IsaRetrieve(const Principal& p, const NewRequest& nr,
                                                         CredentialType type) {
  std::string access_type;
  PSAFE_RETURN_IF_ERROR(ValidateNewRequest(nr, &access_type));
  PSAFE_ASSIGN_OR_RETURN(AccountView account, RequestedAccount(nr));
  PSAFE_ASSIGN_OR_RETURN(auto grants, ports_.permissions.GrantsFor(p.user.id, nr.account_id));
  if (!Has(grants, Role::kIsa)) return Status::PermissionDenied(reason::kNoPermission);
  // An ISA release lasts the account's ISA release duration at most (and within the
  // system's and account's maximum).
  const int64_t max_duration = MaxReleaseMinutes(account, account.account.isa_release_duration);
  const int64_t duration = nr.duration_minutes.value_or(max_duration);
  PSAFE_RETURN_IF_ERROR(CheckDuration(duration, max_duration));
  const int64_t now = clock_.NowSeconds();
  Request r = NewRecord(p, nr, access_type, duration, now);
  r.status = RequestStatus::kApproved;
  r.isa = true;
  r.approved_at = now;
  PSAFE_RETURN_IF_ERROR(ports_.tx.Atomically([&]() -> Status {
    // A new ISA release supersedes the caller's own open one on the account, so one user
    // holds one open ISA request there, and it counts toward MaxConcurrentRequests.
    PSAFE_ASSIGN_OR_RETURN(auto outcome,
                           ports_.requests.CreateRequest(r, ConflictOption::kRenew, now, account.account.max_concurrent_requests));
    r.id = outcome.id;
    if (outcome.renewed_id) {
      PSAFE_RETURN_IF_ERROR(ports_.audit_log.AppendAudit(
          AuditTrail::By(p, "request.cancel", "Request", std::to_string(*outcome.renewed_id), r.account_id,
                         "{\"SupersededBy\":\"isa\"}"), now));
    }
    return ports_.audit_log.AppendAudit(AuditTrail::By(p, "request.isa", "Request", std::to_string(r.id),
                                             r.account_id, "{\"Reason\":" + AuditQuote(nr.reason) + "}"),
                              now);
  }));
  return Release(p, r, type);
}

Status RequestService::ForceReset(const Principal& p, int64_t account_id, NewCredentials creds,
                                  bool update_system) {
  return rotation_.Change(p, account_id, std::move(creds), update_system, /*queue=*/false, "reset");
}

Status RequestService::SweepExpired() {
  const int64_t now = clock_.NowSeconds();
  PSAFE_ASSIGN_OR_RETURN(auto expired, ports_.requests.ListOpenRequestsExpiredBy(now));
  for (Request& r : expired) {
    const bool released = r.status == RequestStatus::kApproved;
    r.status = RequestStatus::kExpired;
    AuditEvent e{0, "psafed", "request.expire", "Request", std::to_string(r.id), r.account_id, ""};
    Status s = audit_.Record(e, [&]() -> Status {
      PSAFE_RETURN_IF_ERROR(ports_.requests.UpdateRequest(r));
      return released ? RotateAfterRelease(nullptr, r, "expiry") : Status::OK();
    });
    if (s.code() == StatusCode::kConflict) continue;  // changed since it was listed: its winner decides
    PSAFE_RETURN_IF_ERROR(s);
  }
  if (!expired.empty()) rotation_.Kick();
  return Status::OK();
}

}  // namespace psafe::domain
