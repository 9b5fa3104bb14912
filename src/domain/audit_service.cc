#include "domain/audit_service.h"

#include "crypto/password_hash.h"

namespace psafe::domain {

AuditTrail::AuditTrail(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock)
    : ports_(ports), keyring_(keyring), clock_(clock) {
  ports_.audit_log.SetAuditMac([&keyring](std::string_view prev, std::string_view record) {
    return keyring.AuditMac(prev, record);
  });
}

AuditEvent AuditTrail::By(const Principal& p, std::string action, std::string object_type,
                          std::string object_id, int64_t account_id, std::string detail) {
  return AuditEvent{p.user.id,          p.user.user_name, std::move(action), std::move(object_type),
                    std::move(object_id), account_id,       std::move(detail), p.remote_address};
}

Status AuditTrail::Record(const AuditEvent& event, const std::function<Status()>& change) {
  return ports_.tx.Atomically([&]() -> Status {
    PSAFE_RETURN_IF_ERROR(change());
    return ports_.audit_log.AppendAudit(event, clock_.NowSeconds());
  });
}

Status AuditTrail::Submit(AuditEvent event, std::function<Status()> change) {
  return ports_.tx.Submit([this, event = std::move(event), change = std::move(change)]() -> Status {
    PSAFE_RETURN_IF_ERROR(change());
    return ports_.audit_log.AppendAudit(event, clock_.NowSeconds());
  });
}

Status AuditTrail::SubmitAll(std::vector<AuditEvent> events) {
  if (events.empty()) return Status::OK();
  return ports_.tx.Submit([this, events = std::move(events)]() -> Status {
    const int64_t now = clock_.NowSeconds();
    for (const AuditEvent& e : events) PSAFE_RETURN_IF_ERROR(ports_.audit_log.AppendAudit(e, now));
    return Status::OK();
  });
}

Result<Paged<AuditRecord>> AuditTrail::List(const Principal& p, const AuditFilter& filter) {
  if (!p.is_administrator()) {
    PSAFE_ASSIGN_OR_RETURN(bool auditor, ports_.permissions.HoldsRole(p.user.id, Role::kAuditor));
    if (!auditor) return Status::PermissionDenied("Auditor role required");
  }
  return ports_.audit_log.ListAudit(filter);
}

Result<AuditVerification> AuditTrail::Verify() {
  AuditVerification v;
  std::string prev;
  PSAFE_RETURN_IF_ERROR(ports_.audit_log.ForEachAudit([&](const AuditRecord& r) -> Status {
    if (v.first_broken_id) return Status::OK();
    ++v.records;
    const std::string expected = keyring_.AuditMac(prev, CanonicalAuditRecord(r));
    if (!crypto::ConstantTimeEquals(expected, r.mac)) v.first_broken_id = r.id;
    prev = r.mac;
    return Status::OK();
  }));
  return v;
}

}  // namespace psafe::domain
