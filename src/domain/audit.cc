#include "domain/audit.h"

namespace psafe::domain {

std::string CanonicalAuditRecord(const AuditRecord& r) {
  // Unit-separator-joined fields; lengths prefixed so no field can spill into the next.
  std::string out = "psafe-audit-v1";
  auto add = [&out](const std::string& field) {
    out += '\x1f';
    out += std::to_string(field.size());
    out += ':';
    out += field;
  };
  add(std::to_string(r.id));
  add(std::to_string(r.at));
  add(std::to_string(r.event.user_id));
  add(r.event.user_name);
  add(r.event.action);
  add(r.event.object_type);
  add(r.event.object_id);
  add(std::to_string(r.event.account_id));
  add(r.event.detail);
  return out;
}

}  // namespace psafe::domain
